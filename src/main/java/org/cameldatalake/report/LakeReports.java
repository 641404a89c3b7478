package org.cameldatalake.report;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.cameldatalake.feed.FeedCatalog;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.storage.Storage;
import org.cameldatalake.metadata.Manifests;
import org.cameldatalake.metadata.StreamMetadata;
import org.cameldatalake.partition.DailyPartitioning;
import org.cameldatalake.partition.LakeLayout;
import org.cameldatalake.metadata.TableMetadata;

/**
 * Builds a {@link LakeReport}: every feed with a folder in the lake (records from its {@code _metadata.json}, sizes
 * from the files on disk) and every feed file that has not landed anything yet.
 */
public final class LakeReports {

    private LakeReports() {
    }

    public static LakeReport build(Storage storage, java.nio.file.Path feedsDir, Clock clock) throws IOException {
        return build(storage, feedsDir, clock, name -> true);
    }

    /** The report of the feeds {@code included} names; the lake folders of the others are not read at all. */
    public static LakeReport build(Storage storage, java.nio.file.Path feedsDir, Clock clock,
                                   java.util.function.Predicate<String> included) throws IOException {
        Map<String, FeedDefinition> declared = new LinkedHashMap<>();
        Map<String, String> state = new LinkedHashMap<>();
        for (String folder : List.of("archived", "active")) { // active wins when a name is in both
            for (FeedDefinition f : FeedCatalog.load(feedsDir, folder).feeds()) {
                if (!included.test(f.name())) {
                    continue;
                }
                declared.put(f.name(), f);
                state.put(f.name(), "archived".equals(folder) ? "archived" : f.enabled() ? "active" : "disabled");
            }
        }
        List<LakeReport.Feed> feeds = new ArrayList<>();
        TreeSet<String> seen = new TreeSet<>();
        LakeLayout layout = new LakeLayout(storage);
        for (FeedDefinition.FeedType type : FeedDefinition.FeedType.values()) {
            for (FileStatus dir : storage.list(layout.typeDir(type))) {
                String name = dir.getPath().getName();
                if (!dir.isDirectory() || name.startsWith("_") || name.startsWith(".") || !included.test(name)) {
                    continue;
                }
                Path meta = new Path(dir.getPath(), LakeLayout.METADATA);
                if (!storage.exists(meta)) {
                    continue;
                }
                seen.add(name);
                feeds.add(type == FeedDefinition.FeedType.TABLE
                        ? table(storage, dir.getPath(), name, declared.get(name), state.getOrDefault(name, "no feed file"))
                        : stream(storage, dir.getPath(), name, declared.get(name), state.getOrDefault(name, "no feed file")));
            }
        }
        for (FeedDefinition f : declared.values()) {
            if (!seen.contains(f.name())) {
                feeds.add(new LakeReport.Feed(f.name(), f.type().json(), f.source().json(), f.sourceName(), state.get(f.name()),
                        0, 0, 0, null, null, 0, null, List.of(), List.of()));
            }
        }
        feeds.sort(java.util.Comparator.comparing(LakeReport.Feed::feed));
        return new LakeReport(Instant.now(clock).toString(), storage.root().toString(), List.copyOf(feeds));
    }

    /**
     * One feed as {@link #build} reports it, from the lake alone (what its feed file says — source, state — is left
     * null), or empty when the lake holds no {@code _metadata.json} for it. {@code name} must be a checked feed name.
     */
    public static java.util.Optional<LakeReport.Feed> landed(Storage storage, String name) throws IOException {
        LakeLayout layout = new LakeLayout(storage);
        for (FeedDefinition.FeedType type : FeedDefinition.FeedType.values()) {
            Path dir = layout.feedDir(type, name);
            if (storage.exists(layout.metadata(type, name))) {
                return java.util.Optional.of(type == FeedDefinition.FeedType.TABLE ? table(storage, dir, name, null, null)
                        : stream(storage, dir, name, null, null));
            }
        }
        return java.util.Optional.empty();
    }

    private static LakeReport.Feed stream(Storage storage, Path dir, String name, FeedDefinition def, String state)
            throws IOException {
        StreamMetadata m = new Manifests(storage, dir).merged(StreamMetadata.parse(storage.read(new Path(dir, LakeLayout.METADATA))));
        Map<String, long[]> onDisk = sizesByFolder(storage, dir);
        List<LakeReport.Partition> parts = new ArrayList<>();
        long records = 0;
        for (Map.Entry<String, StreamMetadata.PartitionStats> e : m.partitions().entrySet()) {
            long[] disk = onDisk.getOrDefault(e.getKey(), new long[2]);
            parts.add(new LakeReport.Partition(e.getKey(), date(e.getKey()), e.getValue().records(), disk[0], disk[1]));
            records += e.getValue().records();
        }
        long[] total = total(onDisk);
        return new LakeReport.Feed(name, "stream", def == null ? null : def.source().json(), def == null ? null : def.sourceName(),
                state, records, total[0], total[1], null, m.lastExport() == null ? null : m.lastExport().toString(),
                m.rejectedRecords(), m.lastError(), List.copyOf(parts), List.of(), m.qualityRejected());
    }

    private static LakeReport.Feed table(Storage storage, Path dir, String name, FeedDefinition def, String state)
            throws IOException {
        TableMetadata m = TableMetadata.parse(storage.read(new Path(dir, LakeLayout.METADATA)));
        Map<String, long[]> onDisk = sizesByFolder(storage, dir);
        List<LakeReport.Version> versions = new ArrayList<>();
        for (TableMetadata.Version v : m.versions()) {
            long[] disk = onDisk.getOrDefault(v.path(), new long[2]);
            versions.add(new LakeReport.Version(v.version(), v.path(), v.records(), disk[0], v.created(),
                    v.version() == m.currentVersion()));
        }
        long[] total = total(onDisk);
        TableMetadata.Version current = m.current();
        return new LakeReport.Feed(name, "table", def == null ? null : def.source().json(), def == null ? null : def.sourceName(),
                state, current == null ? 0 : current.records(), total[0], total[1],
                m.currentVersion() == 0 ? null : m.currentVersion(), m.lastExport(),
                current == null ? 0 : current.rejected(), m.lastError(), List.of(), List.copyOf(versions),
                current == null ? Map.of() : current.qualityRejected());
    }

    /** Bytes and Parquet files per partition/version folder (relative to the feed folder), temporary files left out. */
    private static Map<String, long[]> sizesByFolder(Storage storage, Path feedDir) throws IOException {
        LakeLayout layout = new LakeLayout(storage);
        Map<String, long[]> out = new LinkedHashMap<>();
        for (FileStatus f : storage.listFiles(feedDir)) {
            String rel = layout.relativeToFeed(feedDir, f.getPath());
            if (rel == null || rel.startsWith("_") || !f.getPath().getName().endsWith(".parquet")) {
                continue;
            }
            int slash = rel.lastIndexOf('/');
            long[] acc = out.computeIfAbsent(slash < 0 ? "" : rel.substring(0, slash), k -> new long[2]);
            acc[0] += f.getLen();
            acc[1]++;
        }
        return out;
    }

    private static long[] total(Map<String, long[]> byFolder) {
        long[] t = new long[2];
        byFolder.values().forEach(a -> {
            t[0] += a[0];
            t[1] += a[1];
        });
        return t;
    }

    private static String date(String partitionPath) {
        java.time.LocalDate day = DailyPartitioning.INSTANCE.parse(partitionPath);
        return day == null ? null : day.toString();
    }
}
