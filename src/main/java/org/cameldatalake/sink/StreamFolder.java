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
import org.cameldatalake.metadata.Manifests;
import org.cameldatalake.metadata.PartitionManifest;
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

    /** The feed's published files, data and rejected, as one listing of the lake found them, by source partition. */
    record Listing(Map<TopicPartition, List<Published>> data, Map<TopicPartition, List<Published>> rejected) {
    }

    record Published(FileStatus status, StreamFileName name, LocalDate day) {
    }

    /**
     * Aborts the uploads of these partitions' files that their previous writer never completed: invisible, but kept
     * (and billed) until aborted. Nothing to do on a store that has no such uploads.
     */
    void abortUploadsOf(java.util.Set<TopicPartition> taken) throws IOException {
        storage.abortUploads(dir, name -> {
            StreamFileName n = StreamFileName.parse(name);
            return n != null && taken.contains(new TopicPartition(n.topic(), n.partition()));
        });
    }

    Listing list() throws IOException {
        Map<TopicPartition, List<Published>> data = new HashMap<>();
        for (FileStatus f : storage.listFiles(dir)) {
            StreamFileName n = StreamFileName.parse(f.getPath().getName());
            LocalDate day = layout.dayOf(f.getPath());
            if (n != null && n.prefix().equals("data") && day != null) {
                data.computeIfAbsent(new TopicPartition(n.topic(), n.partition()), k -> new ArrayList<>())
                        .add(new Published(f, n, day));
            }
        }
        Map<TopicPartition, List<Published>> rejected = new HashMap<>();
        for (FileStatus f : storage.listFiles(layout.rejectedDir(feed))) {
            StreamFileName n = StreamFileName.parse(f.getPath().getName());
            if (n != null && n.prefix().equals("rejected")) {
                rejected.computeIfAbsent(new TopicPartition(n.topic(), n.partition()), k -> new ArrayList<>())
                        .add(new Published(f, n, null));
            }
        }
        return new Listing(data, rejected);
    }

    /** The offset ranges the lake holds for partitions seen from {@code firstSeen} on. */
    Map<TopicPartition, PublishedRanges> ranges(Map<TopicPartition, Long> firstSeen, Listing listing) {
        Map<TopicPartition, PublishedRanges> ranges = new HashMap<>();
        firstSeen.forEach((tp, from) -> {
            PublishedRanges r = new PublishedRanges();
            for (Published p : listing.data().getOrDefault(tp, List.of())) {
                if (p.name().lastOffset() >= from) {
                    r.addData(p.day(), p.name().firstOffset(), p.name().lastOffset());
                }
            }
            for (Published p : listing.rejected().getOrDefault(tp, List.of())) {
                if (p.name().lastOffset() >= from) {
                    r.addRejected(p.name().firstOffset(), p.name().lastOffset());
                }
            }
            if (r.highestOffset() >= from) {
                LOG.info("{}: {} resumes at offset {}; the lake already holds up to {}, those records are skipped",
                        feed, tp, from, r.highestOffset());
            }
            ranges.put(tp, r);
        });
        return ranges;
    }

    /**
     * After a crash a partition's manifest may lag behind its published files (or files were removed by hand):
     * recounts the day partitions where they disagree. {@code m} was read before the listing was taken, and is read
     * again before it is replaced: if its owner changed it meanwhile, the owner's count stands (it is the newer one).
     */
    boolean reconcile(TopicPartition tp, Listing listing, PartitionManifest m, Manifests manifests, long now)
            throws IOException {
        byte[] before = m.toJson();
        Map<String, List<Published>> byDay = new HashMap<>();
        for (Published p : listing.data().getOrDefault(tp, List.of())) {
            byDay.computeIfAbsent(DailyPartitioning.INSTANCE.folder(p.day()), k -> new ArrayList<>()).add(p);
        }
        Set<String> days = new HashSet<>(m.days().keySet());
        days.addAll(byDay.keySet());
        boolean changed = false;
        for (String day : days) {
            List<Published> files = byDay.getOrDefault(day, List.of());
            long bytes = files.stream().mapToLong(p -> p.status().getLen()).sum();
            PartitionManifest.Day recorded = m.days().get(day);
            if (recorded != null && recorded.files() == files.size() && recorded.bytes() == bytes) {
                continue;
            }
            long records = 0;
            long last = -1;
            for (Published p : files) {
                records += format.recordCount(storage.inputFile(p.status()));
                last = Math.max(last, p.name().lastOffset());
            }
            LOG.info("{}: metadata of {} {} brought up to date with the lake ({} files, {} records)", feed, tp, day,
                    files.size(), records);
            m.setDay(day, new PartitionManifest.Day(records, bytes, files.size(), last, now));
            changed = true;
        }
        List<Published> rejected = listing.rejected().getOrDefault(tp, List.of());
        if (rejected.size() != m.rejectedFiles()) {
            long lines = 0;
            long last = -1;
            for (Published p : rejected) {
                for (byte b : storage.read(p.status().getPath())) {
                    if (b == '\n') {
                        lines++;
                    }
                }
                last = Math.max(last, p.name().lastOffset());
            }
            m.setRejected(lines, rejected.size(), last);
            changed = true;
        }
        if (changed && java.util.Arrays.equals(before, manifests.read(m.source()).toJson())) {
            manifests.write(m);
            return true;
        }
        return false;
    }

    static String sourceKey(TopicPartition tp) {
        return tp.topic() + "-" + tp.partition();
    }

    /**
     * Deletes the day partitions older than {@code cutoff} except those in {@code open} (late data still being
     * written: they wait for the next run); returns them, oldest first, or
     * those that would go with {@code dryRun}. Folders are only ever removed empty: a file published meanwhile stays.
     */
    List<String> deleteDaysBefore(LocalDate cutoff, Set<LocalDate> open, boolean dryRun)
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

    /** The export log's line for a retention run that deleted {@code deleted}. */
    static com.fasterxml.jackson.databind.node.ObjectNode retentionLine(org.cameldatalake.metadata.ExportLog exportLog,
            org.cameldatalake.feed.FeedDefinition feed, LocalDate cutoff, List<String> deleted) {
        com.fasterxml.jackson.databind.node.ObjectNode log = exportLog.line(feed.name(), "retention");
        log.put("retention_days", feed.retentionDays());
        log.put("cutoff", cutoff.toString());
        deleted.forEach(log.putArray("partitions_deleted")::add);
        return log;
    }
}
