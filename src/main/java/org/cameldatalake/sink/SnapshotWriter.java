package org.cameldatalake.sink;

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
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.format.ParquetFormat;
import org.cameldatalake.format.RecordFormat;
import org.cameldatalake.metadata.ExportLog;
import org.cameldatalake.metadata.TableMetadata;
import org.cameldatalake.partition.LakeLayout;
import org.cameldatalake.quality.QualityChecker;
import org.cameldatalake.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a table feed's snapshots as {@code tables/<feed>/version=vN/snapshot_<ts>.parquet} (DESIGN.md §3):
 * the rows stream from their source into a new file of the store, which appears whole in its version folder only once
 * the source ended completely (a rename on a local disk, one upload on an object store), and the version becomes
 * current when {@code _metadata.json} names it: the metadata is the commit, and every reader goes by it.
 * Anything less (an error element, a dropped connection, a malformed line, a value that does not match its declared
 * type) publishes nothing and leaves the current version current, with the error in {@code _metadata.json}. Only the newest
 * {@code retention_versions} are kept, and never fewer than the current one. A row that breaks one of the feed's
 * quality rules stays out of the version and goes to {@code _rejected/} with it ({@link SnapshotQuality}).
 */
public final class SnapshotWriter implements FeedCounters {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotWriter.class);
    private static final long STALE_TEMPORARY_MILLIS = 60 * 60_000L;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC);

    private final FeedDefinition feed;
    private final Storage storage;
    private final LakeLayout layout;
    private final RecordFormat format;
    private final Clock clock;
    private final ExportLog exportLog;
    private final Path tableDir;
    private final Path metadataPath;
    private final QualityChecker quality;
    private final java.util.concurrent.atomic.AtomicLong rowsPublished = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong versionsPublished = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong bytesPublished = new java.util.concurrent.atomic.AtomicLong();
    private volatile long lastPublishMillis = -1;
    private volatile long rowsStreamed;

    public SnapshotWriter(FeedDefinition feed, Storage storage, Clock clock, ExportLog exportLog, long rowGroupBytes) {
        this.feed = feed;
        this.storage = storage;
        this.layout = new LakeLayout(storage);
        this.format = new ParquetFormat(storage.conf(), rowGroupBytes);
        this.clock = clock;
        this.exportLog = exportLog;
        this.tableDir = layout.tableDir(feed.name());
        this.metadataPath = layout.metadata(FeedDefinition.FeedType.TABLE, feed.name());
        this.quality = new QualityChecker(feed.quality());
    }

    @Override
    public long recordsLanded() {
        return rowsPublished.get();
    }

    /** Rows of the published versions that broke a quality rule (no other row is rejected on its own). */
    @Override
    public long recordsRejected() {
        return quality.rejectedByRule().values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public java.util.Map<String, Long> qualityRejected() {
        return quality.rejectedByRule();
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

    /** Rows read for the snapshot being written (or the last one), for progress; updated every 1,024 rows. */
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

    /** Streams rows into a new version and makes it current; on any failure nothing is published. */
    public synchronized Snapshot write(SnapshotRows rows) throws IOException {
        TableMetadata meta = metadata();
        rowsStreamed = 0;
        Instant started = clock.instant();
        String fileName = "snapshot_" + STAMP.format(clock.instant()) + "." + format.extension();
        Storage.PendingFile out = storage.create(tableDir);
        Path published = null; // the version, until the metadata makes it current
        Path rejectedFile = null; // its rejected rows, likewise
        SnapshotQuality checks = null;
        try {
            checks = SnapshotQuality.start(feed, quality, storage, rows.schema());
            long records = 0;
            long read = 0;
            try (RecordFormat.RecordFileWriter writer = format.open(out, rows.schema(), feed.compression())) {
                GenericRecord row;
                while ((row = rows.next()) != null) {
                    read++;
                    if (checks.accept(row, read, started)) {
                        writer.write(row);
                        records++;
                    }
                    if ((read & 1023) == 0) {
                        rowsStreamed = read;
                    }
                }
            }
            rowsStreamed = read;
            int version = Math.max(meta.highestVersion(), highestVersionOnDisk()) + 1;
            Path dest = new Path(layout.versionDir(feed.name(), version), fileName);
            long bytes = out.commit(dest); // its one file appears whole; the metadata makes it current
            published = dest.getParent();
            storage.secure(dest, tableDir, feed.securityLevel().fileMode(), feed.securityLevel().dirMode());
            Instant at = clock.instant();
            rejectedFile = checks.publish(version, exportLog, at);
            meta.publish(new TableMetadata.Version(version, fileName, records, bytes, at.toString(), rows.queryId(),
                    rows.columnsText(), checks.rejectedByRule()));
            List<Integer> pruned = prune(meta); // from metadata first: readers never follow it to a deleted version
            write(meta);
            published = null;
            rejectedFile = null;
            checks.commit();
            rowsPublished.addAndGet(records);
            versionsPublished.incrementAndGet();
            bytesPublished.addAndGet(bytes);
            lastPublishMillis = at.toEpochMilli();
            for (int v : pruned) {
                storage.delete(layout.versionDir(feed.name(), v), true);
            }
            ObjectNode log = exportLog.line(feed.name(), "snapshot");
            log.put("path", storage.relative(dest.getParent()));
            log.put("version", version);
            log.put("records", records);
            log.put("bytes", bytes);
            log.put("query_id", rows.queryId());
            log.put("rejected", checks.rejected());
            exportLog.write(log);
            if (!pruned.isEmpty()) {
                ObjectNode p = exportLog.line(feed.name(), "retention");
                pruned.forEach(p.putArray("versions_deleted")::add);
                exportLog.write(p);
            }
            LOG.info("{}: snapshot {} published ({} rows, {} KB){}{}", feed.name(), storage.relative(dest.getParent()),
                    records, bytes / 1024, checks.rejected() == 0 ? "" : "; " + checks.rejected()
                            + " rows broke quality rules " + checks.rejectedByRule() + ", see _rejected/" + feed.name(),
                    pruned.isEmpty() ? "" : "; versions " + pruned + " deleted (retention " + feed.retentionVersions() + ")");
            return new Snapshot(version, records, bytes, storage.relative(dest.getParent()));
        } catch (IOException | RuntimeException e) {
            out.abort();
            if (checks != null) {
                checks.discard();
            }
            try {
                if (published != null) {
                    // the metadata still names the previous version: a version it never listed would never be pruned
                    storage.delete(published, true);
                }
                if (rejectedFile != null) {
                    storage.delete(rejectedFile, false);
                }
            } catch (IOException ignored) {
                // not in the metadata, so no reader follows it; the next start removes a version left behind
            }
            throw e; // the caller records the failure with its full reason (recordFailure)
        }
    }

    /** Clears what a crashed run left: temporary files, metadata temp files, versions the metadata never listed. */
    public synchronized void start() throws IOException {
        storage.mkdirs(tableDir);
        // another process (the service, an export) may be taking a snapshot: only clear what is clearly abandoned
        storage.removeAbandoned(tableDir, STALE_TEMPORARY_MILLIS);
        storage.removeAbandoned(layout.rejectedDir(feed.name()), STALE_TEMPORARY_MILLIS);
        if (!storage.exists(metadataPath)) {
            write(new TableMetadata());
        }
        TableMetadata meta = metadata();
        long cutoff = clock.millis() - STALE_TEMPORARY_MILLIS;
        for (FileStatus s : storage.list(tableDir)) {
            Integer v = layout.versionOf(s.getPath());
            if (v != null && v > meta.highestVersion() && s.getModificationTime() < cutoff) {
                LOG.info("{}: {} was never made current (a run stopped before its metadata); deleted", feed.name(),
                        storage.relative(s.getPath()));
                storage.delete(s.getPath(), true);
            }
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
                storage.delete(layout.versionDir(feed.name(), v), true);
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
        if (meta.version(version) == null || !storage.exists(layout.versionDir(feed.name(), version))) {
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
            Integer v = layout.versionOf(s.getPath());
            max = v == null ? max : Math.max(max, v);
        }
        return max;
    }

    private void write(TableMetadata meta) throws IOException {
        storage.replace(metadataPath, meta.toJson(feed));
        storage.secure(metadataPath, tableDir, feed.securityLevel().fileMode(), feed.securityLevel().dirMode());
    }
}
