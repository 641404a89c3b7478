package org.cameldatalake.feed;

import java.nio.file.Path;

/** A feed file that cannot be used; the message always names the file and, where there is one, the field. */
public class FeedFileException extends Exception {
    private final Path file;
    private final String field;

    public FeedFileException(Path file, String field, String problem) {
        super(file + (field == null ? "" : ": field '" + field + "'") + ": " + problem);
        this.file = file;
        this.field = field;
    }

    public Path file() {
        return file;
    }

    /** The offending field (dotted path), or null when the whole file is at fault (e.g. not JSON). */
    public String field() {
        return field;
    }
}
