package org.cameldatalake.sink;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.cameldatalake.decode.DecodedRecord;

/**
 * The {@link TopicPartitionWriter}s of one feed, one per source partition it has records of since that partition was
 * (re)assigned; a partition seen for the first time starts from the offset ranges the lake holds for it.
 */
final class PartitionWriters {
    private final StreamFolder folder;
    private final TopicPartitionWriter.Files files;
    private final Map<TopicPartition, TopicPartitionWriter> partitions = new java.util.concurrent.ConcurrentHashMap<>();

    private final StreamFeedMetadata metadata;

    PartitionWriters(StreamFolder folder, StreamFeedMetadata metadata, TopicPartitionWriter.Files files) {
        this.folder = folder;
        this.metadata = metadata;
        this.files = files;
    }

    /**
     * Writers for the partitions of a batch seen for the first time, with one listing of the lake; their manifests are
     * brought up to date with it first (the instance that owned them before may have died between a file and its count).
     */
    void addFor(List<DecodedRecord> batch) throws IOException {
        Map<TopicPartition, Long> firstSeen = new HashMap<>();
        for (DecodedRecord d : batch) {
            TopicPartition tp = new TopicPartition(d.source().topic(), d.source().partition());
            if (!partitions.containsKey(tp)) {
                firstSeen.merge(tp, d.source().offset(), Math::min);
            }
        }
        if (!firstSeen.isEmpty()) {
            folder.abortUploadsOf(firstSeen.keySet());
            Map<String, org.cameldatalake.metadata.PartitionManifest> manifests = metadata.manifestsOf(firstSeen.keySet());
            StreamFolder.Listing listing = folder.list();
            metadata.reconcile(folder, firstSeen.keySet(), listing, manifests);
            folder.ranges(firstSeen, listing).forEach((tp, ranges) -> partitions.put(tp, new TopicPartitionWriter(tp, ranges, files)));
        }
    }

    TopicPartitionWriter get(TopicPartition tp) {
        return partitions.get(tp);
    }

    Collection<TopicPartitionWriter> all() {
        return partitions.values();
    }

    List<TopicPartitionWriter.OpenFile> openFiles() {
        List<TopicPartitionWriter.OpenFile> all = new ArrayList<>();
        partitions.values().forEach(p -> all.addAll(p.openFiles()));
        return all;
    }

    /** Publishes every open file, up to the first that fails. */
    void publishAll() throws IOException {
        for (TopicPartitionWriter.OpenFile of : openFiles()) {
            of.partition.publish(of);
        }
    }

    /** Bytes the open files hold in memory. */
    long bufferedBytes() {
        return openFiles().stream().mapToLong(TopicPartitionWriter.OpenFile::buffered).sum();
    }

    /**
     * Offsets that may be committed now for the partitions in {@code owned} (all with null): the first offset of the
     * oldest unpublished file, or just past the last record seen — where that is past the last commit.
     */
    Map<TopicPartition, Long> committable(Collection<TopicPartition> owned) {
        Map<TopicPartition, Long> out = new LinkedHashMap<>();
        for (TopicPartitionWriter p : partitions.values()) {
            long next = p.committable();
            if ((owned == null || owned.contains(p.tp)) && next >= 0 && next > p.committed()) {
                out.put(p.tp, next);
            }
        }
        return out;
    }

    void committed(Map<TopicPartition, Long> offsets) {
        offsets.forEach((tp, o) -> {
            TopicPartitionWriter p = partitions.get(tp);
            if (p != null) {
                p.committed(o);
            }
        });
    }

    /** Drops what is open for these partitions and what they saw: their next records start from the lake again. */
    void reset(Collection<TopicPartition> tps) {
        for (TopicPartition tp : tps) {
            TopicPartitionWriter p = partitions.remove(tp);
            if (p != null) {
                p.abandon();
            }
        }
    }

    void resetAll() {
        partitions.values().forEach(TopicPartitionWriter::abandon);
        partitions.clear();
    }

    /**
     * Publishes what is open for partitions being revoked, so that their offsets can be committed now; a partition
     * whose publish fails is told to {@code failed} and reset (its records come again to the next owner).
     */
    Map<TopicPartition, Long> publishRevoked(Collection<TopicPartition> revoked,
                                             java.util.function.BiConsumer<TopicPartition, Exception> failed) {
        java.util.Set<TopicPartition> failing = new java.util.HashSet<>();
        for (TopicPartition tp : revoked) {
            TopicPartitionWriter p = partitions.get(tp);
            for (TopicPartitionWriter.OpenFile of : p == null ? List.<TopicPartitionWriter.OpenFile>of() : p.openFiles()) {
                try {
                    p.publish(of);
                } catch (IOException | RuntimeException e) {
                    failed.accept(tp, e);
                    failing.add(tp);
                    break;
                }
            }
        }
        reset(failing);
        return committable(revoked);
    }
}
