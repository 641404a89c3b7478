package org.cameldatalake.warehouse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.partition.LakeLayout;
import org.cameldatalake.storage.Storage;
import org.cameldatalake.metadata.ExportLog;
import org.cameldatalake.sink.RejectedRecords;
import org.cameldatalake.decode.SourceRecord;
import org.cameldatalake.schema.FeedSchema;

/**
 * Loads a stream feed's Parquet files into a warehouse table (seed 004's sqlite_loader), idempotently. Rows are
 * upserted by the feed's {@code warehouse.key}; else by their Kafka position ({@code _source}, {@code _kafka_partition},
 * {@code _kafka_offset}), or, for ksqlDB stream feeds, which have none, by their place in the lake ({@value #LAKE_FILE},
 * the file's path in the feed's folder, and {@value #LAKE_ROW}, the row's index in it, both added as columns). What the
 * database refuses is narrowed down to the row ({@link IsolatingWriter}); a row that cannot be written goes to
 * {@code _rejected/<feed>/} with the reason. A file is recorded in {@value #LOADED_FILES}, so that a second run skips
 * it, only once each of its rows is written or rejected. Nested records and arrays become JSON text. Every file is
 * checked to hold the key's columns before anything is written.
 */
public final class LakeLoader {
    public static final String LOADED_FILES = "datalake_loaded_files";
    public static final String LAKE_FILE = "_lake_file";
    public static final String LAKE_ROW = "_lake_row";
    private static final List<String> POSITION_KEY = List.of(FeedSchema.SOURCE, FeedSchema.KAFKA_PARTITION, FeedSchema.KAFKA_OFFSET);
    private static final List<String> LAKE_KEY = List.of(LAKE_FILE, LAKE_ROW);
    private static final int CHUNK = 5000;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Warehouse warehouse;
    private final Storage storage;
    private final ExportLog exportLog;
    private final Clock clock;
    private final ZoneId zone;

    /** {@code rejected}: rows not loaded (in {@code _rejected/<feed>/}), and the first one's reason. */
    public record Result(String table, int filesLoaded, int filesSkipped, long rows, long rejected, String firstRejection) {
    }

    public LakeLoader(Warehouse warehouse, Storage storage, ExportLog exportLog, Clock clock, ZoneId zone) {
        this.warehouse = warehouse;
        this.storage = storage;
        this.exportLog = exportLog;
        this.clock = clock;
        this.zone = zone;
    }

    public static String table(FeedDefinition feed) {
        return feed.warehouse() != null ? feed.warehouse().table() : feed.name();
    }

    public static List<String> key(FeedDefinition feed) {
        return feed.warehouse() != null ? feed.warehouse().key() : feed.isKsqldbStream() ? LAKE_KEY : POSITION_KEY;
    }

    public Result load(FeedDefinition feed) throws IOException, SQLException {
        if (feed.type() != FeedDefinition.FeedType.STREAM) {
            throw new IllegalArgumentException(feed.name() + " is a " + feed.type().json() + " feed; only stream feeds are loaded");
        }
        List<String> key = key(feed);
        IsolatingWriter rows = new IsolatingWriter(warehouse, new TableWriter(warehouse.dialect(), table(feed), key));
        TableWriter bookkeeping = new TableWriter(warehouse.dialect(), LOADED_FILES, List.of("feed", "path"));
        Path feedDir = new LakeLayout(storage).streamDir(feed.name());
        Set<String> done;
        try (Connection c = warehouse.open()) {
            done = loadedFiles(c, bookkeeping, feed.name());
        }
        List<Path> todo = new ArrayList<>();
        int skipped = 0;
        for (FileStatus f : storage.listFiles(feedDir)) {
            Path p = f.getPath();
            if (p.getName().endsWith(".parquet") && !p.toString().contains("/_temporary/")) {
                if (done.contains(storage.relative(p))) {
                    skipped++;
                } else {
                    todo.add(p);
                }
            }
        }
        todo.sort(null);
        for (Path file : todo) {
            checkKey(feed, file, key); // before anything is written or recorded
        }
        Tally tally = new Tally();
        for (Path file : todo) {
            String relative = storage.relative(file);
            String inFeed = relative.substring(storage.relative(feedDir).length() + 1);
            FileLoad load = new FileLoad(feed, inFeed, key);
            try (ParquetReader<GenericRecord> reader = AvroParquetReader
                    .<GenericRecord>builder(HadoopInputFile.fromPath(file, storage.conf()))
                    .withDataModel(GenericData.get()).build()) {
                List<TableWriter.Row> chunk = new ArrayList<>(CHUNK);
                for (GenericRecord r = reader.read(); r != null; r = reader.read()) {
                    chunk.add(load.row(r));
                    if (chunk.size() == CHUNK) {
                        load.written(rows.write(chunk));
                        chunk.clear();
                    }
                }
                load.written(rows.write(chunk));
            }
            load.publishRejected(file.getName());
            Map<String, JsonNode> fileKey = new LinkedHashMap<>();
            fileKey.put("feed", NODES.textNode(feed.name()));
            fileKey.put("path", NODES.textNode(relative));
            Map<String, JsonNode> fileValues = new LinkedHashMap<>();
            fileValues.put("records", NODES.numberNode(load.records));
            fileValues.put("rejected", NODES.numberNode(load.rejected.size()));
            fileValues.put("loaded_at", NODES.textNode(Instant.now(clock).toString()));
            TableWriter.Result recorded = new IsolatingWriter(warehouse, bookkeeping).write(List.of(new TableWriter.Row(fileKey, fileValues)));
            if (!recorded.rejected().isEmpty()) {
                throw new SQLException("could not record " + relative + " as loaded: " + recorded.rejected().get(0).reason());
            }
            tally.add(load);
        }
        return new Result(table(feed), todo.size(), skipped, tally.rows, tally.rejected, tally.firstRejection);
    }

    /** Refuses a file that lacks a column of the key: every row of it would be rejected, the file recorded for nothing. */
    private void checkKey(FeedDefinition feed, Path file, List<String> key) throws IOException {
        Set<String> columns = new HashSet<>();
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(file, storage.conf()))) {
            reader.getFooter().getFileMetaData().getSchema().getFields().forEach(f -> columns.add(f.getName()));
        }
        for (String k : key) {
            if (!LAKE_KEY.contains(k) && !columns.contains(k)) {
                throw new IllegalArgumentException(storage.relative(file) + " has no column " + k + " of the key " + key
                        + (feed.warehouse() != null ? " (warehouse.key)" : "") + "; nothing was loaded");
            }
        }
    }

    /** One file being loaded: its rows, and those rejected with their reasons. */
    private final class FileLoad {
        private final FeedDefinition feed;
        private final String inFeed;
        private final List<String> key;
        private final Map<TableWriter.Row, Long> index = new IdentityHashMap<>();
        private final List<TableWriter.Rejected> rejected = new ArrayList<>();
        private long records;
        private long written;

        FileLoad(FeedDefinition feed, String inFeed, List<String> key) {
            this.feed = feed;
            this.inFeed = inFeed;
            this.key = key;
        }

        TableWriter.Row row(GenericRecord r) {
            Map<String, JsonNode> keyColumns = new LinkedHashMap<>();
            Map<String, JsonNode> values = new LinkedHashMap<>();
            for (Schema.Field f : r.getSchema().getFields()) {
                (key.contains(f.name()) ? keyColumns : values).put(f.name(), json(r.get(f.pos())));
            }
            if (key.equals(LAKE_KEY)) {
                keyColumns.put(LAKE_FILE, NODES.textNode(inFeed));
                keyColumns.put(LAKE_ROW, NODES.numberNode(records));
            }
            TableWriter.Row row = new TableWriter.Row(keyColumns, values);
            index.put(row, records++);
            return row;
        }

        void written(TableWriter.Result r) {
            written += r.upserted();
            rejected.addAll(r.rejected());
        }

        /** Publishes the rejected rows of the file to {@code _rejected/<feed>/}. */
        void publishRejected(String fileName) throws IOException {
            if (rejected.isEmpty()) {
                return;
            }
            Instant at = clock.instant();
            List<String> lines = new ArrayList<>();
            long first = Long.MAX_VALUE;
            long last = -1;
            String topic = null;
            int partition = -1;
            for (TableWriter.Rejected x : rejected) {
                ObjectNode value = NODES.objectNode();
                x.row().values().forEach(value::set);
                x.row().key().forEach(value::set);
                long offset = value.path(FeedSchema.KAFKA_OFFSET).canConvertToLong() ? value.path(FeedSchema.KAFKA_OFFSET).asLong()
                        : index.get(x.row());
                topic = topic == null ? value.path(FeedSchema.SOURCE).asText(feed.name()) : topic;
                partition = value.path(FeedSchema.KAFKA_PARTITION).asInt(partition);
                lines.add(RejectedRecords.line(at, feed.name(), new SourceRecord(value.path(FeedSchema.SOURCE).asText(feed.name()),
                        value.path(FeedSchema.KAFKA_PARTITION).asInt(-1), offset, -1, null,
                        value.toString().getBytes(StandardCharsets.UTF_8)),
                        "warehouse load of " + inFeed + ", row " + index.get(x.row()) + ": " + x.reason()));
                first = Math.min(first, offset);
                last = Math.max(last, offset);
            }
            String name = "warehouse_load_rejected_" + java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss")
                    .withZone(java.time.ZoneOffset.UTC).format(at) + "_" + fileName.replaceAll("\\.parquet$", ".jsonl");
            RejectedRecords.publish(storage, exportLog, feed, zone, at, name, topic, partition, first, last, lines);
        }
    }

    private static final class Tally {
        long rows;
        long rejected;
        String firstRejection;

        void add(FileLoad load) {
            rows += load.written;
            rejected += load.rejected.size();
            if (firstRejection == null && !load.rejected.isEmpty()) {
                firstRejection = load.rejected.get(0).reason();
            }
        }
    }

    private Set<String> loadedFiles(Connection c, TableWriter bookkeeping, String feed) throws SQLException {
        Set<String> out = new HashSet<>();
        if (bookkeeping.columns(c).isEmpty()) {
            return out;
        }
        SqlDialect d = warehouse.dialect();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + d.quote("path") + " FROM " + d.quote(LOADED_FILES)
                + " WHERE " + d.quote("feed") + " = ?")) {
            ps.setString(1, feed);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** An Avro value as JSON: records and maps as objects, arrays as arrays, bytes as base64, timestamps as epoch ms. */
    static JsonNode json(Object v) {
        if (v == null) {
            return NODES.nullNode();
        }
        if (v instanceof GenericRecord rec) {
            ObjectNode o = NODES.objectNode();
            rec.getSchema().getFields().forEach(f -> o.set(f.name(), json(rec.get(f.pos()))));
            return o;
        }
        if (v instanceof Map<?, ?> m) {
            ObjectNode o = NODES.objectNode();
            m.forEach((k, x) -> o.set(String.valueOf(k), json(x)));
            return o;
        }
        if (v instanceof Collection<?> c) {
            ArrayNode a = NODES.arrayNode();
            c.forEach(x -> a.add(json(x)));
            return a;
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short) {
            return NODES.numberNode(((Number) v).longValue());
        }
        if (v instanceof Float || v instanceof Double) {
            return NODES.numberNode(((Number) v).doubleValue());
        }
        if (v instanceof java.math.BigDecimal d) {
            return NODES.numberNode(d);
        }
        if (v instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (v instanceof ByteBuffer bb) {
            byte[] bytes = new byte[bb.remaining()];
            bb.duplicate().get(bytes);
            return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
        }
        if (v instanceof GenericData.Fixed fixed) {
            return NODES.textNode(Base64.getEncoder().encodeToString(fixed.bytes()));
        }
        return NODES.textNode(v.toString()); // strings (Utf8), enums
    }
}
