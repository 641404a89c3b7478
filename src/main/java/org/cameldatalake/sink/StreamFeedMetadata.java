package org.cameldatalake.sink;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.common.TopicPartition;
import org.cameldatalake.decode.JsonValueDecoder;
import org.cameldatalake.decode.KsqlRowDecoder;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.metadata.StreamMetadata;
import org.cameldatalake.schema.FeedSchema;
import org.cameldatalake.schema.InferredType;
import org.cameldatalake.schema.KsqlRowSchema;
import org.cameldatalake.schema.KsqlType;
import org.cameldatalake.storage.Failures;
import org.cameldatalake.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream feed's {@code _metadata.json} as its writer keeps it: in memory, each change written whole with one
 * replace (a rename on a local disk, one PUT on an object store), with the feed's modes. Partitions written in
 * parallel record their files here, one at a time.
 */
final class StreamFeedMetadata {
    private static final Logger LOG = LoggerFactory.getLogger(StreamFeedMetadata.class);

    private final FeedDefinition feed;
    private final Storage storage;
    private final Path path;
    private final Path feedDir;
    private final ZoneId zone;
    private final Clock clock;
    private StreamMetadata metadata = new StreamMetadata();

    StreamFeedMetadata(FeedDefinition feed, Storage storage, Path path, Path feedDir, ZoneId zone, Clock clock) {
        this.feed = feed;
        this.storage = storage;
        this.path = path;
        this.feedDir = feedDir;
        this.zone = zone;
        this.clock = clock;
    }

    /** Reads what the lake holds (nothing yet: empty). */
    synchronized StreamMetadata load() throws IOException {
        metadata = storage.exists(path) ? StreamMetadata.parse(storage.read(path)) : new StreamMetadata();
        return metadata;
    }

    /** The schema the feed's files were last written with, into the decoder of its kind. */
    synchronized void restoreSchemas(JsonValueDecoder json, KsqlRowDecoder rows) {
        if (metadata.schemas().isEmpty()) {
            return;
        }
        StreamMetadata.SchemaVersion last = metadata.schemas().get(metadata.schemas().size() - 1);
        if (last.fields().isTextual()) {
            rows.restore(new KsqlRowSchema(feed.name(), last.version(), KsqlType.parseColumns(last.fields().asText())));
        } else {
            json.restore(new FeedSchema(feed.name(), last.version(), InferredType.fromJson(last.fields())));
        }
    }

    synchronized StreamMetadata get() {
        return metadata;
    }

    synchronized void write() throws IOException {
        storage.replace(path, metadata.toJson(feed, zone.getId()));
        storage.secure(path, feedDir, feed.securityLevel().fileMode(), feed.securityLevel().dirMode());
    }

    synchronized void schemaAdded(int version, JsonNode fields) {
        metadata.addSchema(version, clock.instant(), fields);
    }

    synchronized void fileAdded(String partition, long records, long bytes, TopicPartition tp, long lastOffset, Instant at)
            throws IOException {
        metadata.addFile(partition, records, bytes, key(tp), lastOffset, at);
        write();
    }

    /** {@code byRule}: of those records, how many each quality rule rejected. */
    synchronized void rejectedAdded(long records, TopicPartition tp, long lastOffset, java.util.Map<String, Long> byRule)
            throws IOException {
        metadata.addRejected(records, key(tp), lastOffset);
        metadata.addQualityRejected(byRule);
        write();
    }

    private static String key(TopicPartition tp) {
        return tp.topic() + "-" + tp.partition();
    }

    /** Records why the feed failed, until the next published file or successful poll; never throws. */
    synchronized void recordError(String error) {
        try {
            String at = clock.instant().toString();
            metadata.setLastError(at, at + " " + error);
            write();
        } catch (IOException | RuntimeException e) {
            LOG.warn("feed {}: could not record the error in metadata: {}", feed.name(), Failures.reason(e));
        }
    }

    synchronized void clearError() throws IOException {
        if (metadata.lastError() != null) {
            metadata.setLastError(null, null);
            write();
        }
    }

    synchronized void annotate(String key, JsonNode value) throws IOException {
        metadata.annotate(key, value);
        write();
    }

    synchronized long watermark(String source) {
        return metadata.watermark(source);
    }

    synchronized JsonNode cursor(String source) {
        return metadata.cursor(source);
    }

    synchronized void saveCursor(String source, JsonNode value) throws IOException {
        metadata.setCursor(source, value);
        write();
    }

    synchronized void advanceWatermark(String source, long value) throws IOException {
        if (value > metadata.watermark(source)) {
            metadata.setWatermark(source, value);
            write();
        }
    }
}
