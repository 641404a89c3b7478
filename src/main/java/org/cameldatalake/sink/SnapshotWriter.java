package org.cameldatalake.sink;

import org.cameldatalake.metadata.ExportLog;
import org.cameldatalake.metadata.TableMetadata;
import org.cameldatalake.storage.LakeStorage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.schema.KsqlRowSchema;
import org.cameldatalake.ksqldb.KsqlDbException;
import org.cameldatalake.ksqldb.KsqlQueryResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a table feed's snapshots as {@code tables/<feed>/version=vN/snapshot_<ts>.parquet} (DESIGN.md §3):
 * the rows stream from the query response into a Parquet file inside {@code _temporary/}, and the whole version
 * directory is renamed into place only once the response ended completely. Anything less (an error element, a
 * dropped connection, a malformed line, a value that does not match its declared type) publishes nothing and leaves
 * the current version current, with the error in {@code _metadata.json}. Only the newest
 * {@code retention_versions} are kept, and never fewer than the current one.
 */
public final class SnapshotWriter implements FeedCounters {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotWriter.class);
    private static final long STALE_TEMPORARY_MILLIS = 60 * 60_000L;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC);

    private final FeedDefinition feed;
    private final LakeStorage storage;
    private final Clock clock;
    private final ExportLog exportLog;
    private final long rowGroupBytes;
    private final Path tableDir;
    private final Path metadataPath;
    private final java.util.concurrent.atomic.AtomicLong rowsPublished = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong versionsPublished = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong bytesPublished = new java.util.concurrent.atomic.AtomicLong();
    private volatile long lastPublishMillis = -1;
    private volatile long rowsStreamed;

    public SnapshotWriter(FeedDefinition feed, LakeStorage storage, Clock clock, ExportLog exportLog, long rowGroupBytes) {
        this.feed = feed;
        this.storage = storage;
        this.clock = clock;
        this.exportLog = exportLog;
        this.rowGroupBytes = rowGroupBytes;
        this.tableDir = storage.path("tables", feed.name());
        this.metadataPath = storage.path("tables", feed.name(), "_metadata.json");
    }

    @Override
    public long recordsLanded() {
        return rowsPublished.get();
    }

    /** A snapshot either publishes whole or not at all: no row is rejected on its own. */
    @Override
    public long recordsRejected() {
        return 0;
    }

    @Override
    public long filesPublished() {
        return versionsPublished.get();
    }

    @Override
    public long bytesPublished() {
        return bytesPublished.get();
    }

    @Override
    public long lastPublishMillis() {
        return lastPublishMillis;
    }

    /** Rows of the snapshot being written (or the last one), for progress; updated every 1,024 rows. */
    public long rowsStreamed() {
        return rowsStreamed;
    }

    public FeedDefinition feed() {
        return feed;
    }

    public record Snapshot(int version, long records, long bytes, String path) {
    }

    public synchronized TableMetadata metadata() throws IOException {
        return storage.exists(metadataPath) ? TableMetadata.parse(storage.read(metadataPath)) : new TableMetadata();
    }

    /** Streams a ksqlDB query response into a new version and makes it current; on any failure nothing is published. */
    public Snapshot write(KsqlQueryResponse response) throws IOException {
        KsqlQueryResponse.Header header = response.header();
        KsqlRowSchema schema = new KsqlRowSchema(feed.name(), header.columns());
        long now = clock.millis();
        return write(new SnapshotRows() {
            private long rows;

            @Override
            public org.apache.avro.Schema schema() {
                return schema.avro();
            }

            @Override
            public String columnsText() {
                return SnapshotWriter.columnsText(header);
            }

            @Override
            public String queryId() {
                return header.queryId();
            }

            @Override
            public GenericRecord next() throws IOException {
                JsonNode row = response.nextRow();
                if (row == null) {
                    return null;
                }
                rows++;
                try {
                    return schema.convert(row, now, feed.ksqldbSource());
                } catch (KsqlRowSchema.BadValue e) {
                    throw new KsqlDbException(0, "row " + rows + ": " + e.getMessage());
                }
            }
        });
    }

    /** Streams rows into a new version and makes it current; on any failure nothing is published. */
    public synchronized Snapshot write(SnapshotRows rows) throws IOException {
        TableMetadata meta = metadata();
        rowsStreamed = 0;
        Instant started = clock.instant();
        Path tmpDir = storage.path("tables", feed.name(), "_temporary", UUID.randomUUID().toString());
        String fileName = "snapshot_" + STAMP.format(started) + ".parquet";
        ParquetWriter<GenericRecord> writer = null;
        Path published = null; // the version directory, until the metadata makes it current
        try {
            writer = AvroParquetWriter.<GenericRecord>builder(storage.outputFile(new Path(tmpDir, fileName)))
                    .withSchema(rows.schema())
                    .withDataModel(GenericData.get())
                    .withConf(storage.conf())
                    .withCompressionCodec(codec(feed))
                    .withRowGroupSize(rowGroupBytes)
                    .withWriteMode(ParquetFileWriter.Mode.CREATE)
                    .build();
            long records = 0;
            GenericRecord row;
            while ((row = rows.next()) != null) {
                writer.write(row);
                records++;
                if ((records & 1023) == 0) {
                    rowsStreamed = records;
                }
            }
            rowsStreamed = records;
            writer.close();
            writer = null;
            long bytes = storage.fs().getFileStatus(new Path(tmpDir, fileName)).getLen();
            int version = Math.max(meta.highestVersion(), highestVersionOnDisk()) + 1;
            Path dest = storage.path("tables", feed.name(), "version=v" + version);
            storage.publish(tmpDir, dest); // the whole directory appears at once
            published = dest;
            storage.secure(new Path(dest, fileName), tableDir, feed.securityLevel());
            Instant at = clock.instant();
            meta.publish(new TableMetadata.Version(version, fileName, records, bytes, at.toString(), rows.queryId(),
                    rows.columnsText()));
            List<Integer> pruned = prune(meta); // from metadata first: readers never follow it to a deleted directory
            write(meta);
            published = null;
            rowsPublished.addAndGet(records);
            versionsPublished.incrementAndGet();
            bytesPublished.addAndGet(bytes);
            lastPublishMillis = at.toEpochMilli();
            for (int v : pruned) {
                storage.delete(storage.path("tables", feed.name(), "version=v" + v), true);
            }
            ObjectNode log = exportLog.line(feed.name(), "snapshot");
            log.put("path", storage.relative(dest));
            log.put("version", version);
            log.put("records", records);
            log.put("bytes", bytes);
            log.put("query_id", rows.queryId());
            exportLog.write(log);
            if (!pruned.isEmpty()) {
                ObjectNode p = exportLog.line(feed.name(), "retention");
                pruned.forEach(p.putArray("versions_deleted")::add);
                exportLog.write(p);
            }
            LOG.info("{}: snapshot {} published ({} rows, {} KB){}", feed.name(), storage.relative(dest), records,
                    bytes / 1024, pruned.isEmpty() ? "" : "; versions " + pruned + " deleted (retention "
                            + feed.retentionVersions() + ")");
            return new Snapshot(version, records, bytes, storage.relative(dest));
        } catch (IOException | RuntimeException e) {
            if (writer != null) {
                try {
                    writer.close();
                } catch (IOException | RuntimeException ignored) {
                    // deleted below
                }
            }
            try {
                if (published != null) {
                    // the metadata still names the previous version: a version it never listed would never be pruned
                    storage.delete(published, true);
                }
                storage.delete(tmpDir, true);
            } catch (IOException ignored) {
                // a leftover under _temporary/ is invisible to readers and removed by the next start
            }
            throw e; // the caller records the failure with its full reason (recordFailure)
        }
    }

    /** Clears what a crashed run left: temporary snapshot directories and metadata temp files. */
    public synchronized void start() throws IOException {
        storage.mkdirs(tableDir);
        // another process (the service, an export) may be taking a snapshot: only clear what is clearly abandoned
        long cutoff = clock.millis() - STALE_TEMPORARY_MILLIS;
        for (FileStatus tmp : storage.list(storage.path("tables", feed.name(), "_temporary"))) {
            long newest = tmp.getModificationTime();
            for (FileStatus f : storage.listFiles(tmp.getPath())) {
                newest = Math.max(newest, f.getModificationTime());
            }
            if (newest < cutoff) {
                storage.delete(tmp.getPath(), true);
            }
        }
        storage.removeLeftoverTempFiles(tableDir, false);
        if (!storage.exists(metadataPath)) {
            write(new TableMetadata());
        }
    }

    /**
     * Records a failed export (ksqlDB unreachable, error, timeout, dropped or malformed response) after its last
     * attempt, in the log, {@code _metadata.json} and the export log; the current version stays.
     */
    public synchronized void recordFailure(Exception e, int attempts) {
        TableMetadata meta;
        try {
            meta = metadata();
        } catch (IOException io) {
            LOG.warn("{}: could not record the failure: {}", feed.name(), io.toString());
            return;
        }
        String at = clock.instant().toString();
        String message = "snapshot failed" + (attempts > 1 ? " after " + attempts + " attempts" : "") + ", version "
                + (meta.currentVersion() == 0 ? "(none)" : "v" + meta.currentVersion()) + " stays current: " + e.getMessage();
        LOG.warn("{}: {}", feed.name(), message);
        meta.setLastError(at, at + " " + message);
        try {
            write(meta);
        } catch (IOException io) {
            LOG.warn("{}: could not record the failure: {}", feed.name(), io.toString());
        }
        ObjectNode log = exportLog.line(feed.name(), "snapshot_failed");
        log.put("error", e.getMessage());
        log.put("attempts", attempts);
        exportLog.write(log);
    }

    /** Records a maintenance action (archiving, permissions) in {@code _metadata.json}. */
    public synchronized void annotate(String key, JsonNode value) throws IOException {
        TableMetadata meta = metadata();
        meta.annotate(key, value);
        write(meta);
    }

    /** Keeps the newest {@code retention_versions} (and always the current one); returns the versions deleted. */
    public synchronized List<Integer> applyRetention(boolean dryRun) throws IOException {
        TableMetadata meta = metadata();
        List<Integer> pruned = prune(meta);
        if (!dryRun && !pruned.isEmpty()) {
            write(meta);
            for (int v : pruned) {
                storage.delete(storage.path("tables", feed.name(), "version=v" + v), true);
            }
            ObjectNode p = exportLog.line(feed.name(), "retention");
            p.put("retention_versions", feed.retentionVersions());
            pruned.forEach(p.putArray("versions_deleted")::add);
            exportLog.write(p);
            LOG.info("{}: retention deleted versions {}", feed.name(), pruned);
        }
        return pruned;
    }

    /** Makes an existing version current again; newer versions are kept, and the metadata says so. */
    public synchronized void rollback(int version) throws IOException {
        TableMetadata meta = metadata();
        if (meta.version(version) == null || !storage.exists(storage.path("tables", feed.name(), "version=v" + version))) {
            throw new IllegalArgumentException("table " + feed.name() + " has no version v" + version + " (versions: "
                    + meta.versions().stream().map(v -> "v" + v.version()).toList() + ")");
        }
        int from = meta.currentVersion();
        meta.rollBack(version, clock.instant().toString());
        write(meta);
        ObjectNode log = exportLog.line(feed.name(), "rollback");
        log.put("from_version", from);
        log.put("to_version", version);
        exportLog.write(log);
        LOG.info("{}: rolled back from v{} to v{}", feed.name(), from, version);
    }

    /** Takes the versions beyond retention out of the metadata; the caller deletes their directories afterwards. */
    private List<Integer> prune(TableMetadata meta) {
        List<TableMetadata.Version> all = new ArrayList<>(meta.versions());
        all.sort(Comparator.comparingInt(TableMetadata.Version::version).reversed());
        List<Integer> deleted = new ArrayList<>();
        for (int i = feed.retentionVersions(); i < all.size(); i++) {
            int v = all.get(i).version();
            if (v == meta.currentVersion()) {
                continue; // a rolled-back current version is never deleted
            }
            meta.remove(v);
            deleted.add(v);
        }
        return deleted;
    }

    private int highestVersionOnDisk() throws IOException {
        int max = 0;
        for (FileStatus s : storage.list(tableDir)) {
            String n = s.getPath().getName();
            if (s.isDirectory() && n.matches("version=v\\d+")) {
                max = Math.max(max, Integer.parseInt(n.substring(9)));
            }
        }
        return max;
    }

    private void write(TableMetadata meta) throws IOException {
        storage.writeAtomically(metadataPath, meta.toJson(feed));
        storage.secure(metadataPath, tableDir, feed.securityLevel());
    }

    private static String columnsText(KsqlQueryResponse.Header h) {
        List<String> cols = new ArrayList<>();
        h.columns().forEach(c -> cols.add("`" + c.name() + "` " + c.type() + (c.key() ? " KEY" : "")));
        return String.join(", ", cols);
    }

    static CompressionCodecName codec(FeedDefinition feed) {
        return switch (feed.compression()) {
            case SNAPPY -> CompressionCodecName.SNAPPY;
            case ZSTD -> CompressionCodecName.ZSTD;
            case GZIP -> CompressionCodecName.GZIP;
            case NONE -> CompressionCodecName.UNCOMPRESSED;
        };
    }
}
