package org.cameldatalake.sink;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import org.apache.kafka.common.TopicPartition;
import org.cameldatalake.decode.DecodedRecord;
import org.cameldatalake.decode.KsqlRowDecoder;
import org.cameldatalake.decode.SourceRecord;
import org.cameldatalake.decode.StreamDecoders;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.format.ParquetFormat;
import org.cameldatalake.format.RecordFormat;
import org.cameldatalake.metadata.ExportLog;
import org.cameldatalake.partition.LakeLayout;
import org.cameldatalake.schema.KsqlRowSchema;
import org.cameldatalake.storage.Failures;
import org.cameldatalake.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends a stream feed's records to date-partitioned files (DESIGN.md §3, §4), one {@link TopicPartitionWriter} per
 * source partition; this class owns what they share: the feed's schema and metadata, its rejected records, the
 * memory budget, and the failure that makes its source read again.
 * <ul>
 * <li>A file is published when it reaches the rotation limits (records, bytes, age, idle), when the feed's buffered
 * bytes exceed the memory budget, or when its partition is revoked.</li>
 * <li>{@link #committable} tells which offsets may be committed: never past a record that is not published.</li>
 * <li>Bad records go to {@code _rejected/<feed>/date=…/} with reason and position, and the feed goes on.</li>
 * </ul>
 * State changes are synchronized: a Kafka consumer decodes a batch without the lock ({@link #decode}) and appends it
 * (possibly from a writer thread); a timer publishes idle files.
 */
public final class AppendWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AppendWriter.class);

    private final FeedDefinition feed;
    private final Storage storage;
    private final AppendSettings settings;
    private final Clock clock;
    private final ExportLog exportLog;
    private final StreamFolder folder;
    private final StreamFeedMetadata metadata;
    private final FilePublisher publisher;
    private final StreamDecoders decoders;
    private final PartitionWriters partitions;
    private final BatchWriter batches;
    private final PolledSource polled;
    private final StreamQuality quality;
    private final FeedStats stats = new FeedStats();
    private final LandingFailures failures;
    private boolean closed;

    public AppendWriter(FeedDefinition feed, Storage storage, AppendSettings settings, Clock clock, ExportLog exportLog) {
        this(feed, storage, settings, clock, exportLog, Runnable::run);
    }

    /** {@code partitionThreads}: where a batch's partitions other than its first are written, in parallel. */
    public AppendWriter(FeedDefinition feed, Storage storage, AppendSettings settings, Clock clock, ExportLog exportLog,
                        Executor partitionThreads) {
        this.feed = feed;
        this.storage = storage;
        this.settings = settings.forFeed(feed);
        this.clock = clock;
        this.exportLog = exportLog;
        RecordFormat format = new ParquetFormat(storage.conf(), settings.rowGroupBytes(), settings.learnDictionaryFallbacks());
        LakeLayout layout = new LakeLayout(storage);
        this.folder = new StreamFolder(feed.name(), layout, format);
        this.metadata = new StreamFeedMetadata(feed, storage, layout.metadata(FeedDefinition.FeedType.STREAM, feed.name()),
                folder.dir(), settings.zone(), clock);
        this.failures = new LandingFailures(metadata);
        this.publisher = new FilePublisher(feed, layout, this.settings, clock, exportLog, metadata, stats, format, failures);
        this.partitions = new PartitionWriters(folder, metadata, publisher);
        this.quality = new StreamQuality(feed.quality());
        this.decoders = new StreamDecoders(feed, settings.zone(), metadata::schemaAdded);
        this.polled = new PolledSource(feed.name(), metadata, exportLog);
        this.batches = new BatchWriter(feed.name(), partitions, publisher, decoders.json(), this.settings, clock,
                partitionThreads);
    }

    public FeedDefinition feed() {
        return feed;
    }

    public AppendSettings settings() {
        return settings;
    }

    /** Loads metadata and schema, reconciles metadata with the files the lake really holds, clears what crashed runs left. */
    public synchronized void start() throws IOException {
        storage.mkdirs(folder.dir());
        metadata.load();
        metadata.restoreSchemas(decoders);
        metadata.reconcile(folder);
        long abandonedAfter = Math.max(settings.maxAge().toMillis() * 10, 10 * 60_000L);
        if (!storage.claimedByOthers(folder.dir())) { // a live writer's rejected records are not ours to clear
            storage.removeAbandoned(new LakeLayout(storage).rejectedDir(feed.name()), abandonedAfter);
        }
        storage.removeAbandoned(folder.dir(), abandonedAfter);
        storage.claim(folder.dir());
        metadata.write();
    }

    /** Result of one {@link #append} call. */
    public record BatchResult(int written, int rejected, int skipped) {
    }

    public BatchResult append(List<SourceRecord> batch) throws IOException {
        return append(decode(batch));
    }

    /** A batch decoded without the writer's lock, ready for {@link #append(DecodedBatch)}. */
    public record DecodedBatch(List<DecodedRecord> records) {
    }

    /**
     * Parses, dates and converts a batch under the schema current now. It takes no lock, so a consumer may decode
     * its next batch while the previous one is being written; a schema that changed meanwhile is handled by append.
     */
    public DecodedBatch decode(List<SourceRecord> batch) {
        return new DecodedBatch(decoders.json().decode(batch));
    }

    public BatchResult append(DecodedBatch batch) throws IOException {
        synchronized (this) {
            checkUsable();
            failBatchOnError(() -> {
                partitions.addFor(batch.records());
                decoders.json().inferInitialSchema(batch.records());
            });
        }
        return land(batch.records(), true);
    }

    /**
     * Appends rows whose types ksqlDB declared ({@code schema}, from the query header). Within a partition, rows
     * must come in non-decreasing offset order (ROWTIME for ksqlDB polls); a new set of columns starts a new
     * schema version. A row whose value does not match its declared type is rejected.
     */
    public BatchResult appendDeclared(KsqlRowSchema schema, List<KsqlRowDecoder.Row> batch) throws IOException {
        List<DecodedRecord> decoded;
        synchronized (this) {
            checkUsable();
            decoded = decoders.rows().decode(schema, batch, clock.millis());
            failBatchOnError(() -> partitions.addFor(decoded));
        }
        return land(decoded, false);
    }

    /**
     * Appends records their source converted itself (a JDBC poll): positions within a partition non-decreasing, as
     * for {@link #appendDeclared}; a record with a rejection goes to {@code _rejected/}.
     */
    public BatchResult appendConverted(List<DecodedRecord> batch) throws IOException {
        synchronized (this) {
            checkUsable();
            failBatchOnError(() -> partitions.addFor(batch));
        }
        return land(batch, false);
    }

    /**
     * Refuses a closed writer, and fails once after an idle file could not be published: the source has moved past
     * the records that file held, so it must read again from the last commit (or repeat its poll) before going on.
     */
    private void checkUsable() throws IOException {
        if (closed) {
            throw new IllegalStateException("writer of feed " + feed.name() + " is closed");
        }
        String failure = failures.takeUntold();
        if (failure != null) {
            partitions.resetAll();
            throw new IOException("feed " + feed.name() + ": an earlier publish failed (" + failure
                    + "); re-reading from the last committed offsets");
        }
    }

    /**
     * True once after an idle file could not be published: its records are behind the Kafka consumer's position, and
     * an idle topic would bring no batch to fail; the consumer goes back to its committed offsets so that one comes.
     */
    public synchronized boolean takeRewindRequest() {
        return failures.takeRewindRequest();
    }

    /**
     * Lands a decoded batch ({@link BatchWriter}), then publishes what the limits of the feed as a whole make due. On
     * any failure the open files of every partition are discarded (their records are read again from the last commit)
     * and the error recorded; on success the counters.
     */
    private BatchResult land(List<DecodedRecord> batch, boolean fromKafka) throws IOException {
        long now = clock.millis();
        BatchWriter.Written written;
        try {
            written = batches.write(batch, now, fromKafka, quality.newBatch());
        } catch (IOException | RuntimeException e) {
            batchFailed(e);
            throw e;
        }
        synchronized (this) {
            failBatchOnError(() -> {
                for (TopicPartitionWriter.OpenFile of : Rotation.due(partitions.openFiles(), settings, feed.name(), now)) {
                    of.partition.publishIfOpen(of);
                }
            });
            stats.handedOver(written.partitions());
        }
        stats.batch(written.written(), written.rejected(), written.skipped());
        return new BatchResult(written.written(), written.rejected(), written.skipped());
    }

    /** A step of a batch, which fails the batch if it fails. */
    @FunctionalInterface
    private interface BatchStep {
        void run() throws IOException;
    }

    private void failBatchOnError(BatchStep step) throws IOException {
        try {
            step.run();
        } catch (IOException | RuntimeException e) {
            batchFailed(e);
            throw e;
        }
    }

    /** A batch failed: every unpublished file is discarded, nothing is committed, readiness says why. */
    private synchronized void batchFailed(Exception e) {
        String reason = Failures.reason(e);
        LOG.error("feed {}: batch failed, unpublished files discarded, nothing committed: {}", feed.name(), reason);
        partitions.resetAll();
        failures.failed(reason);
    }

    /**
     * Publishes files that reached their age or idle limit; called by a timer so that an idle partition's data still
     * lands. Offsets for them are committed with the partition's next batch (or on revocation); until then a restart
     * skips them as already published.
     */
    public synchronized void rotateExpired() {
        if (closed) {
            return;
        }
        long now = clock.millis();
        for (TopicPartitionWriter.OpenFile of : Rotation.expired(partitions.openFiles(), settings, now)) {
            try {
                of.partition.publishIfOpen(of);
            } catch (IOException | RuntimeException e) {
                // the consumer is past these records: make its next batch fail so it re-reads from the commit
                String reason = Failures.reason(e);
                LOG.error("feed {}: publishing an idle file failed, unpublished files discarded, nothing committed: {}",
                        feed.name(), reason);
                partitions.resetAll();
                failures.idlePublishFailed(reason);
                return;
            }
        }
    }

    /** Offsets that may be committed now for the partitions this consumer owns (see {@link PartitionWriters}). */
    public synchronized Map<TopicPartition, Long> committable(Collection<TopicPartition> owned) {
        return partitions.committable(owned);
    }

    public synchronized void committed(Map<TopicPartition, Long> offsets) {
        partitions.committed(offsets);
    }

    /** Partitions are being revoked: publish what is open for them so that their offsets can be committed now. */
    public synchronized Map<TopicPartition, Long> publishRevoked(Collection<TopicPartition> revoked) {
        return partitions.publishRevoked(revoked, (tp, e) -> {
            LOG.error("feed {}: publishing {} on revocation failed: {}", feed.name(), tp, Failures.reason(e));
            failures.failed(Failures.reason(e));
        });
    }

    /** Who says whether this process still owns a partition (its Kafka consumer); by default it does. */
    public void ownedBy(PartitionOwnership ownership) {
        publisher.ownedBy(ownership);
    }

    /** Partitions were lost or (re)assigned: whatever is open for them is void, and the lake must be read again. */
    public synchronized void reset(Collection<TopicPartition> tps) {
        partitions.reset(tps);
    }

    /** Publishes every open file (end of a poll), so that the lake holds everything seen so far. */
    public synchronized void publishAll() throws IOException {
        checkUsable(); // an idle file of this poll failed meanwhile: publishing the rest would move the watermark past it
        try {
            partitions.publishAll();
        } catch (IOException | RuntimeException e) {
            partitions.resetAll();
            failures.failed(Failures.reason(e));
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
        Set<LocalDate> open = new HashSet<>();
        partitions.openFiles().forEach(of -> open.add(of.day));
        List<String> deleted = folder.deleteDaysBefore(cutoff, open, dryRun);
        if (!dryRun && !deleted.isEmpty()) {
            metadata.daysDeleted(deleted);
            exportLog.write(StreamFolder.retentionLine(exportLog, feed, cutoff, deleted));
            LOG.info("{}: retention deleted {} partition(s) before {}", feed.name(), deleted.size(), cutoff);
        }
        return deleted;
    }

    /** Records a maintenance action (archiving, permissions) in {@code _metadata.json}. */
    public synchronized void annotate(String key, JsonNode value) throws IOException {
        metadata.annotate(key, value);
    }

    /** The positions and the poll outcomes of the source that polls into this writer (ksqlDB, JDBC). */
    public PolledSource polled() {
        return polled;
    }

    /** Publishes what is still open (each file is complete and its offsets are in its name), then stops. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        for (TopicPartitionWriter.OpenFile of : partitions.openFiles()) {
            try {
                of.partition.publish(of);
            } catch (IOException | RuntimeException e) {
                LOG.warn("feed {}: could not publish on close: {}", feed.name(), Failures.reason(e));
            }
        }
        partitions.resetAll();
        settings.memoryBudget().release(feed.name());
        closed = true;
        storage.release(folder.dir());
    }

    /** Bytes the open files of this feed hold in memory. */
    public synchronized long bufferedBytes() {
        return partitions.bufferedBytes();
    }

    /** The highest offset handed to this writer per partition (landed, rejected or skipped as already landed). */
    public Map<TopicPartition, Long> highestOffsetsSeen() {
        return stats.highestOffsetsSeen();
    }

    /** Why this feed's records cannot land (the last failed batch or publish), or null once a file has landed since. */
    public String landingFailure() {
        return failures.reason();
    }

    /** What this writer has done since it started. */
    public FeedStats counters() {
        return stats;
    }
}
