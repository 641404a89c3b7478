package org.cameldatalake.feed;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.cameldatalake.feed.FeedDefinition.FeedType;
import org.cameldatalake.feed.FeedDefinition.Partitioning;
import org.cameldatalake.feed.FeedDefinition.Rotation;

/**
 * Reads and checks the sections of a feed file that shape its files: {@code partitioning} (which folder a file goes
 * in) and {@code rotation} (when a file ends); every problem names the file and the field.
 */
final class FileLayoutParser {
    private static final Pattern FIELD_PATH = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$");

    private final FeedFileParser fields;
    private final Path file;

    FileLayoutParser(FeedFileParser fields, Path file) {
        this.fields = fields;
        this.file = file;
    }

    Partitioning partitioning(JsonNode root, FeedType type) throws FeedFileException {
        JsonNode p = root.get("partitioning");
        String defaultType = type == FeedType.STREAM ? "date" : "version";
        List<String> defaultColumns = type == FeedType.STREAM ? List.of("year", "month", "day") : List.of("version");
        if (p == null || p.isNull()) {
            return new Partitioning(defaultType, defaultColumns, null);
        }
        if (!p.isObject()) {
            throw new FeedFileException(file, "partitioning", "must be an object like {\"type\": \"date\"}");
        }
        for (Iterator<String> it = p.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!Set.of("type", "columns", "timestamp_field").contains(f)) {
                throw new FeedFileException(file, "partitioning." + f, "unknown field (known: type, columns, timestamp_field)");
            }
        }
        String ptype = fields.optionalText(p, "partitioning.type", "type", defaultType);
        if (!ptype.equals(defaultType)) {
            throw new FeedFileException(file, "partitioning.type", "'" + ptype + "' does not suit a " + type.json()
                    + " feed; use '" + defaultType + "'");
        }
        List<String> columns = defaultColumns;
        JsonNode cols = p.get("columns");
        if (cols != null && !cols.isNull()) {
            List<String> given = new ArrayList<>();
            if (!cols.isArray()) {
                throw new FeedFileException(file, "partitioning.columns", "must be an array");
            }
            cols.forEach(c -> given.add(c.asText()));
            if (!given.equals(defaultColumns)) {
                throw new FeedFileException(file, "partitioning.columns", given + " is not supported; the layout is "
                        + defaultColumns);
            }
        }
        String ts = fields.optionalText(p, "partitioning.timestamp_field", "timestamp_field", null);
        if (ts != null && !FIELD_PATH.matcher(ts).matches()) {
            throw new FeedFileException(file, "partitioning.timestamp_field", "'" + ts
                    + "' is not a field name or dotted path (e.g. TIMESTAMP or EVENT.TIME)");
        }
        return new Partitioning(ptype, columns, ts);
    }

    Rotation rotation(JsonNode root) throws FeedFileException {
        JsonNode r = root.get("rotation");
        if (r == null || r.isNull()) {
            return Rotation.NONE;
        }
        if (!r.isObject()) {
            throw new FeedFileException(file, "rotation", "must be an object like {\"max_records\": 100000, \"max_bytes\": \"128MB\", \"max_age\": \"60s\", \"max_idle\": \"10s\"}");
        }
        Long maxRecords = null;
        Long maxBytes = null;
        Duration maxAge = null;
        Duration maxIdle = null;
        for (Iterator<String> it = r.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            JsonNode v = r.get(f);
            String path = "rotation." + f;
            try {
                switch (f) {
                    case "max_records" -> maxRecords = v.canConvertToLong() && v.asLong() > 0 ? v.asLong()
                            : fail(path, "must be a positive whole number");
                    case "max_bytes" -> maxBytes = Units.bytes(v.asText());
                    case "max_age" -> maxAge = Units.duration(v.asText());
                    case "max_idle" -> maxIdle = Units.duration(v.asText());
                    default -> throw new FeedFileException(file, path, "unknown field (known: max_records, max_bytes, max_age, max_idle)");
                }
            } catch (IllegalArgumentException e) {
                throw new FeedFileException(file, path, e.getMessage());
            }
        }
        return new Rotation(maxRecords, maxBytes, maxAge, maxIdle);
    }

    private <T> T fail(String field, String problem) throws FeedFileException {
        throw new FeedFileException(file, field, problem);
    }
}
