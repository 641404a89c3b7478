package org.cameldatalake.partition;

import java.time.LocalDate;
import org.apache.hadoop.fs.Path;
import org.cameldatalake.feed.FeedDefinition.FeedType;
import org.cameldatalake.storage.Storage;

/**
 * Where everything lives in the lake (DESIGN.md §3), for writers, retention, report, the read API and the commands:
 * <pre>
 * streams/&lt;feed&gt;/year=YYYY/month=MM/day=DD/data_&lt;stamp&gt;_&lt;topic&gt;+&lt;partition&gt;+&lt;first&gt;+&lt;last&gt;.parquet
 * tables/&lt;feed&gt;/version=vN/snapshot_&lt;stamp&gt;.parquet
 * {streams,tables}/&lt;feed&gt;/_metadata.json
 * _rejected/&lt;feed&gt;/date=YYYY-MM-DD/rejected_…jsonl
 * logs/exports-YYYY-MM-DD.jsonl
 * reports/
 * </pre>
 * Feed names are checked before they get here; every path is checked to stay below the root.
 */
public final class LakeLayout {
    public static final String METADATA = "_metadata.json";
    private final Storage storage;

    public LakeLayout(Storage storage) {
        this.storage = storage;
    }

    public Storage storage() {
        return storage;
    }

    /** {@code streams} or {@code tables}. */
    public Path typeDir(FeedType type) {
        return storage.path(type.dir());
    }

    public Path feedDir(FeedType type, String feed) {
        return storage.path(type.dir(), feed);
    }

    public Path streamDir(String feed) {
        return feedDir(FeedType.STREAM, feed);
    }

    public Path tableDir(String feed) {
        return feedDir(FeedType.TABLE, feed);
    }

    public Path metadata(FeedType type, String feed) {
        return new Path(feedDir(type, feed), METADATA);
    }

    public Path dayDir(String feed, LocalDate day) {
        return storage.checked(new Path(streamDir(feed), DailyPartitioning.INSTANCE.folder(day)));
    }

    public Path streamFile(String feed, LocalDate day, StreamFileName name) {
        return storage.checked(new Path(dayDir(feed, day), name.toString()));
    }

    /** The day of a file or folder below {@code year=/month=/day=}, or null. */
    public LocalDate dayOf(Path p) {
        return DailyPartitioning.INSTANCE.parse(storage.relative(p));
    }

    public Path versionDir(String feed, int version) {
        return storage.checked(new Path(tableDir(feed), VersionPartitioning.INSTANCE.folder(version)));
    }

    /** The version of a {@code version=vN} folder or of a file directly in it, or null. */
    public Integer versionOf(Path p) {
        return VersionPartitioning.INSTANCE.parse(storage.relative(p));
    }

    public Path rejectedDir(String feed) {
        return storage.path("_rejected", feed);
    }

    public Path rejectedFile(String feed, LocalDate day, String fileName) {
        return storage.path("_rejected", feed, "date=" + day, fileName);
    }

    public Path exportLog(LocalDate day) {
        return storage.path("logs", "exports-" + day + ".jsonl");
    }

    /** One line (or a few) of the export log of a day on a store that cannot append: {@code exports-<day>-<part>.jsonl}. */
    public Path exportLogPart(LocalDate day, String part) {
        return storage.path("logs", "exports-" + day + "-" + part + ".jsonl");
    }

    public Path report(String fileName) {
        return storage.path("reports", fileName);
    }

    /** The path of {@code p} relative to the feed's folder, or null when it is not below it. */
    public String relativeToFeed(Path feedDir, Path p) {
        String dir = storage.relative(feedDir);
        String rel = storage.relative(p);
        return rel.startsWith(dir + "/") ? rel.substring(dir.length() + 1) : null;
    }
}
