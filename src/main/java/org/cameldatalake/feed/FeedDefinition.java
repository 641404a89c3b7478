package org.cameldatalake.feed;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.cameldatalake.quality.QualityRules;

/**
 * One feed, as declared by a JSON file in {@code feeds/active/} (DESIGN.md §2), with every default applied.
 * Instances are only made by {@link FeedFileParser}, which validates every field. {@code sql} is set for SQL
 * feeds only, {@code jdbc} for feeds reading a database table only.
 */
public record FeedDefinition(
        Path file,
        String name,
        FeedType type,
        SourceKind source,
        String ksqldbSource,
        String kafkaTopic,
        String description,
        Partitioning partitioning,
        String storageMode,
        String format,
        Compression compression,
        int retentionDays,
        int retentionVersions,
        String schedule,
        SecurityLevel securityLevel,
        Warehouse warehouse,
        Rotation rotation,
        String archiveAfter,
        boolean enabled,
        String sql,
        QualityRules quality,
        JdbcSource jdbc) {

    public enum FeedType {
        STREAM, TABLE;

        public String dir() {
            return this == STREAM ? "streams" : "tables";
        }

        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Where a feed's rows come from: a Kafka topic, ksqlDB's HTTP API, a SQL query over the lake's own feeds, or a
     * database table.
     */
    public enum SourceKind {
        KAFKA, KSQLDB, SQL, JDBC;

        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Compression {
        SNAPPY, ZSTD, GZIP, NONE;

        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Who may read a feed's files: raw data is restricted, anonymised data and aggregates public (seed 000). */
    public enum SecurityLevel {
        RESTRICTED((short) 0750, (short) 0640), PUBLIC((short) 0755, (short) 0644);

        private final short dirMode;
        private final short fileMode;

        SecurityLevel(short dirMode, short fileMode) {
            this.dirMode = dirMode;
            this.fileMode = fileMode;
        }

        public short dirMode() {
            return dirMode;
        }

        public short fileMode() {
            return fileMode;
        }

        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code timestampField} is null when the record's Kafka timestamp decides the date partition. */
    public record Partitioning(String type, List<String> columns, String timestampField) {
    }

    /**
     * The warehouse table a feed's table changelog is mirrored into: its Kafka {@code topic}, how the record key is
     * serialized ({@code keyFormat}) and, for windowed tables, the window whose bounds end the key bytes.
     */
    public record Warehouse(String table, List<String> key, String topic, KeyFormat keyFormat, Window window) {
        public static final String WINDOW_START = "WINDOW_START";
        public static final String WINDOW_END = "WINDOW_END";

        /** The key columns held in the key bytes before any window suffix. */
        public List<String> innerKey() {
            return key.stream().filter(k -> !k.equals(WINDOW_START) && !k.equals(WINDOW_END)).toList();
        }
    }

    /** ksqlDB's KEY_FORMAT: JSON (single column unwrapped, several an object), or KAFKA primitives. */
    public enum KeyFormat {
        JSON, KAFKA, KAFKA_INT, KAFKA_BIGINT;

        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code size} is null for session windows, whose key holds both bounds. */
    public record Window(WindowType type, java.time.Duration size) {
    }

    public enum WindowType {
        TUMBLING, HOPPING, SESSION;

        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Per-feed overrides of the global rotation limits; null members mean "use the global setting". */
    public record Rotation(Long maxRecords, Long maxBytes, java.time.Duration maxAge, java.time.Duration maxIdle) {
        public static final Rotation NONE = new Rotation(null, null, null, null);
    }

    public String routeId() {
        return "feed-" + name;
    }

    /** Consumer group of a Kafka feed: one per feed, so feeds never share offsets. */
    public String consumerGroup() {
        return "camel-datalake-" + name;
    }

    public boolean isKsqldbTable() {
        return type == FeedType.TABLE && source == SourceKind.KSQLDB;
    }

    /** A table feed whose versions are the answers of its {@code sql} over the lake's feeds. */
    public boolean isSqlTable() {
        return type == FeedType.TABLE && source == SourceKind.SQL;
    }

    /** What the feed reads, as metadata and reports name it: the Kafka topic, the ksqlDB source or the SQL query. */
    public String sourceName() {
        return switch (source) {
            case KAFKA -> kafkaTopic;
            case KSQLDB -> ksqldbSource;
            case SQL -> sql;
            case JDBC -> jdbc.table();
        };
    }

    /** A feed reading a database table: incrementally (a stream) or whole (a table). */
    public boolean isJdbc() {
        return source == SourceKind.JDBC;
    }

    public boolean isJdbcStream() {
        return type == FeedType.STREAM && source == SourceKind.JDBC;
    }

    public boolean isJdbcTable() {
        return type == FeedType.TABLE && source == SourceKind.JDBC;
    }

    public boolean isKsqldbStream() {
        return type == FeedType.STREAM && source == SourceKind.KSQLDB;
    }

    /** Route id of the feed's changelog-to-warehouse route. */
    public String warehouseRouteId() {
        return "warehouse-" + name;
    }

    public String warehouseConsumerGroup() {
        return "camel-datalake-warehouse-" + name;
    }

    public boolean isKafkaStream() {
        return type == FeedType.STREAM && source == SourceKind.KAFKA;
    }
}
