package org.cameldatalake.schema;

/** A value whose type cannot be widened into the feed's schema; the record carrying it is rejected. */
public class SchemaConflictException extends RuntimeException {
    public SchemaConflictException(String path, String problem) {
        super((path == null || path.isEmpty() ? "" : "field " + path + ": ") + problem, null, false, false);
    }
}
