package org.cameldatalake.sink;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.common.TopicPartition;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.format.RecordFormat;
import org.cameldatalake.metadata.ExportLog;
import org.cameldatalake.partition.DailyPartitioning;
import org.cameldatalake.partition.LakeLayout;
import org.cameldatalake.partition.StreamFileName;
import org.cameldatalake.schema.RowSchema;
import org.cameldatalake.storage.Failures;
import org.cameldatalake.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a stream feed's finished files into the lake: a data file into its day partition under the name that carries
 * its offsets, a batch's rejected records into {@code _rejected/}; then records each in the feed's metadata, its
 * counters and the export log. A published data file clears the feed's {@link LandingFailures landing failure}.
 */
final class FilePublisher implements TopicPartitionWriter.Files {
    private static final Logger LOG = LoggerFactory.getLogger(FilePublisher.class);

    private final FeedDefinition feed;
    private final Storage storage;
    private final LakeLayout layout;
    private final AppendSettings settings;
    private final Clock clock;
    private final ExportLog exportLog;
    private final StreamFeedMetadata metadata;
    private final FeedStats stats;
    private final RecordFormat format;
    private final LandingFailures failures;
    private volatile PartitionOwnership ownership = PartitionOwnership.SOLE;

    FilePublisher(FeedDefinition feed, LakeLayout layout, AppendSettings settings, Clock clock, ExportLog exportLog,
                  StreamFeedMetadata metadata, FeedStats stats, RecordFormat format, LandingFailures failures) {
        this.format = format;
        this.failures = failures;
        this.feed = feed;
        this.storage = layout.storage();
        this.layout = layout;
        this.settings = settings;
        this.clock = clock;
        this.exportLog = exportLog;
        this.metadata = metadata;
        this.stats = stats;
    }

    void ownedBy(PartitionOwnership ownership) {
        this.ownership = ownership;
    }

    /** A new file of the partition for one day, in the feed's folder of the store, invisible until published. */
    @Override
    public TopicPartitionWriter.OpenFile open(TopicPartitionWriter p, LocalDate day, RowSchema schema, long now) throws IOException {
        Storage.PendingFile out = storage.create(layout.streamDir(feed.name()));
        try {
            return new TopicPartitionWriter.OpenFile(p, day, schema, out, format.open(out, schema.avro(), feed.compression()), now);
        } catch (IOException | RuntimeException e) {
            out.abort();
            throw e;
        }
    }

    /**
     * Closes the file and commits it into its day partition, then records it. Once committed the file is in the lake
     * whatever fails next (metadata): a replay skips its offsets. A failure names the feed, the file and the cause.
     */
    @Override
    public void publish(TopicPartitionWriter.OpenFile of) throws IOException {
        TopicPartition tp = of.partition.tp;
        String partition = DailyPartitioning.INSTANCE.folder(of.day);
        Path dest;
        long bytes;
        Instant at;
        try {
            of.writer.close();
            at = clock.instant();
            dest = layout.streamFile(feed.name(), of.day, StreamFileName.data(at, tp.topic(), tp.partition(), of.first, of.last));
            // the ownership of a Kafka partition is checked at the last moment before the file becomes visible; a
            // source only one process reads needs no check, nor the multipart upload that makes it the last moment
            bytes = ownership == PartitionOwnership.SOLE ? of.out.commit(dest)
                    : of.out.commit(dest, () -> ownership.check(tp));
        } catch (IOException | RuntimeException e) {
            of.out.abort();
            throw new IOException("could not publish " + tp + " offsets " + of.first + ".." + of.last + " into "
                    + storage.relative(layout.streamDir(feed.name())) + "/" + partition + ": " + Failures.reason(e), e);
        }
        stats.published(of.records, bytes, at.toEpochMilli());
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
        storage.secure(dest, layout.streamDir(feed.name()), feed.securityLevel().fileMode(), feed.securityLevel().dirMode());
        metadata.fileAdded(partition, of.records, bytes, tp, of.last, at);
        failures.published();
    }

    /** A partition's rejected records of this batch, as one file, before any of their offsets can be committed. */
    @Override
    public void publishRejected(TopicPartitionWriter p) throws IOException {
        if (!p.rejectedReady()) {
            return;
        }
        ownership.check(p.tp);
        Instant at = clock.instant();
        String name = StreamFileName.rejected(at, p.tp.topic(), p.tp.partition(), p.rejectedFirst(), p.rejectedLast()).toString();
        Path dest = RejectedRecords.publish(storage, exportLog, feed, settings.zone(), at, name, p.tp.topic(),
                p.tp.partition(), p.rejectedFirst(), p.rejectedLast(), p.rejectedLines());
        Map<String, Long> byRule = p.rejectedByRule();
        metadata.rejectedAdded(p.rejectedLines().size(), p.tp, p.rejectedLast(), byRule);
        stats.qualityRejected(byRule);
        LOG.warn("{}: {} record(s) rejected to {}", feed.name(), p.rejectedLines().size(), storage.relative(dest));
        p.rejectedPublished();
    }
}
