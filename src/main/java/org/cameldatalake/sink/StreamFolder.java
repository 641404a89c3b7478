package org.cameldatalake.sink;

import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.common.TopicPartition;
import org.cameldatalake.format.RecordFormat;
import org.cameldatalake.metadata.StreamMetadata;
import org.cameldatalake.partition.DailyPartitioning;
import org.cameldatalake.partition.LakeLayout;
import org.cameldatalake.partition.StreamFileName;
import org.cameldatalake.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a stream feed's folder in the lake holds, read from the lake itself: the offset ranges of published files
 * (what a restart trusts), the counts its metadata should show, and the day partitions retention removes.
 */
final class StreamFolder {
    private static final Logger LOG = LoggerFactory.getLogger(StreamFolder.class);

    private final String feed;
    private final LakeLayout layout;
    private final Storage storage;
    private final RecordFormat format;
    private final Path dir;

    StreamFolder(String feed, LakeLayout layout, RecordFormat format) {
        this.feed = feed;
        this.layout = layout;
        this.storage = layout.storage();
        this.format = format;
        this.dir = layout.streamDir(feed);
    }

    Path dir() {
        return dir;
    }

    /**
     * The offset ranges the lake holds for partitions seen from {@code firstSeen} on, with one listing of the feed's
     * data files and one of its rejected records; the uploads of those partitions' files left incomplete are aborted.
     */
    Map<TopicPartition, PublishedRanges> ranges(Map<TopicPartition, Long> firstSeen) throws IOException {
        Map<TopicPartition, PublishedRanges> ranges = new HashMap<>();
        firstSeen.keySet().forEach(tp -> ranges.put(tp, new PublishedRanges()));
        // the uploads the partitions' previous writer never completed: invisible, but kept (and billed) until aborted
        storage.abortUploads(dir, name -> {
            StreamFileName n = StreamFileName.parse(name);
            return n != null && firstSeen.containsKey(new TopicPartition(n.topic(), n.partition()));
        });
        for (FileStatus f : storage.listFiles(dir)) {
            StreamFileName n = StreamFileName.parse(f.getPath().getName());
            if (n == null || !n.prefix().equals("data")) {
                continue;
            }
            TopicPartition tp = new TopicPartition(n.topic(), n.partition());
            Long from = firstSeen.get(tp);
            LocalDate day = layout.dayOf(f.getPath());
            if (from != null && n.lastOffset() >= from && day != null) {
                ranges.get(tp).addData(day, n.firstOffset(), n.lastOffset());
            }
        }
        for (FileStatus f : storage.listFiles(layout.rejectedDir(feed))) {
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
            long highest = e.getValue().highestOffset();
            if (highest >= firstSeen.get(e.getKey())) {
                LOG.info("{}: {} resumes at offset {}; the lake already holds up to {}, those records are skipped",
                        feed, e.getKey(), firstSeen.get(e.getKey()), highest);
            }
        }
        return ranges;
    }

    /** After a crash, metadata may lag behind the published files: recounts the partitions that disagree. */
    void reconcile(StreamMetadata metadata) throws IOException {
        Map<String, List<FileStatus>> byPartition = new HashMap<>();
        for (FileStatus f : storage.listFiles(dir)) {
            String part = DailyPartitioning.INSTANCE.folderOf(storage.relative(f.getPath()));
            if (f.getPath().getName().endsWith("." + format.extension()) && part != null) {
                byPartition.computeIfAbsent(part, k -> new ArrayList<>()).add(f);
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
                records += format.recordCount(storage.inputFile(f));
            }
            LOG.info("{}: metadata of {} brought up to date with the lake ({} files, {} records)", feed, part,
                    files.size(), records);
            metadata.setPartition(part, new StreamMetadata.PartitionStats(records, bytes, files.size()));
        }
        List<FileStatus> rejected = storage.listFiles(layout.rejectedDir(feed)).stream()
                .filter(f -> f.getPath().getName().endsWith(".jsonl")).toList();
        if (rejected.size() != metadata.rejectedFiles()) {
            long lines = 0;
            for (FileStatus f : rejected) {
                for (byte b : storage.read(f.getPath())) {
                    if (b == '\n') {
                        lines++;
                    }
                }
            }
            metadata.setRejected(lines, rejected.size());
        }
    }

    /**
     * Deletes the day partitions older than {@code cutoff} except those in {@code open} (late data still being
     * written: they wait for the next run) and takes them out of {@code metadata}; returns them, oldest first, or
     * those that would go with {@code dryRun}. Folders are only ever removed empty: a file published meanwhile stays.
     */
    List<String> deleteDaysBefore(LocalDate cutoff, Set<LocalDate> open, boolean dryRun, StreamMetadata metadata)
            throws IOException {
        List<String> deleted = new ArrayList<>();
        for (FileStatus y : storage.list(dir)) {
            if (!y.isDirectory() || !y.getPath().getName().startsWith("year=")) {
                continue;
            }
            for (FileStatus m : storage.list(y.getPath())) {
                for (FileStatus d : storage.list(m.getPath())) {
                    LocalDate day = layout.dayOf(d.getPath());
                    if (day == null || !day.isBefore(cutoff) || open.contains(day)) {
                        continue;
                    }
                    String part = DailyPartitioning.INSTANCE.folder(day);
                    deleted.add(part);
                    if (!dryRun) {
                        storage.delete(d.getPath(), true);
                        metadata.setPartition(part, new StreamMetadata.PartitionStats(0, 0, 0));
                    }
                }
                if (!dryRun) {
                    storage.deleteIfEmpty(m.getPath());
                }
            }
            if (!dryRun) {
                storage.deleteIfEmpty(y.getPath());
            }
        }
        Collections.sort(deleted); // zero-padded paths: chronological
        return deleted;
    }
}
