package org.cameldatalake.sink;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.common.TopicPartition;
import org.cameldatalake.decode.StreamDecoders;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.metadata.Manifests;
import org.cameldatalake.metadata.PartitionManifest;
import org.cameldatalake.metadata.StreamMetadata;
import org.cameldatalake.storage.Failures;
import org.cameldatalake.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream feed's metadata as its writer keeps it. What a source partition contributes (files, records, offsets,
 * rejects, a poll's watermark) goes into that partition's manifest, read afresh and replaced on each change by its one
 * owner ({@link Manifests}); {@code _metadata.json} is then rewritten whole from all manifests, with the schemas and
 * the last error this instance knows. Several instances on one lake thus never lose each other's counts; a rewrite
 * of {@code _metadata.json} that races another's may show a count a moment old, which the next rewrite corrects, and
 * readers that need the exact figures merge the manifests themselves.
 */
final class StreamFeedMetadata {
    private static final Logger LOG = LoggerFactory.getLogger(StreamFeedMetadata.class);

    private final FeedDefinition feed;
    private final Storage storage;
    private final Path path;
    private final Path feedDir;
    private final ZoneId zone;
    private final Clock clock;
    private final Manifests manifests;
    private StreamMetadata metadata = new StreamMetadata();
    private boolean beforeManifests;

    StreamFeedMetadata(FeedDefinition feed, Storage storage, Path path, Path feedDir, ZoneId zone, Clock clock) {
        this.feed = feed;
        this.storage = storage;
        this.path = path;
        this.feedDir = feedDir;
        this.zone = zone;
        this.clock = clock;
        this.manifests = new Manifests(storage, feedDir, feed.securityLevel().fileMode(), feed.securityLevel().dirMode());
    }

    /** Reads what the lake holds (nothing yet: empty). */
    synchronized StreamMetadata load() throws IOException {
        metadata = storage.exists(path) ? StreamMetadata.parse(storage.read(path)) : new StreamMetadata();
        beforeManifests = storage.exists(path) && !manifests.exist();
        return metadata;
    }

    /** The schema the feed's files were last written with, into the decoder of its kind. */
    synchronized void restoreSchemas(StreamDecoders decoders) {
        if (metadata.schemas().isEmpty()) {
            return;
        }
        StreamMetadata.SchemaVersion last = metadata.schemas().get(metadata.schemas().size() - 1);
        decoders.restore(last.version(), last.fields());
    }

    /**
     * At start: brings every source partition's manifest up to date with the files the lake holds (in a lake written
     * before manifests existed, makes them, carrying over what no file tells: quality counts and watermarks).
     */
    synchronized void reconcile(StreamFolder folder) throws IOException {
        Map<String, PartitionManifest> before = new HashMap<>();
        manifests.readAll().forEach(m -> before.put(m.source(), m));
        StreamFolder.Listing listing = folder.list();
        Set<TopicPartition> tps = new HashSet<>(listing.data().keySet());
        tps.addAll(listing.rejected().keySet());
        for (String source : before.keySet()) {
            int dash = source.lastIndexOf('-');
            if (dash > 0 && source.substring(dash + 1).chars().allMatch(Character::isDigit)) {
                tps.add(new TopicPartition(source.substring(0, dash), Integer.parseInt(source.substring(dash + 1))));
            }
        }
        reconcile(folder, tps, listing, before);
        if (beforeManifests) {
            carryOver();
            beforeManifests = false;
        }
        write();
    }

    /** Partitions this instance has just been given: their manifests as their files say (the last owner may have died). */
    synchronized void reconcile(StreamFolder folder, Collection<TopicPartition> tps, StreamFolder.Listing listing,
                                Map<String, PartitionManifest> readBeforeListing) throws IOException {
        for (TopicPartition tp : tps) {
            String source = StreamFolder.sourceKey(tp);
            PartitionManifest m = readBeforeListing.getOrDefault(source, new PartitionManifest(source));
            folder.reconcile(tp, listing, m, manifests, clock.millis());
        }
    }

    /** The manifests of {@code tps} as they are now: read before a listing that {@link #reconcile} compares them with. */
    Map<String, PartitionManifest> manifestsOf(Collection<TopicPartition> tps) throws IOException {
        Map<String, PartitionManifest> out = new HashMap<>();
        for (TopicPartition tp : tps) {
            out.put(StreamFolder.sourceKey(tp), manifests.read(StreamFolder.sourceKey(tp)));
        }
        return out;
    }

    private void carryOver() throws IOException {
        LOG.info("feed {}: its metadata is now kept per source partition in {}/", feed.name(), Manifests.DIR);
        if (!metadata.qualityRejected().isEmpty()) {
            PartitionManifest carried = manifests.read("before-manifests");
            carried.qualityRejected().putAll(metadata.qualityRejected());
            manifests.write(carried);
        }
        for (Map.Entry<String, Long> w : metadata.watermarks().entrySet()) {
            advanceWatermark(w.getKey(), w.getValue());
        }
    }

    /** Rewrites {@code _metadata.json} from the manifests, with the schemas any instance recorded and this one's error. */
    synchronized void write() throws IOException {
        if (storage.exists(path)) {
            try {
                metadata.addMissingSchemas(StreamMetadata.parse(storage.read(path)).schemas());
            } catch (IOException unreadable) {
                LOG.warn("feed {}: {} unreadable, rewritten: {}", feed.name(), storage.relative(path), Failures.reason(unreadable));
            }
        }
        storage.replace(path, manifests.merged(metadata).toJson(feed, zone.getId()));
        storage.secure(path, feedDir, feed.securityLevel().fileMode(), feed.securityLevel().dirMode());
    }

    synchronized void schemaAdded(int version, JsonNode fields) {
        metadata.addSchema(version, clock.instant(), fields);
    }

    synchronized void fileAdded(String partition, long records, long bytes, TopicPartition tp, long lastOffset, Instant at)
            throws IOException {
        PartitionManifest m = manifests.read(StreamFolder.sourceKey(tp));
        long deletedAt = manifests.deletedDays().getOrDefault(partition, -1L);
        if (m.addFile(partition, records, bytes, lastOffset, at.toEpochMilli(), deletedAt)) {
            manifests.write(m);
        }
        metadata.setLastError(null, null);
        write();
    }

    synchronized void rejectedAdded(long records, TopicPartition tp, long lastOffset, Map<String, Long> byRule)
            throws IOException {
        PartitionManifest m = manifests.read(StreamFolder.sourceKey(tp));
        if (m.addRejected(records, lastOffset, byRule)) {
            manifests.write(m);
        }
        write();
    }

    /** Retention deleted these day partitions: they leave the counts of every manifest that had them. */
    synchronized void daysDeleted(List<String> days) throws IOException {
        manifests.daysDeleted(days, clock.millis());
        write();
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
        manifests.annotate(key, value);
        write();
    }

    /** A polled source's watermark, as the lake holds it now (another instance may have moved it since). */
    synchronized long watermark(String source) throws IOException {
        return manifests.read(source + "-0").watermark();
    }

    /** A polled source's cursor (a JDBC feed's), as the lake holds it now; null before the first poll. */
    synchronized JsonNode cursor(String source) throws IOException {
        return manifests.read(source + "-0").cursor();
    }

    synchronized void saveCursor(String source, JsonNode value) throws IOException {
        PartitionManifest m = manifests.read(source + "-0");
        m.setCursor(value);
        manifests.write(m);
        write();
    }

    synchronized void advanceWatermark(String source, long value) throws IOException {
        PartitionManifest m = manifests.read(source + "-0");
        if (value > m.watermark()) {
            m.setWatermark(value);
            manifests.write(m);
            write();
        }
    }
}
