package org.cameldatalake.partition;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code version=vN}: one folder per table snapshot, N counting from 1. */
public final class VersionPartitioning implements Partitioning<Integer> {
    public static final VersionPartitioning INSTANCE = new VersionPartitioning();
    private static final Pattern FOLDER = Pattern.compile("(?:^|.*/)version=v(\\d{1,9})(?:/[^/]*)?$");

    private VersionPartitioning() {
    }

    @Override
    public String folder(Integer version) {
        return "version=v" + version;
    }

    @Override
    public Integer parse(String relativePath) {
        Matcher m = FOLDER.matcher(relativePath);
        return m.matches() ? Integer.valueOf(m.group(1)) : null;
    }
}
