package org.cameldatalake.feed;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.cameldatalake.feed.FeedDefinition.KeyFormat;
import org.cameldatalake.feed.FeedDefinition.SourceKind;
import org.cameldatalake.feed.FeedDefinition.Warehouse;
import org.cameldatalake.feed.FeedDefinition.Window;
import org.cameldatalake.feed.FeedDefinition.WindowType;

/** Reads and checks the {@code warehouse} section of a feed file; every problem names the file and the field. */
final class WarehouseSectionParser {
    private final FeedFileParser fields;
    private final Path file;

    WarehouseSectionParser(FeedFileParser fields, Path file) {
        this.fields = fields;
        this.file = file;
    }

    Warehouse parse(JsonNode root, String name, SourceKind source, String kafkaTopic, String ksqldbSource)
            throws FeedFileException {
        JsonNode w = root.get("warehouse");
        if (w == null || w.isNull()) {
            return null;
        }
        if (!w.isObject()) {
            throw new FeedFileException(file, "warehouse", "must be an object like {\"table\": \"t\", \"key\": [\"ID\"]}");
        }
        for (Iterator<String> it = w.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!Set.of("table", "key", "topic", "key_format", "window").contains(f)) {
                throw new FeedFileException(file, "warehouse." + f, "unknown field (known: table, key, topic, key_format, window)");
            }
        }
        String table = fields.optionalText(w, "warehouse.table", "table", name);
        if (!FeedFileParser.IDENTIFIER.matcher(table).matches()) {
            throw new FeedFileException(file, "warehouse.table", "must be an SQL identifier (letters, digits, _)");
        }
        if (FeedFileParser.reserved(table)) {
            throw new FeedFileException(file, "warehouse.table", "'" + table + "' starts with " + FeedFileParser.RESERVED_PREFIX
                    + " (in any case), which is reserved for camel-datalake's own tables (API tokens, grants, loaded files)");
        }
        JsonNode key = w.get("key");
        if (key == null || !key.isArray() || key.isEmpty()) {
            throw new FeedFileException(file, "warehouse.key", "must be a non-empty array of column names");
        }
        List<String> cols = new ArrayList<>();
        for (JsonNode k : key) {
            if (!k.isTextual() || !FeedFileParser.IDENTIFIER.matcher(k.asText()).matches()) {
                throw new FeedFileException(file, "warehouse.key", "'" + k + "' is not a column name");
            }
            if (cols.contains(k.asText())) {
                throw new FeedFileException(file, "warehouse.key", "'" + k.asText() + "' is listed twice");
            }
            cols.add(k.asText());
        }
        // the table's own topic: a Kafka feed reads it already; for ksqlDB the sink topic is the upper-cased name
        String defaultTopic = source == SourceKind.KAFKA ? kafkaTopic : ksqldbSource.toUpperCase(Locale.ROOT);
        String topic = fields.optionalText(w, "warehouse.topic", "topic", defaultTopic);
        if (!FeedFileParser.KAFKA_TOPIC.matcher(topic).matches()) {
            throw new FeedFileException(file, "warehouse.topic", "'" + topic + "' is not a valid Kafka topic name");
        }
        KeyFormat keyFormat = fields.choice(w, "warehouse.key_format", "key_format", KeyFormat.class, KeyFormat.JSON);
        Window window = window(w.get("window"));
        Warehouse wh = new Warehouse(table, List.copyOf(cols), topic, keyFormat, window);
        if (window == null && (cols.contains(Warehouse.WINDOW_START) || cols.contains(Warehouse.WINDOW_END))) {
            throw new FeedFileException(file, "warehouse.key", "WINDOW_START/WINDOW_END are key columns of windowed tables only; "
                    + "add \"window\": {\"type\": \"tumbling\", \"size\": \"5m\"}");
        }
        if (window != null && !cols.contains(Warehouse.WINDOW_START)) {
            throw new FeedFileException(file, "warehouse.key", "a windowed table is keyed by its key columns and WINDOW_START, e.g. "
                    + "[\"TRANSACTION_TYPE\", \"WINDOW_START\"]");
        }
        if (wh.innerKey().isEmpty()) {
            throw new FeedFileException(file, "warehouse.key", "needs the column(s) of the Kafka key, not only the window bounds");
        }
        if (keyFormat != KeyFormat.JSON && wh.innerKey().size() > 1) {
            throw new FeedFileException(file, "warehouse.key_format", "'" + keyFormat.json()
                    + "' keys hold one column; several key columns need 'json'");
        }
        return wh;
    }

    private Window window(JsonNode w) throws FeedFileException {
        if (w == null || w.isNull()) {
            return null;
        }
        if (!w.isObject()) {
            throw new FeedFileException(file, "warehouse.window", "must be an object like {\"type\": \"tumbling\", \"size\": \"5m\"}");
        }
        for (Iterator<String> it = w.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!Set.of("type", "size").contains(f)) {
                throw new FeedFileException(file, "warehouse.window." + f, "unknown field (known: type, size)");
            }
        }
        WindowType type = fields.choice(w, "warehouse.window.type", "type", WindowType.class, null);
        String size = fields.optionalText(w, "warehouse.window.size", "size", null);
        if (type == WindowType.SESSION) {
            if (size != null) {
                throw new FeedFileException(file, "warehouse.window.size", "session windows have no size (their key holds both bounds)");
            }
            return new Window(type, null);
        }
        if (size == null) {
            throw new FeedFileException(file, "warehouse.window.size", "is required for " + type.json() + " windows (e.g. \"5m\")");
        }
        try {
            Duration d = Units.duration(size);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException("must be positive");
            }
            return new Window(type, d);
        } catch (IllegalArgumentException e) {
            throw new FeedFileException(file, "warehouse.window.size", "'" + size + "' is not a duration like 5m: " + e.getMessage());
        }
    }
}
