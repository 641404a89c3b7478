package org.cameldatalake.feed;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.cameldatalake.feed.FeedDefinition.Compression;
import org.cameldatalake.feed.FeedDefinition.FeedType;
import org.cameldatalake.feed.FeedDefinition.Partitioning;
import org.cameldatalake.feed.FeedDefinition.Rotation;
import org.cameldatalake.feed.FeedDefinition.SecurityLevel;
import org.cameldatalake.feed.FeedDefinition.SourceKind;
import org.cameldatalake.feed.FeedDefinition.Warehouse;
import org.cameldatalake.quality.QualityRules;
import org.quartz.CronExpression;

/**
 * Reads one feed file (DESIGN.md §2): strict about what is there, generous with defaults for what is not.
 * Every problem is reported as a {@link FeedFileException} naming the file and the field.
 */
public final class FeedFileParser {
    /** A feed name becomes a directory and a route id, so it is held to a safe pattern. */
    public static final Pattern FEED_NAME = Pattern.compile("^[a-z][a-z0-9_]{0,62}$");
    /**
     * The prefix of the product's own warehouse tables (tokens, grants, loaded files), in any case: no feed may
     * write into them, so no feed name nor warehouse table may start with it (SQLite and MariaDB on Windows or macOS
     * match table names regardless of case).
     */
    public static final String RESERVED_PREFIX = "datalake_";
    static final Pattern KAFKA_TOPIC = Pattern.compile("^[a-zA-Z0-9._-]{1,249}$");
    static final Pattern IDENTIFIER = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]{0,127}$");
    private static final Set<String> KNOWN = Set.of("feed_name", "feed_type", "ksqldb_source", "source", "kafka_topic",
            "description", "partitioning", "storage_mode", "format", "compression", "retention_days",
            "retention_versions", "schedule", "security_level", "warehouse", "rotation", "archive_after", "enabled",
            "sql", "quality", "jdbc");

    public static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.ALLOW_COMMENTS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final Path file;

    private FeedFileParser(Path file) {
        this.file = file;
    }

    public static FeedDefinition parse(Path file) throws FeedFileException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new FeedFileException(file, null, "cannot be read: " + e.getMessage());
        }
        return parse(file, text);
    }

    public static FeedDefinition parse(Path file, String text) throws FeedFileException {
        return new FeedFileParser(file).read(text);
    }

    private FeedDefinition read(String text) throws FeedFileException {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonParseException e) {
            var loc = e.getLocation();
            throw new FeedFileException(file, null, "not valid JSON at line " + loc.getLineNr() + ", column "
                    + loc.getColumnNr() + ": " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new FeedFileException(file, null, "not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new FeedFileException(file, null, "must hold one JSON object");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!KNOWN.contains(field)) {
                throw new FeedFileException(file, field, "unknown field (known fields: " + String.join(", ",
                        KNOWN.stream().sorted().toList()) + ")");
            }
        }
        String name = requiredText(root, "feed_name");
        if (!FEED_NAME.matcher(name).matches()) {
            throw new FeedFileException(file, "feed_name", "'" + name
                    + "' must match ^[a-z][a-z0-9_]{0,62}$ (lower case letters, digits and _, starting with a letter)");
        }
        if (reserved(name)) {
            throw new FeedFileException(file, "feed_name", "'" + name + "' starts with " + RESERVED_PREFIX
                    + ", which is reserved for camel-datalake's own warehouse tables");
        }
        FeedType type = choice(root, "feed_type", FeedType.class, null);
        SourceKind source = choice(root, "source", SourceKind.class,
                type == FeedType.TABLE ? SourceKind.KSQLDB : SourceKind.KAFKA);
        String sql = sql(root, type, source);
        JdbcSource jdbc = JdbcSourceParser.parse(file, root, type, source);
        String ksqldbSource = optionalText(root, "ksqldb_source", null);
        if (ksqldbSource != null && !IDENTIFIER.matcher(ksqldbSource).matches()) {
            throw new FeedFileException(file, "ksqldb_source", "'" + ksqldbSource + "' is not a ksqlDB identifier");
        }
        if (source == SourceKind.KSQLDB && ksqldbSource == null) {
            ksqldbSource = name;
        }
        String defaultTopic = (ksqldbSource != null ? ksqldbSource : name).toUpperCase(Locale.ROOT);
        String topic = optionalText(root, "kafka_topic", defaultTopic);
        if (!KAFKA_TOPIC.matcher(topic).matches()) {
            throw new FeedFileException(file, "kafka_topic", "'" + topic + "' is not a valid Kafka topic name");
        }
        String description = optionalText(root, "description", "");
        FileLayoutParser layout = new FileLayoutParser(this, file);
        Partitioning partitioning = layout.partitioning(root, type);
        String storageMode = optionalText(root, "storage_mode", type == FeedType.STREAM ? "append" : "overwrite");
        String expectedMode = type == FeedType.STREAM ? "append" : "overwrite";
        if (!storageMode.equals(expectedMode)) {
            throw new FeedFileException(file, "storage_mode", "'" + storageMode + "' does not suit a " + type.json()
                    + " feed; use '" + expectedMode + "'");
        }
        String format = optionalText(root, "format", "parquet");
        if (!format.equals("parquet")) {
            throw new FeedFileException(file, "format", "'" + format + "' is not supported; use 'parquet'");
        }
        Compression compression = choice(root, "compression", Compression.class, Compression.SNAPPY);
        int retentionDays = positiveInt(root, "retention_days", 365);
        int retentionVersions = positiveInt(root, "retention_versions", 7);
        String schedule = optionalText(root, "schedule", "0 0/10 * * * ?");
        if (!CronExpression.isValidExpression(schedule)) {
            throw new FeedFileException(file, "schedule", "'" + schedule
                    + "' is not a Quartz cron expression (example: 0 0/10 * * * ?)");
        }
        SecurityLevel security = choice(root, "security_level", SecurityLevel.class, SecurityLevel.RESTRICTED);
        Warehouse warehouse = new WarehouseSectionParser(this, file).parse(root, name, source, topic, ksqldbSource);
        Rotation rotation = layout.rotation(root);
        String archiveAfter = optionalText(root, "archive_after", null);
        if (archiveAfter != null) {
            try {
                java.time.LocalDate.parse(archiveAfter);
            } catch (java.time.format.DateTimeParseException e) {
                throw new FeedFileException(file, "archive_after", "'" + archiveAfter + "' is not a date (YYYY-MM-DD)");
            }
        }
        boolean enabled = bool(root, "enabled", true);
        QualityRules quality;
        try {
            quality = QualityRules.parse(root.get("quality"));
        } catch (QualityRules.InvalidRule e) {
            throw new FeedFileException(file, "quality" + e.field(), e.getMessage());
        }
        return new FeedDefinition(file, name, type, source, ksqldbSource, topic, description, partitioning,
                storageMode, format, compression, retentionDays, retentionVersions, schedule, security, warehouse,
                rotation, archiveAfter, enabled, sql, quality, jdbc);
    }

    /**
     * The query of a SQL feed: required there, one SELECT that DuckDB parses; refused anywhere else, as are the
     * fields of the other sources on a SQL feed.
     */
    private String sql(JsonNode root, FeedType type, SourceKind source) throws FeedFileException {
        if (source != SourceKind.SQL) {
            if (root.has("sql")) {
                throw new FeedFileException(file, "sql", "is for SQL feeds only (\"source\": \"sql\", a table computed by a query)");
            }
            return null;
        }
        if (type != FeedType.TABLE) {
            throw new FeedFileException(file, "source", "'sql' feeds are tables (\"feed_type\": \"table\"): each answer of "
                    + "the query becomes a version");
        }
        for (String other : List.of("ksqldb_source", "kafka_topic", "warehouse")) {
            if (root.has(other)) {
                throw new FeedFileException(file, other, "does not apply to a SQL feed (it reads the lake's feeds)");
            }
        }
        String sql = requiredText(root, "sql");
        try {
            SelectQuery.check(sql, false);
        } catch (SelectQuery.NotASelect e) {
            throw new FeedFileException(file, "sql", e.getMessage());
        }
        return sql;
    }

    static boolean reserved(String name) {
        return name.regionMatches(true, 0, RESERVED_PREFIX, 0, RESERVED_PREFIX.length());
    }

    private String requiredText(JsonNode node, String field) throws FeedFileException {
        return requiredText(node, field, field);
    }

    private String requiredText(JsonNode node, String path, String field) throws FeedFileException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new FeedFileException(file, path, "is required");
        }
        if (!v.isTextual()) {
            throw new FeedFileException(file, path, "must be a string, not " + v);
        }
        return v.asText();
    }

    private String optionalText(JsonNode node, String field, String dflt) throws FeedFileException {
        return optionalText(node, field, field, dflt);
    }

    String optionalText(JsonNode node, String path, String field, String dflt) throws FeedFileException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isTextual()) {
            throw new FeedFileException(file, path, "must be a string, not " + v);
        }
        return v.asText();
    }

    private <E extends Enum<E>> E choice(JsonNode node, String field, Class<E> type, E dflt) throws FeedFileException {
        return choice(node, field, field, type, dflt);
    }

    <E extends Enum<E>> E choice(JsonNode node, String path, String field, Class<E> type, E dflt) throws FeedFileException {
        String text = dflt == null ? requiredText(node, path, field) : optionalText(node, path, field, null);
        if (text == null) {
            return dflt;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(text)) {
                return e;
            }
        }
        List<String> allowed = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            allowed.add(e.name().toLowerCase(Locale.ROOT));
        }
        throw new FeedFileException(file, path, "'" + text + "' is not one of " + String.join(" | ", allowed));
    }

    private int positiveInt(JsonNode node, String field, int dflt) throws FeedFileException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > Integer.MAX_VALUE) {
            throw new FeedFileException(file, field, "must be a positive whole number, not " + v);
        }
        return v.asInt();
    }

    private boolean bool(JsonNode node, String field, boolean dflt) throws FeedFileException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new FeedFileException(file, field, "must be true or false, not " + v);
        }
        return v.asBoolean();
    }

    /** The JSON form of a feed, as written by tools; the inverse of {@link #parse(Path, String)}. */
    public static ObjectNode toJson(FeedDefinition f) {
        ObjectNode o = JSON.createObjectNode();
        o.put("feed_name", f.name());
        o.put("feed_type", f.type().json());
        if (f.ksqldbSource() != null) {
            o.put("ksqldb_source", f.ksqldbSource());
        }
        o.put("source", f.source().json());
        if (f.source() != SourceKind.SQL && f.source() != SourceKind.JDBC) {
            o.put("kafka_topic", f.kafkaTopic());
        }
        o.put("description", f.description());
        ObjectNode p = o.putObject("partitioning");
        p.put("type", f.partitioning().type());
        f.partitioning().columns().forEach(p.putArray("columns")::add);
        if (f.partitioning().timestampField() != null) {
            p.put("timestamp_field", f.partitioning().timestampField());
        }
        o.put("storage_mode", f.storageMode());
        o.put("format", f.format());
        o.put("compression", f.compression().json());
        o.put("retention_days", f.retentionDays());
        o.put("retention_versions", f.retentionVersions());
        o.put("schedule", f.schedule());
        o.put("security_level", f.securityLevel().json());
        if (f.warehouse() != null) {
            ObjectNode w = o.putObject("warehouse");
            w.put("table", f.warehouse().table());
            f.warehouse().key().forEach(w.putArray("key")::add);
            w.put("topic", f.warehouse().topic());
            w.put("key_format", f.warehouse().keyFormat().json());
            if (f.warehouse().window() != null) {
                ObjectNode win = w.putObject("window");
                win.put("type", f.warehouse().window().type().json());
                if (f.warehouse().window().size() != null) {
                    win.put("size", Units.format(f.warehouse().window().size()));
                }
            }
        }
        if (f.archiveAfter() != null) {
            o.put("archive_after", f.archiveAfter());
        }
        o.put("enabled", f.enabled());
        if (f.sql() != null) {
            o.put("sql", f.sql());
        }
        if (f.jdbc() != null) {
            o.set("jdbc", f.jdbc().toJson());
        }
        if (!f.quality().isEmpty()) {
            o.set("quality", f.quality().toJson());
        }
        return o;
    }
}
