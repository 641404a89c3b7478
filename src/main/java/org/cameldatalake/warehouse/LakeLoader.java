package org.cameldatalake.warehouse;

import org.cameldatalake.partition.LakeLayout;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.Schema;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.storage.Storage;
import org.cameldatalake.schema.FeedSchema;

/**
 * Loads a stream feed's Parquet files into a warehouse table (seed 004's sqlite_loader), idempotently: rows are
 * upserted by the feed's {@code warehouse.key}, or by their Kafka position ({@code _source}, {@code _kafka_partition},
 * {@code _kafka_offset}), and every file loaded is recorded in {@value #LOADED_FILES} in the same transaction as its
 * rows, so a second run skips it. Nested records and arrays become JSON text.
 */
public final class LakeLoader {
    public static final String LOADED_FILES = "datalake_loaded_files";
    private static final List<String> POSITION_KEY = List.of(FeedSchema.SOURCE, FeedSchema.KAFKA_PARTITION, FeedSchema.KAFKA_OFFSET);
    private static final int CHUNK = 5000;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Warehouse warehouse;
    private final Storage storage;

    public record Result(String table, int filesLoaded, int filesSkipped, long rows, long rejected, String firstRejection) {
    }

    public LakeLoader(Warehouse warehouse, Storage storage) {
        this.warehouse = warehouse;
        this.storage = storage;
    }

    public static String table(FeedDefinition feed) {
        return feed.warehouse() != null ? feed.warehouse().table() : feed.name();
    }

    public static List<String> key(FeedDefinition feed) {
        return feed.warehouse() != null ? feed.warehouse().key() : POSITION_KEY;
    }

    public Result load(FeedDefinition feed) throws IOException, SQLException {
        if (feed.type() != FeedDefinition.FeedType.STREAM) {
            throw new IllegalArgumentException(feed.name() + " is a " + feed.type().json() + " feed; only stream feeds are loaded");
        }
        List<String> key = key(feed);
        TableWriter rows = new TableWriter(warehouse.dialect(), table(feed), key);
        TableWriter bookkeeping = new TableWriter(warehouse.dialect(), LOADED_FILES, List.of("feed", "path"));
        List<Path> files = storage.listFiles(new LakeLayout(storage).streamDir(feed.name())).stream()
                .map(FileStatus::getPath)
                .filter(p -> p.getName().endsWith(".parquet") && !p.toString().contains("/_temporary/"))
                .sorted()
                .toList();
        int loaded = 0;
        int skipped = 0;
        Tally tally = new Tally();
        try (Connection c = warehouse.open()) {
            Set<String> done = loadedFiles(c, bookkeeping, feed.name());
            for (Path file : files) {
                String relative = storage.relative(file);
                if (done.contains(relative)) {
                    skipped++;
                    continue;
                }
                c.setAutoCommit(false);
                try {
                    long records = 0;
                    try (ParquetReader<GenericRecord> reader = AvroParquetReader
                            .<GenericRecord>builder(HadoopInputFile.fromPath(file, storage.conf()))
                            .withDataModel(GenericData.get()).build()) {
                        List<TableWriter.Row> chunk = new ArrayList<>(CHUNK);
                        for (GenericRecord r = reader.read(); r != null; r = reader.read()) {
                            chunk.add(row(r, key));
                            records++;
                            if (chunk.size() == CHUNK) {
                                tally.add(rows.apply(c, chunk));
                                chunk.clear();
                            }
                        }
                        if (!chunk.isEmpty()) {
                            tally.add(rows.apply(c, chunk));
                        }
                    }
                    Map<String, JsonNode> fileKey = new LinkedHashMap<>();
                    fileKey.put("feed", NODES.textNode(feed.name()));
                    fileKey.put("path", NODES.textNode(relative));
                    Map<String, JsonNode> fileValues = new LinkedHashMap<>();
                    fileValues.put("records", NODES.numberNode(records));
                    fileValues.put("loaded_at", NODES.textNode(Instant.now().toString()));
                    bookkeeping.apply(c, List.of(new TableWriter.Row(fileKey, fileValues)));
                    c.commit();
                    loaded++;
                } catch (IOException | SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            }
        }
        return new Result(table(feed), loaded, skipped, tally.rows, tally.rejected, tally.firstRejection);
    }

    private static final class Tally {
        long rows;
        long rejected;
        String firstRejection;

        void add(TableWriter.Result r) {
            rows += r.upserted();
            rejected += r.rejected().size();
            if (firstRejection == null && !r.rejected().isEmpty()) {
                firstRejection = r.rejected().get(0).reason();
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

    private static TableWriter.Row row(GenericRecord r, List<String> key) {
        Map<String, JsonNode> keyColumns = new LinkedHashMap<>();
        Map<String, JsonNode> values = new LinkedHashMap<>();
        for (Schema.Field f : r.getSchema().getFields()) {
            JsonNode v = json(r.get(f.pos()));
            (key.contains(f.name()) ? keyColumns : values).put(f.name(), v);
        }
        return new TableWriter.Row(keyColumns, values);
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
