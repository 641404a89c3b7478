package org.cameldatalake.sink;

import org.cameldatalake.decode.SourceRecord;
import org.cameldatalake.kafka.AppendPipeline;
import org.cameldatalake.kafka.KafkaBatchLander;
import org.cameldatalake.metadata.ExportLog;
import org.cameldatalake.metadata.StreamMetadata;
import org.cameldatalake.partition.DatePartitioner;
import org.cameldatalake.partition.StreamFileName;
import org.cameldatalake.storage.LakeStorage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.common.TopicPartition;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.schema.DoesNotFitSchema;
import org.cameldatalake.schema.FeedSchema;
import org.cameldatalake.schema.InferredType;
import org.cameldatalake.schema.KsqlRowSchema;
import org.cameldatalake.schema.KsqlType;
import org.cameldatalake.schema.RowSchema;
import org.cameldatalake.schema.SchemaConflictException;
import org.cameldatalake.decode.JsonRecordDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends a stream feed's records to date-partitioned Parquet files (DESIGN.md §3, §4).
 * <ul>
 * <li>One open file per (source partition, day); it is written under {@code _temporary/} and renamed into
 * {@code year=/month=/day=} once closed, with the topic, partition and offset range in its name.</li>
 * <li>A file is published when it reaches the rotation limits (records, bytes, age), when the feed's buffered
 * bytes exceed the memory budget, or when its partition is revoked.</li>
 * <li>{@link #committable} tells which offsets may be committed: never past a record that is not published.</li>
 * <li>On a replay (restart, rebalance, failed batch) records the lake already holds are skipped, using the offset
 * ranges in published file names ({@link PublishedRanges}): exactly once in the lake.</li>
 * <li>Bad records go to {@code _rejected/<feed>/date=…/} with reason and position, and the feed goes on.</li>
 * </ul>
 * State changes are synchronized: a Kafka consumer decodes a batch without the lock ({@link #decode}) and appends it
 * (possibly from a writer thread, {@code source/AppendPipeline}); a timer publishes idle files.
 */
public final class AppendWriter implements AutoCloseable, FeedCounters {
    private static final Logger LOG = LoggerFactory.getLogger(AppendWriter.class);
    /** A schema wider than this is refused: it would be a map keyed by data, not a record. */
    static final int MAX_FIELDS = 1000;
    /**
     * Parquet's 1 MB defaults keep a file's columns uncompressed in memory until a page fills, which a file of a few
     * seconds of records never does: smaller pages are compressed as they fill, and unique-valued columns give up
     * their dictionary sooner, so open files hold far fewer live objects (GC was the largest cost at -Xmx256m).
     */
    private static final int PAGE_BYTES = 128 * 1024;
    private static final int DICTIONARY_PAGE_BYTES = 256 * 1024;
    /** Schemas the first batch of a new feed is split into when its records disagree on types (most fit wins). */
    private static final int MAX_SCHEMA_CANDIDATES = 16;

    private final FeedDefinition feed;
    private final LakeStorage storage;
    private final AppendSettings settings;
    private final Clock clock;
    private final ExportLog exportLog;
    private final DatePartitioner partitioner;
    private final CompressionCodecName codec;
    private final Path feedDir;
    private final Path metadataPath;
    private final Path tempDir;
    private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();
    private StreamMetadata metadata;
    private volatile FeedSchema schema; // JSON sources: inferred, widened as values require (read unlocked by decode)
    private KsqlRowSchema declared;     // ksqlDB sources: as ksqlDB declares the columns
    private String pendingFailure;
    /** Why records could not land, from a failed batch or publish until a file is published whole again. */
    private volatile String landingFailure;
    private boolean rewindRequested;
    private boolean closed;
    private java.nio.channels.FileChannel tempLock;
    /** Another process holds a live temporary directory of this feed (the service, while a command runs). */
    private boolean otherLiveWriter;

    private final Map<TopicPartition, Long> highestSeen = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicLong recordsWritten = new AtomicLong();
    private final AtomicLong recordsRejected = new AtomicLong();
    private final AtomicLong recordsSkipped = new AtomicLong();
    private final AtomicLong filesPublished = new AtomicLong();
    private final AtomicLong recordsPublished = new AtomicLong();
    private final AtomicLong bytesPublished = new AtomicLong();
    private volatile long lastPublishMillis = -1;

    public AppendWriter(FeedDefinition feed, LakeStorage storage, AppendSettings settings, Clock clock,
                        ExportLog exportLog) {
        this.feed = feed;
        this.storage = storage;
        this.settings = settings.forFeed(feed);
        this.clock = clock;
        this.exportLog = exportLog;
        this.partitioner = new DatePartitioner(feed.partitioning().timestampField(), settings.zone());
        this.codec = SnapshotWriter.codec(feed);
        this.feedDir = storage.path("streams", feed.name());
        this.metadataPath = storage.path("streams", feed.name(), "_metadata.json");
        this.tempDir = storage.path("streams", feed.name(), "_temporary", UUID.randomUUID().toString());
    }

    public FeedDefinition feed() {
        return feed;
    }

    public AppendSettings settings() {
        return settings;
    }

    /** Loads metadata and schema, reconciles metadata with the files the lake really holds, clears stale temp files. */
    public synchronized void start() throws IOException {
        storage.mkdirs(feedDir);
        metadata = storage.exists(metadataPath) ? StreamMetadata.parse(storage.read(metadataPath)) : new StreamMetadata();
        if (!metadata.schemas().isEmpty()) {
            StreamMetadata.SchemaVersion last = metadata.schemas().get(metadata.schemas().size() - 1);
            if (last.fields().isTextual()) {
                declared = new KsqlRowSchema(feed.name(), last.version(), KsqlType.parseColumns(last.fields().asText()));
            } else {
                schema = new FeedSchema(feed.name(), last.version(), InferredType.fromJson(last.fields()));
            }
        }
        reconcileMetadata();
        removeStaleTemporaryFiles();
        if (!otherLiveWriter) { // its half-written metadata temp file is not ours to delete
            storage.removeLeftoverTempFiles(feedDir, false);
            storage.removeLeftoverTempFiles(storage.path("_rejected", feed.name()), true);
        }
        lockTemporaryDir();
        writeMetadata();
    }

    /** Result of one {@link #append} call. */
    public record BatchResult(int written, int rejected, int skipped) {
    }

    public BatchResult append(List<SourceRecord> batch) throws IOException {
        return append(decode(batch));
    }

    /** A batch decoded without the writer's lock, ready for {@link #append(DecodedBatch)}. */
    public static final class DecodedBatch {
        private final List<SourceRecord> records;
        private final List<Decoded> decoded;

        private DecodedBatch(List<SourceRecord> records, List<Decoded> decoded) {
            this.records = records;
            this.decoded = decoded;
        }
    }

    /**
     * Parses, dates and converts a batch under the schema current now. It takes no lock, so a consumer may decode
     * its next batch while the previous one is being written; a schema that changed meanwhile is handled by append.
     */
    public DecodedBatch decode(List<SourceRecord> batch) {
        FeedSchema current = schema;
        List<Decoded> decoded = new ArrayList<>(batch.size());
        for (SourceRecord r : batch) {
            decoded.add(decode(r, current));
        }
        return new DecodedBatch(batch, decoded);
    }

    public synchronized BatchResult append(DecodedBatch batch) throws IOException {
        checkUsable();
        return runBatch((counts, now) -> {
            loadMissingRanges(batch.records);
            if (schema == null) {
                inferInitialSchema(batch.decoded);
            }
            for (Decoded d : batch.decoded) {
                appendOne(d, now, counts);
            }
        });
    }

    /**
     * A record as far as it can be taken without the writer's state: its JSON object (null when it was read straight
     * into the Avro record, which most are: the tree is then parsed again only if the schema changed meanwhile), its
     * day and its Avro record under the schema current when it was decoded — or why it is rejected.
     */
    private record Decoded(SourceRecord source, JsonNode node, LocalDate day, FeedSchema convertedWith,
                           GenericData.Record converted, String rejection) {
        static Decoded rejected(SourceRecord source, String reason) {
            return new Decoded(source, null, null, null, null, reason);
        }
    }

    private Decoded decode(SourceRecord r, FeedSchema current) {
        if (current != null) { // most records fit the schema as it is: no JSON tree for them
            GenericData.Record rec = JsonRecordDecoder.decodeFitting(r.value(), current);
            if (rec != null) {
                try {
                    LocalDate day = partitioner.dateOf(current, rec, r.timestamp());
                    if (day != null) {
                        return new Decoded(r, null, day, current, rec, null);
                    }
                } catch (DatePartitioner.BadTimestamp e) {
                    return Decoded.rejected(r, e.getMessage());
                }
            }
        }
        JsonNode node;
        try {
            node = JsonRecordDecoder.decodeObject(r.value());
        } catch (JsonRecordDecoder.Refused e) {
            return Decoded.rejected(r, e.getMessage());
        }
        LocalDate day;
        try {
            day = partitioner.dateOf(node, r.timestamp());
        } catch (DatePartitioner.BadTimestamp e) {
            return Decoded.rejected(r, e.getMessage());
        }
        return new Decoded(r, node, day, current, convert(current, node), null);
    }

    /**
     * Refuses a closed writer, and fails once after an idle file could not be published: the source has moved past
     * the records that file held, so it must read again from the last commit (or repeat its poll) before going on.
     */
    private void checkUsable() throws IOException {
        if (closed) {
            throw new IllegalStateException("writer of feed " + feed.name() + " is closed");
        }
        if (pendingFailure != null) {
            String failure = pendingFailure;
            pendingFailure = null;
            abandonAll();
            throw new IOException("feed " + feed.name() + ": an earlier publish failed (" + failure
                    + "); re-reading from the last committed offsets");
        }
    }

    /**
     * True once after an idle file could not be published: its records are behind the Kafka consumer's position, and
     * an idle topic would bring no batch to fail; the consumer goes back to its committed offsets so that one comes.
     */
    public synchronized boolean takeRewindRequest() {
        boolean requested = rewindRequested && pendingFailure != null;
        rewindRequested = false;
        return requested;
    }

    @FunctionalInterface
    private interface BatchBody {
        void run(int[] counts, long now) throws IOException;
    }

    /**
     * What every batch shares: rejected records and limits after the body; on any failure the open files are
     * discarded (their records are read again from the last commit) and the error recorded; on success the counters.
     */
    private BatchResult runBatch(BatchBody body) throws IOException {
        int[] counts = new int[3]; // written, rejected, skipped as already in the lake
        long now = clock.millis();
        try {
            body.run(counts, now);
            publishRejected();
            enforceLimits(now);
        } catch (IOException | RuntimeException e) {
            String reason = LakeStorage.reason(e);
            LOG.error("feed {}: batch failed, unpublished files discarded, nothing committed: {}", feed.name(), reason);
            abandonAll();
            landingFailed(reason);
            throw e;
        }
        noteSeen();
        recordsWritten.addAndGet(counts[0]);
        recordsRejected.addAndGet(counts[1]);
        recordsSkipped.addAndGet(counts[2]);
        return new BatchResult(counts[0], counts[1], counts[2]);
    }

    /** Offsets handed over in batches that succeeded (what {@code export} waits for); per partition, not per record. */
    private void noteSeen() {
        for (PartitionState ps : partitions.values()) {
            if (ps.lastSeen >= 0) {
                highestSeen.merge(ps.tp, ps.lastSeen, Math::max);
            }
        }
    }

    private void appendOne(Decoded d, long now, int[] counts) throws IOException {
        SourceRecord r = d.source();
        PartitionState ps = state(r.topic(), r.partition());
        if (ps.lastSeen >= 0 && r.offset() <= ps.lastSeen) {
            // a repeat: within one assignment a partition's offsets only grow (KafkaBatchLander drops records fetched
            // under an earlier one, which the consumer fetches again from the commit)
            counts[2]++;
            return;
        }
        ps.lastSeen = r.offset();
        if (d.rejection() != null) {
            reject(ps, r, d.rejection(), counts);
            return;
        }
        JsonNode node = d.node();
        LocalDate day = d.day();
        if (ps.published.holdsData(day, r.offset())) {
            counts[2]++;
            return;
        }
        OpenFile of = ps.open.get(day);
        FeedSchema used = of != null && of.schema instanceof FeedSchema fs ? fs : schema;
        GenericData.Record rec;
        if (used != null && used == d.convertedWith()) {
            rec = d.converted();
        } else {
            if (node == null) { // decoded straight into another schema version: convert from the tree
                try {
                    node = JsonRecordDecoder.decodeObject(r.value());
                } catch (JsonRecordDecoder.Refused e) { // cannot happen (decodeFitting takes less), but if it did
                    reject(ps, r, e.getMessage(), counts);
                    return;
                }
            }
            rec = convert(used, node);
        }
        if (rec == null && schema != null && used != schema) {
            used = schema;
            rec = convert(used, node);
        }
        if (rec == null) {
            try {
                InferredType seen = InferredType.of(node);
                InferredType widened = schema == null ? seen : schema.type().widen(seen, "");
                if (leafCount(widened) > MAX_FIELDS) {
                    throw new SchemaConflictException("", "the schema would exceed " + MAX_FIELDS + " fields");
                }
                FeedSchema next = new FeedSchema(feed.name(), schema == null ? 1 : schema.version() + 1, widened);
                rec = next.convert(node);
                schema = next;
                used = next;
                metadata.addSchema(next.version(), clock.instant(), widened.toJson());
                LOG.info("feed {}: schema version {} ({} fields)", feed.name(), next.version(), leafCount(widened));
            } catch (SchemaConflictException e) {
                reject(ps, r, "schema conflict: " + e.getMessage(), counts);
                return;
            } catch (DoesNotFitSchema e) {
                throw new IllegalStateException("inferred schema does not fit its own record at " + e.getMessage());
            }
        }
        used.setBronze(rec, now, r.topic(), r.partition(), r.offset());
        writeRecord(ps, day, used, rec, r.offset(), now, true);
        counts[0]++;
    }

    /** Writes a converted record into the open file of its (partition, day), rotating as the limits say. */
    private void writeRecord(PartitionState ps, LocalDate day, RowSchema used, GenericRecord rec, long offset, long now,
                             boolean mayRotate) throws IOException {
        OpenFile of = ps.open.get(day);
        if (of != null && of.schema != used) {
            publish(of); // the schema changed: this file is complete, the next one starts with the new version
            of = null;
        }
        if (of == null) {
            of = open(ps, day, used, now);
        }
        of.write(rec, offset);
        of.lastAppendAt = now;
        if (mayRotate && (of.records >= settings.maxRecords()
                || ((of.records & 255) == 0 && of.writer.getDataSize() >= settings.maxBytes()))) {
            publish(of);
        }
    }

    /** A row of a ksqlDB query: its position (ROWTIME as offset) and its {@code columns} array. */
    public record DeclaredRow(String topic, int partition, long offset, long timestamp, JsonNode columns) {
    }

    /**
     * Appends rows whose types ksqlDB declared ({@code schema}, from the query header). Within a partition, rows
     * must come in non-decreasing offset order (ROWTIME for ksqlDB polls); a new set of columns starts a new
     * schema version. A row whose value does not match its declared type is rejected.
     */
    public synchronized BatchResult appendDeclared(KsqlRowSchema schema, List<DeclaredRow> rows) throws IOException {
        checkUsable();
        return runBatch((counts, now) -> appendRows(schema, rows, counts, now));
    }

    private void appendRows(KsqlRowSchema schema, List<DeclaredRow> rows, int[] counts, long now) throws IOException {
        if (declared == null || !declared.columns().equals(schema.columns())) {
            declared = new KsqlRowSchema(feed.name(), declared == null ? 1 : declared.version() + 1, schema.columns());
            metadata.addSchema(declared.version(), clock.instant(),
                    com.fasterxml.jackson.databind.node.TextNode.valueOf(declared.columnsText()));
            LOG.info("feed {}: schema version {} ({})", feed.name(), declared.version(), declared.columnsText());
        }
        List<SourceRecord> positions = new ArrayList<>(rows.size());
        rows.forEach(r -> positions.add(new SourceRecord(r.topic(), r.partition(), r.offset(), r.timestamp(), null, null)));
        loadMissingRanges(positions);
        List<KsqlType.KsqlColumn> columns = declared.columns();
        boolean timestampField = feed.partitioning().timestampField() != null;
        for (int i = 0; i < rows.size(); i++) {
            DeclaredRow r = rows.get(i);
            // rows with the same ROWTIME stay in one file: a published range [first, last] must hold every row of
            // its day with a position in it, or a replay would skip the rest of a tie
            boolean endOfTie = i == rows.size() - 1 || rows.get(i + 1).offset() != r.offset()
                    || rows.get(i + 1).partition() != r.partition();
            PartitionState ps = state(r.topic(), r.partition());
            ps.lastSeen = r.offset();
            LocalDate day;
            try {
                // the row as an object only when a field dates it (the partitioner reads nothing else)
                day = partitioner.dateOf(timestampField ? asObject(columns, r.columns()) : null, r.timestamp());
            } catch (DatePartitioner.BadTimestamp e) {
                reject(ps, raw(r), e.getMessage(), counts);
                continue;
            }
            if (ps.published.holdsData(day, r.offset())) {
                counts[2]++;
                continue;
            }
            GenericData.Record rec;
            try {
                rec = declared.convert(r.columns(), now, feed.ksqldbSource() != null ? feed.ksqldbSource() : r.topic());
            } catch (KsqlRowSchema.BadValue e) {
                reject(ps, raw(r), "value does not match its declared type: " + e.getMessage(), counts);
                continue;
            }
            writeRecord(ps, day, declared, rec, r.offset(), now, endOfTie);
            counts[0]++;
        }
    }

    /** A rejected row as the rejected-records file keeps it: its columns as JSON text. */
    private static SourceRecord raw(DeclaredRow r) {
        return new SourceRecord(r.topic(), r.partition(), r.offset(), r.timestamp(), null,
                r.columns().toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The row as an object for the date partitioner; ksqlDB TIMESTAMPs (UTC, written without a zone) as epoch millis. */
    private static JsonNode asObject(List<KsqlType.KsqlColumn> columns, JsonNode values) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        for (int i = 0; i < columns.size() && i < values.size(); i++) {
            JsonNode v = values.get(i);
            if (columns.get(i).type().base() == KsqlType.Base.TIMESTAMP && v.isTextual()) {
                try {
                    v = com.fasterxml.jackson.databind.node.LongNode.valueOf(java.time.LocalDateTime.parse(v.textValue())
                            .toInstant(java.time.ZoneOffset.UTC).toEpochMilli());
                } catch (java.time.format.DateTimeParseException e) {
                    // left as text: the partitioner reports it
                }
            }
            o.set(columns.get(i).name(), v);
        }
        return o;
    }

    /** Publishes every open file (end of a poll), so that the lake holds everything seen so far. */
    public synchronized void publishAll() throws IOException {
        checkUsable(); // an idle file of this poll failed meanwhile: publishing the rest would move the watermark past it
        try {
            for (OpenFile of : openFiles()) {
                publish(of);
            }
        } catch (IOException | RuntimeException e) {
            abandonAll();
            landingFailed(LakeStorage.reason(e));
            throw e;
        }
    }

    /**
     * Deletes the date partitions older than {@code cutoff} (retention by partition date), updates the metadata and
     * logs the action; a day that still has an open file (late data) waits for the next run. Returns the partitions
     * deleted, or that would be with {@code dryRun}.
     */
    public synchronized List<String> applyRetention(LocalDate cutoff, boolean dryRun) throws IOException {
        if (closed) {
            throw new IllegalStateException("writer of feed " + feed.name() + " is closed");
        }
        if (otherLiveWriter && !dryRun) {
            throw new IllegalStateException("feed " + feed.name() + " is being written by another running process; "
                    + "its retention runs there");
        }
        java.util.Set<LocalDate> open = new HashSet<>();
        partitions.values().forEach(ps -> open.addAll(ps.open.keySet()));
        List<String> deleted = new ArrayList<>();
        for (FileStatus y : storage.list(feedDir)) {
            for (FileStatus m : y.isDirectory() && y.getPath().getName().startsWith("year=") ? storage.list(y.getPath()) : List.<FileStatus>of()) {
                for (FileStatus d : storage.list(m.getPath())) {
                    LocalDate day = dayOf(new Path(d.getPath(), "x"));
                    if (day == null || !day.isBefore(cutoff) || open.contains(day)) {
                        continue;
                    }
                    String part = partitionPath(day);
                    deleted.add(part);
                    if (!dryRun) {
                        storage.delete(d.getPath(), true);
                        metadata.setPartition(part, new StreamMetadata.PartitionStats(0, 0, 0));
                    }
                }
                if (!dryRun) {
                    storage.deleteIfEmpty(m.getPath()); // never recursive: a file may be published into it meanwhile
                }
            }
            if (!dryRun && y.getPath().getName().startsWith("year=")) {
                storage.deleteIfEmpty(y.getPath());
            }
        }
        java.util.Collections.sort(deleted); // zero-padded paths: chronological
        if (!dryRun && !deleted.isEmpty()) {
            writeMetadata();
            ObjectNode log = exportLog.line(feed.name(), "retention");
            log.put("retention_days", feed.retentionDays());
            log.put("cutoff", cutoff.toString());
            deleted.forEach(log.putArray("partitions_deleted")::add);
            exportLog.write(log);
            LOG.info("{}: retention deleted {} partition(s) before {}", feed.name(), deleted.size(), cutoff);
        }
        return deleted;
    }

    /** Records a maintenance action (archiving, permissions) in {@code _metadata.json}. */
    public synchronized void annotate(String key, JsonNode value) throws IOException {
        metadata.annotate(key, value);
        writeMetadata();
    }

    /** A source's position that a whole poll has reached (a ksqlDB stream's ROWTIME watermark), or -1. */
    public synchronized long watermark(String source) {
        return metadata.watermark(source);
    }

    /** Moves the watermark, once everything up to it is published (end of a poll). */
    public synchronized void advanceWatermark(String source, long value) throws IOException {
        if (value > metadata.watermark(source)) {
            metadata.setWatermark(source, value);
            writeMetadata();
        }
    }

    /**
     * A new feed takes its first schema from its whole first batch rather than from its first record, so that a
     * field that is null or a whole number in the first records does not publish a tiny file as soon as it widens.
     * Where records disagree on a field's type, the schema most of them fit wins: a bad record early in the topic
     * must not decide the type and have the good ones after it rejected.
     */
    private void inferInitialSchema(List<Decoded> batch) {
        Map<InferredType, Integer> shapes = new LinkedHashMap<>(); // the distinct record types, with their counts
        for (Decoded d : batch) {
            if (d.node() == null) {
                continue; // this record will be rejected with its reason when it is appended
            }
            try {
                InferredType seen = InferredType.of(d.node());
                if (leafCount(seen) <= MAX_FIELDS) {
                    shapes.merge(seen, 1, Integer::sum);
                }
            } catch (SchemaConflictException e) {
                // this record will be rejected with its reason when it is appended
            }
        }
        // each shape widens the first candidate it agrees with, or starts a candidate of its own
        List<InferredType> candidates = new ArrayList<>();
        for (InferredType shape : shapes.keySet()) {
            int i = 0;
            for (; i < candidates.size(); i++) {
                InferredType widened = widenOrNull(candidates.get(i), shape);
                if (widened != null && leafCount(widened) <= MAX_FIELDS) {
                    candidates.set(i, widened);
                    break;
                }
            }
            if (i == candidates.size() && candidates.size() < MAX_SCHEMA_CANDIDATES) {
                candidates.add(shape);
            }
        }
        InferredType type = null;
        long mostFit = 0;
        for (InferredType candidate : candidates) {
            long fit = 0;
            for (Map.Entry<InferredType, Integer> shape : shapes.entrySet()) {
                fit += widenOrNull(candidate, shape.getKey()) != null ? shape.getValue() : 0;
            }
            if (fit > mostFit) {
                type = candidate;
                mostFit = fit;
            }
        }
        if (type != null) {
            schema = new FeedSchema(feed.name(), 1, type);
            metadata.addSchema(1, clock.instant(), type.toJson());
            LOG.info("feed {}: schema version 1 ({} fields)", feed.name(), leafCount(type));
        }
    }

    private static InferredType widenOrNull(InferredType a, InferredType b) {
        try {
            return a.widen(b, "");
        } catch (SchemaConflictException e) {
            return null;
        }
    }

    private static GenericData.Record convert(FeedSchema s, JsonNode node) {
        if (s == null) {
            return null;
        }
        try {
            return s.convert(node);
        } catch (DoesNotFitSchema e) {
            return null;
        }
    }

    private static int leafCount(InferredType t) {
        return switch (t.kind()) {
            case RECORD -> t.fields().values().stream().mapToInt(AppendWriter::leafCount).sum();
            case ARRAY -> leafCount(t.element());
            default -> 1;
        };
    }

    private void reject(PartitionState ps, SourceRecord r, String reason, int[] counts) {
        if (ps.published.holdsRejected(r.offset())) {
            counts[2]++;
            return;
        }
        if (ps.rejectedLines.isEmpty()) {
            ps.rejectedFirst = r.offset();
        }
        ps.rejectedLast = r.offset();
        ps.rejectedLines.add(RejectedRecords.line(clock.instant(), feed.name(), r, reason));
        counts[1]++;
    }

    /** Rejected records of this batch go out, one file per partition, before any offset can be committed. */
    private void publishRejected() throws IOException {
        for (PartitionState ps : partitions.values()) {
            if (ps.rejectedLines.isEmpty()) {
                continue;
            }
            Instant at = clock.instant();
            String name = StreamFileName.rejected(at, ps.tp.topic(), ps.tp.partition(), ps.rejectedFirst,
                    ps.rejectedLast).toString();
            Path dest = RejectedRecords.publish(storage, exportLog, feed, settings.zone(), at, name, ps.tp.topic(),
                    ps.tp.partition(), ps.rejectedFirst, ps.rejectedLast, ps.rejectedLines);
            ps.published.addRejected(ps.rejectedFirst, ps.rejectedLast);
            metadata.addRejected(ps.rejectedLines.size(), key(ps.tp), ps.rejectedLast);
            writeMetadata();
            LOG.warn("{}: {} record(s) rejected to {}", feed.name(), ps.rejectedLines.size(), storage.relative(dest));
            ps.rejectedLines.clear();
        }
    }

    private OpenFile open(PartitionState ps, LocalDate day, RowSchema s, long now) throws IOException {
        LakeStorage.CountingOutputFile out = storage.outputFile(new Path(tempDir, UUID.randomUUID() + ".parquet.tmp"));
        ParquetWriter<GenericRecord> writer = AvroParquetWriter.<GenericRecord>builder(out)
                .withSchema(s.avro())
                .withDataModel(GenericData.get())
                .withConf(storage.conf())
                .withCompressionCodec(codec)
                .withRowGroupSize(settings.rowGroupBytes())
                .withPageSize(PAGE_BYTES)
                .withDictionaryPageSize(DICTIONARY_PAGE_BYTES)
                .withWriteMode(ParquetFileWriter.Mode.CREATE)
                .build();
        OpenFile of = new OpenFile(ps, day, s, out, writer, now);
        ps.open.put(day, of);
        return of;
    }

    /**
     * Closes the file, moves it into its day partition and records it. Once the rename is done the file is in the
     * lake whatever fails next (metadata): a replay skips its offsets. A failure names the feed, the file and the cause.
     */
    private void publish(OpenFile of) throws IOException {
        TopicPartition tp = of.ps.tp;
        String partition = partitionPath(of.day);
        Path dest;
        long bytes;
        Instant at;
        try {
            of.writer.close();
            bytes = storage.fs().getFileStatus(of.out.path()).getLen();
            at = clock.instant();
            String name = StreamFileName.data(at, tp.topic(), tp.partition(), of.first, of.last).toString();
            dest = storage.path("streams", feed.name(), "year=" + of.day.getYear(),
                    String.format("month=%02d", of.day.getMonthValue()), String.format("day=%02d", of.day.getDayOfMonth()), name);
            storage.publish(of.out.path(), dest);
        } catch (IOException | RuntimeException e) {
            throw new IOException("could not publish " + tp + " offsets " + of.first + ".." + of.last + " into "
                    + storage.relative(feedDir) + "/" + partition + ": " + LakeStorage.reason(e), e);
        }
        of.ps.open.remove(of.day);
        of.ps.published.addData(of.day, of.first, of.last);
        metadata.addFile(partition, of.records, bytes, key(tp), of.last, at);
        filesPublished.incrementAndGet();
        recordsPublished.addAndGet(of.records);
        bytesPublished.addAndGet(bytes);
        lastPublishMillis = at.toEpochMilli();
        ObjectNode log = exportLog.line(feed.name(), "publish");
        log.put("path", storage.relative(dest));
        log.put("records", of.records);
        log.put("bytes", bytes);
        log.put("topic", tp.topic());
        log.put("partition", tp.partition());
        log.put("first_offset", of.first);
        log.put("last_offset", of.last);
        log.put("schema_version", of.schema.version());
        exportLog.write(log);
        LOG.info("{}: published {} ({} records, {} KB)", feed.name(), storage.relative(dest), of.records, bytes / 1024);
        storage.secure(dest, feedDir, feed.securityLevel());
        writeMetadata();
        landingFailure = null; // a file and its metadata landed: the lake takes writes again
    }

    private static String partitionPath(LocalDate day) {
        return String.format("year=%d/month=%02d/day=%02d", day.getYear(), day.getMonthValue(), day.getDayOfMonth());
    }

    private static String key(TopicPartition tp) {
        return tp.topic() + "-" + tp.partition();
    }

    /** Age, memory budget and open-file limits, across every open file of the feed. */
    private void enforceLimits(long now) throws IOException {
        List<OpenFile> open = openFiles();
        for (OpenFile of : open) {
            if (settings.expired(of.openedAt, of.lastAppendAt, now)) {
                publish(of);
            }
        }
        open = openFiles();
        long buffered = 0;
        for (OpenFile of : open) {
            buffered += of.buffered();
        }
        long allowance = settings.memoryBudget().allowance(feed.name(), buffered);
        if (buffered > allowance) {
            open.sort(Comparator.comparingLong(OpenFile::buffered).reversed());
            for (OpenFile of : open) {
                if (buffered <= allowance) {
                    break;
                }
                buffered -= of.buffered();
                LOG.debug("{}: memory budget reached, publishing early", feed.name());
                publish(of);
            }
            settings.memoryBudget().allowance(feed.name(), buffered);
            open = openFiles();
        }
        if (open.size() > settings.maxOpenFiles()) {
            open.sort(Comparator.comparingLong(of -> of.openedAt));
            for (int i = 0; i < open.size() - settings.maxOpenFiles(); i++) {
                publish(open.get(i));
            }
        }
    }

    private List<OpenFile> openFiles() {
        List<OpenFile> all = new ArrayList<>();
        for (PartitionState ps : partitions.values()) {
            all.addAll(ps.open.values());
        }
        return all;
    }

    /**
     * Publishes files that reached their age or idle limit; called by a timer so that an idle partition's data still lands.
     * Offsets for them are committed with the partition's next batch (or on revocation); until then a restart
     * skips them as already published.
     */
    public synchronized void rotateExpired() {
        if (closed) {
            return;
        }
        long now = clock.millis();
        for (OpenFile of : openFiles()) {
            if (settings.expired(of.openedAt, of.lastAppendAt, now)) {
                try {
                    publish(of);
                } catch (IOException | RuntimeException e) {
                    // the consumer is past these records: make its next batch fail so it re-reads from the commit
                    String reason = LakeStorage.reason(e);
                    LOG.error("feed {}: publishing an idle file failed, unpublished files discarded, nothing committed: {}",
                            feed.name(), reason);
                    pendingFailure = reason;
                    rewindRequested = true;
                    abandonAll();
                    landingFailed(reason);
                    return;
                }
            }
        }
    }

    /**
     * Offsets that may be committed now for the partitions this consumer owns: the first offset of the oldest
     * unpublished file, or just past the last record seen.
     */
    public synchronized Map<TopicPartition, Long> committable(Collection<TopicPartition> owned) {
        Map<TopicPartition, Long> out = new LinkedHashMap<>();
        for (PartitionState ps : partitions.values()) {
            if ((owned != null && !owned.contains(ps.tp)) || ps.lastSeen < 0) {
                continue;
            }
            long next = ps.lastSeen + 1;
            for (OpenFile of : ps.open.values()) {
                next = Math.min(next, of.first);
            }
            if (next > ps.committed) {
                out.put(ps.tp, next);
            }
        }
        return out;
    }

    public synchronized void committed(Map<TopicPartition, Long> offsets) {
        offsets.forEach((tp, o) -> {
            PartitionState ps = partitions.get(tp);
            if (ps != null) {
                ps.committed = Math.max(ps.committed, o);
            }
        });
    }

    /** Partitions are being revoked: publish what is open for them so that their offsets can be committed now. */
    public synchronized Map<TopicPartition, Long> publishRevoked(Collection<TopicPartition> revoked) {
        Set<TopicPartition> failed = new HashSet<>();
        for (TopicPartition tp : revoked) {
            PartitionState ps = partitions.get(tp);
            if (ps == null) {
                continue;
            }
            for (OpenFile of : List.copyOf(ps.open.values())) {
                try {
                    publish(of);
                } catch (IOException | RuntimeException e) {
                    LOG.error("feed {}: publishing {} on revocation failed: {}", feed.name(), tp, LakeStorage.reason(e));
                    landingFailed(LakeStorage.reason(e));
                    failed.add(tp);
                    break;
                }
            }
        }
        for (TopicPartition tp : failed) {
            abandon(partitions.get(tp));
        }
        Map<TopicPartition, Long> out = committable(revoked);
        return out;
    }

    /** Partitions were lost or (re)assigned: whatever is open for them is void, and the lake must be read again. */
    public synchronized void reset(Collection<TopicPartition> tps) {
        for (TopicPartition tp : tps) {
            PartitionState ps = partitions.remove(tp);
            if (ps != null) {
                abandon(ps);
            }
        }
    }

    private void abandonAll() {
        for (PartitionState ps : partitions.values()) {
            abandon(ps);
        }
        partitions.clear();
    }

    private void abandon(PartitionState ps) {
        for (OpenFile of : ps.open.values()) {
            try {
                of.writer.close();
            } catch (IOException | RuntimeException ignored) {
                // the file is deleted below either way
            }
            try {
                storage.delete(of.out.path(), false);
            } catch (IOException e) {
                LOG.warn("feed {}: could not delete temporary file {}: {}", feed.name(), of.out.path(), LakeStorage.reason(e));
            }
        }
        ps.open.clear();
        ps.rejectedLines.clear();
        ps.lastSeen = -1;
        ps.published = null;
    }

    private PartitionState state(String topic, int partition) {
        TopicPartition tp = new TopicPartition(topic, partition);
        PartitionState ps = partitions.get(tp);
        if (ps == null) {
            throw new IllegalStateException("no state for " + tp); // loadMissingRanges creates it
        }
        return ps;
    }

    /** Reads the offset ranges the lake holds for partitions seen for the first time, with one listing. */
    private void loadMissingRanges(List<SourceRecord> batch) throws IOException {
        Map<TopicPartition, Long> firstSeen = new HashMap<>();
        for (SourceRecord r : batch) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            PartitionState ps = partitions.get(tp);
            if (ps == null || ps.published == null) {
                firstSeen.merge(tp, r.offset(), Math::min);
            }
        }
        if (firstSeen.isEmpty()) {
            return;
        }
        Map<TopicPartition, PublishedRanges> ranges = new HashMap<>();
        firstSeen.keySet().forEach(tp -> ranges.put(tp, new PublishedRanges()));
        for (FileStatus f : storage.listFiles(feedDir)) {
            StreamFileName n = StreamFileName.parse(f.getPath().getName());
            if (n == null || !n.prefix().equals("data")) {
                continue;
            }
            TopicPartition tp = new TopicPartition(n.topic(), n.partition());
            Long from = firstSeen.get(tp);
            LocalDate day = dayOf(f.getPath());
            if (from != null && n.lastOffset() >= from && day != null) {
                ranges.get(tp).addData(day, n.firstOffset(), n.lastOffset());
            }
        }
        for (FileStatus f : storage.listFiles(storage.path("_rejected", feed.name()))) {
            StreamFileName n = StreamFileName.parse(f.getPath().getName());
            if (n == null || !n.prefix().equals("rejected")) {
                continue;
            }
            TopicPartition tp = new TopicPartition(n.topic(), n.partition());
            Long from = firstSeen.get(tp);
            if (from != null && n.lastOffset() >= from) {
                ranges.get(tp).addRejected(n.firstOffset(), n.lastOffset());
            }
        }
        for (Map.Entry<TopicPartition, PublishedRanges> e : ranges.entrySet()) {
            PartitionState ps = partitions.computeIfAbsent(e.getKey(), PartitionState::new);
            ps.published = e.getValue();
            long highest = e.getValue().highestOffset();
            if (highest >= firstSeen.get(e.getKey())) {
                LOG.info("{}: {} resumes at offset {}; the lake already holds up to {}, those records are skipped",
                        feed.name(), e.getKey(), firstSeen.get(e.getKey()), highest);
            }
        }
    }

    /** The date of a file below {@code year=YYYY/month=MM/day=DD/}, or null. */
    private static LocalDate dayOf(Path file) {
        try {
            Path d = file.getParent();
            Path m = d.getParent();
            Path y = m.getParent();
            if (d.getName().startsWith("day=") && m.getName().startsWith("month=") && y.getName().startsWith("year=")) {
                return LocalDate.of(Integer.parseInt(y.getName().substring(5)), Integer.parseInt(m.getName().substring(6)),
                        Integer.parseInt(d.getName().substring(4)));
            }
        } catch (RuntimeException e) {
            return null;
        }
        return null;
    }

    /** After a crash, metadata may lag behind the published files: recount the partitions that disagree. */
    private void reconcileMetadata() throws IOException {
        Map<String, List<FileStatus>> byPartition = new HashMap<>();
        for (FileStatus f : storage.listFiles(feedDir)) {
            if (f.getPath().getName().endsWith(".parquet") && dayOf(f.getPath()) != null) {
                String rel = storage.relative(f.getPath().getParent());
                byPartition.computeIfAbsent(rel.substring(rel.indexOf("year=")), k -> new ArrayList<>()).add(f);
            }
        }
        Set<String> known = new HashSet<>(metadata.partitions().keySet());
        known.addAll(byPartition.keySet());
        for (String part : known) {
            List<FileStatus> files = byPartition.getOrDefault(part, List.of());
            long bytes = files.stream().mapToLong(FileStatus::getLen).sum();
            StreamMetadata.PartitionStats recorded = metadata.partitions().get(part);
            if (recorded != null && recorded.files() == files.size() && recorded.bytes() == bytes) {
                continue;
            }
            long records = 0;
            for (FileStatus f : files) {
                try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromStatus(f, storage.conf()))) {
                    records += reader.getRecordCount();
                }
            }
            LOG.info("{}: metadata of {} brought up to date with the lake ({} files, {} records)", feed.name(), part,
                    files.size(), records);
            metadata.setPartition(part, new StreamMetadata.PartitionStats(records, bytes, files.size()));
        }
        List<FileStatus> rejected = storage.listFiles(storage.path("_rejected", feed.name())).stream()
                .filter(f -> f.getPath().getName().endsWith(".jsonl")).toList();
        if (rejected.size() != metadata.rejectedFiles()) {
            long lines = 0;
            for (FileStatus f : rejected) {
                byte[] content = storage.read(f.getPath());
                for (byte b : content) {
                    if (b == '\n') {
                        lines++;
                    }
                }
            }
            metadata.setRejected(lines, rejected.size());
        }
    }

    /**
     * Each run writes its temporary files in its own {@code _temporary/<uuid>/}, holding an OS lock on its
     * {@code .lock} file (local lakes). The kernel drops the lock when the process dies, however it dies.
     */
    private void lockTemporaryDir() throws IOException {
        storage.mkdirs(tempDir);
        java.nio.file.Path local = storage.localPath(new Path(tempDir, ".lock"));
        if (local != null) {
            tempLock = java.nio.channels.FileChannel.open(local, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.WRITE);
            tempLock.lock();
        }
    }

    /**
     * Temporary files left by a crashed run are invisible to readers; remove them: at once when their run's lock is
     * free (it died), else once they are clearly abandoned (no lock file, e.g. on HDFS).
     */
    private void removeStaleTemporaryFiles() throws IOException {
        long cutoff = clock.millis() - Math.max(settings.maxAge().toMillis() * 10, 10 * 60_000L);
        for (FileStatus dir : storage.list(storage.path("streams", feed.name(), "_temporary"))) {
            java.nio.file.Path lock = storage.localPath(new Path(dir.getPath(), ".lock"));
            if (lock != null && java.nio.file.Files.exists(lock)) {
                if (ownerIsGone(lock)) {
                    storage.delete(dir.getPath(), true);
                } else {
                    otherLiveWriter = true;
                }
                continue;
            }
            long newest = dir.getModificationTime();
            for (FileStatus f : storage.listFiles(dir.getPath())) {
                newest = Math.max(newest, f.getModificationTime());
            }
            if (newest < cutoff) {
                storage.delete(dir.getPath(), true);
            }
        }
    }

    private static boolean ownerIsGone(java.nio.file.Path lock) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lock, java.nio.file.StandardOpenOption.WRITE)) {
            var l = ch.tryLock();
            if (l == null) {
                return false; // another process holds it
            }
            l.release();
            return true;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return false; // held by this JVM
        } catch (IOException e) {
            return false;
        }
    }

    private void writeMetadata() throws IOException {
        storage.writeAtomically(metadataPath, metadata.toJson(feed, settings.zone().getId()));
        storage.secure(metadataPath, feedDir, feed.securityLevel());
    }

    /**
     * Records a failed poll of the source feeding this writer (a ksqlDB stream), after its last attempt: in the log,
     * in the feed's metadata and in the export log.
     */
    public synchronized void recordFailure(String error, int attempts) {
        LOG.warn("{}: {}", feed.name(), error);
        recordError(error);
        ObjectNode log = exportLog.line(feed.name(), "poll_failed");
        log.put("error", error);
        log.put("attempts", attempts);
        exportLog.write(log);
    }

    /** A poll of the source went through, even one with nothing new: the failure recorded before is over. */
    public synchronized void recordSuccess() throws IOException {
        if (metadata.lastError() != null) {
            metadata.setLastError(null, null);
            writeMetadata();
        }
    }

    /** Records could not land: readiness says so ({@link #landingFailure}) until a file is published again. */
    private void landingFailed(String reason) {
        landingFailure = reason;
        recordError(reason);
    }

    private void recordError(String error) {
        try {
            String at = clock.instant().toString();
            metadata.setLastError(at, at + " " + error);
            writeMetadata();
        } catch (IOException | RuntimeException e) {
            LOG.warn("feed {}: could not record the error in metadata: {}", feed.name(), LakeStorage.reason(e));
        }
    }

    /** Publishes what is still open (each file is complete and its offsets are in its name), then stops. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        for (OpenFile of : openFiles()) {
            try {
                publish(of);
            } catch (IOException | RuntimeException e) {
                LOG.warn("feed {}: could not publish on close: {}", feed.name(), LakeStorage.reason(e));
            }
        }
        abandonAll();
        settings.memoryBudget().release(feed.name());
        closed = true;
        try {
            storage.delete(tempDir, true);
            if (tempLock != null) {
                tempLock.close();
            }
        } catch (IOException e) {
            LOG.debug("could not remove {}", tempDir, e);
        }
    }

    /** Bytes the open files of this feed hold in memory. */
    public synchronized long bufferedBytes() {
        long total = 0;
        for (OpenFile of : openFiles()) {
            total += of.buffered();
        }
        return total;
    }

    /** The highest offset handed to this writer per partition (landed, rejected or skipped as already landed). */
    public Map<TopicPartition, Long> highestOffsetsSeen() {
        return Map.copyOf(highestSeen);
    }

    public long recordsWritten() {
        return recordsWritten.get();
    }

    @Override
    public long recordsLanded() {
        return recordsPublished.get();
    }

    @Override
    public long recordsRejected() {
        return recordsRejected.get();
    }

    public long recordsSkipped() {
        return recordsSkipped.get();
    }

    /** Why this feed's records cannot land (the last failed batch or publish), or null once a file has landed since. */
    public String landingFailure() {
        return landingFailure;
    }

    @Override
    public long filesPublished() {
        return filesPublished.get();
    }

    @Override
    public long bytesPublished() {
        return bytesPublished.get();
    }

    @Override
    public long lastPublishMillis() {
        return lastPublishMillis;
    }

    private static final class PartitionState {
        final TopicPartition tp;
        final Map<LocalDate, OpenFile> open = new HashMap<>();
        final List<String> rejectedLines = new ArrayList<>();
        PublishedRanges published;
        long rejectedFirst;
        long rejectedLast;
        long lastSeen = -1;
        long committed = -1;

        PartitionState(TopicPartition tp) {
            this.tp = tp;
        }
    }

    private static final class OpenFile {
        final PartitionState ps;
        final LocalDate day;
        final RowSchema schema;
        final LakeStorage.CountingOutputFile out;
        final ParquetWriter<GenericRecord> writer;
        final long openedAt;
        long lastAppendAt;
        long first = -1;
        long last = -1;
        long records;

        OpenFile(PartitionState ps, LocalDate day, RowSchema schema, LakeStorage.CountingOutputFile out,
                 ParquetWriter<GenericRecord> writer, long openedAt) {
            this.ps = ps;
            this.day = day;
            this.schema = schema;
            this.out = out;
            this.writer = writer;
            this.openedAt = openedAt;
            this.lastAppendAt = openedAt;
        }

        void write(GenericRecord rec, long offset) throws IOException {
            writer.write(rec);
            first = first < 0 ? offset : Math.min(first, offset);
            last = Math.max(last, offset);
            records++;
        }

        /** Bytes held in memory: what the writer holds minus what it already handed to the file system. */
        long buffered() {
            return Math.max(0, writer.getDataSize() - out.written());
        }
    }
}
