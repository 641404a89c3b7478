package org.cameldatalake.maintenance;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.cameldatalake.feed.FeedCatalog;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.feed.FeedFiles;
import org.cameldatalake.runtime.FeedRouteManager;
import org.cameldatalake.runtime.MaintenanceFailures;
import org.cameldatalake.storage.Failures;
import org.cameldatalake.metadata.ExportLog;
import org.cameldatalake.partition.LakeLayout;
import org.cameldatalake.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The maintenance jobs of routes/maintenance.yaml and of the {@code retention}, {@code permissions} and archiving
 * commands: retention by partition date and by version count, the archiving sweep, and permissions by
 * {@code security_level} (restricted 0750/0640, public 0755/0644). Each action is logged in {@code logs/}.
 */
public final class Maintenance {
    private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);

    private final FeedRouteManager feeds;
    private final Storage storage;
    private final ExportLog exportLog;
    private final Clock clock;
    private final MaintenanceFailures failures;

    public Maintenance(FeedRouteManager feeds, Storage storage, ExportLog exportLog, Clock clock,
                       MaintenanceFailures failures) {
        this.failures = failures;
        this.feeds = feeds;
        this.storage = storage;
        this.exportLog = exportLog;
        this.clock = clock;
    }

    private LocalDate today() {
        return clock.instant().atZone(feeds.settings().zone()).toLocalDate();
    }

    /**
     * Streams: partitions dated before today − retention_days; tables: versions beyond retention_versions. Each feed
     * on its own: one that fails is logged, counted ({@link MaintenanceFailures}) and recorded in its metadata, and
     * the others still run.
     */
    public List<String> retention(boolean dryRun) throws Exception {
        List<String> report = new ArrayList<>();
        for (FeedDefinition feed : feeds.catalog().feeds()) {
            try {
                report.addAll(retention(feed, dryRun));
                if (!dryRun && failures.current().stream().anyMatch(f -> f.feed().equals(feed.name()))) {
                    failures.succeeded("retention", feed.name());
                    ObjectNode ok = exportLog.line(feed.name(), "retention");
                    ok.put("outcome", "ok");
                    annotate(feed, "retention", ok);
                }
            } catch (Exception e) {
                String reason = Failures.reason(e);
                LOG.error("feed {}: retention failed, the other feeds' goes on: {}", feed.name(), reason, e);
                report.add(feed.name() + ": retention failed: " + reason);
                if (!dryRun) {
                    failures.failed("retention", feed.name(), clock.instant(), reason);
                    ObjectNode log = exportLog.line(feed.name(), "retention");
                    log.put("outcome", "failed");
                    log.put("error", reason);
                    exportLog.write(log);
                    annotate(feed, "retention", log);
                }
            }
        }
        return report;
    }

    private List<String> retention(FeedDefinition feed, boolean dryRun) throws Exception {
        List<String> report = new ArrayList<>();
        if (feed.type() == FeedDefinition.FeedType.STREAM) {
            LocalDate cutoff = today().minusDays(feed.retentionDays());
            for (String p : feeds.withStreamWriter(feed, w -> w.applyRetention(cutoff, dryRun))) {
                report.add(feed.name() + ": " + (dryRun ? "would delete " : "deleted ") + p);
            }
        } else if (storage.exists(new LakeLayout(storage).tableDir(feed.name()))) {
            for (int v : feeds.withSnapshotWriter(feed, w -> w.applyRetention(dryRun))) {
                report.add(feed.name() + ": " + (dryRun ? "would delete " : "deleted ") + "version=v" + v);
            }
        }
        return report;
    }

    /** Feeds with {@code enabled: false} or an {@code archive_after} date in the past move to archived/ and stop. */
    public List<String> archiveSweep() throws Exception {
        List<String> archived = new ArrayList<>();
        FeedFiles files = new FeedFiles(feeds.settings().feedsDir());
        for (FeedDefinition feed : feeds.catalog().feeds()) {
            boolean due = feed.archiveAfter() != null && LocalDate.parse(feed.archiveAfter()).isBefore(today());
            if (feed.enabled() && !due) {
                continue;
            }
            files.archive(feed.name());
            feeds.stop(feed.name());
            ObjectNode log = exportLog.line(feed.name(), "archive");
            log.put("reason", feed.enabled() ? "archive_after " + feed.archiveAfter() : "enabled: false");
            exportLog.write(log);
            annotate(feed, "archived", log);
            LOG.info("feed {}: archived ({}); its data stays in the lake", feed.name(), log.get("reason").asText());
            archived.add(feed.name());
        }
        if (!archived.isEmpty()) {
            feeds.reconcile();
        }
        return archived;
    }

    /** Sets (or with {@code checkOnly} only reports) the permissions of every file and folder of every feed. */
    public List<String> permissions(boolean checkOnly) throws IOException {
        List<String> drift = new ArrayList<>();
        if (!storage.can(Storage.Capability.POSIX_MODES)) {
            LOG.info("the lake's store keeps no file modes: access to it is governed by the store itself (bucket policies)");
            return drift;
        }
        LakeLayout layout = new LakeLayout(storage);
        List<FeedDefinition> all = new ArrayList<>(feeds.catalog().feeds());
        all.addAll(FeedCatalog.load(feeds.settings().feedsDir(), "archived").feeds());
        for (FeedDefinition feed : all) {
            short dirMode = feed.securityLevel().dirMode();
            short fileMode = feed.securityLevel().fileMode();
            int fixed = 0;
            if (!checkOnly && storage.exists(layout.feedDir(feed.type(), feed.name()))) {
                // recorded first: rewriting _metadata.json makes a new file, which the sweep below then covers
                ObjectNode applied = exportLog.line(feed.name(), "permissions");
                applied.put("security_level", feed.securityLevel().json());
                annotate(feed, "permissions", applied);
            }
            for (Path root : List.of(layout.feedDir(feed.type(), feed.name()), layout.rejectedDir(feed.name()))) {
                if (!storage.exists(root)) {
                    continue;
                }
                List<FileStatus> entries = new ArrayList<>();
                collect(storage.status(root), entries);
                for (FileStatus e : entries) {
                    short want = e.isDirectory() ? dirMode : fileMode;
                    short have;
                    try {
                        have = storage.mode(e.getPath());
                    } catch (java.nio.file.NoSuchFileException | java.io.FileNotFoundException gone) {
                        continue; // deleted meanwhile (retention, a replaced metadata file)
                    }
                    if (have != want) {
                        drift.add(feed.name() + ": " + storage.relative(e.getPath()) + " is " + Integer.toOctalString(have)
                                + ", " + feed.securityLevel().json() + " wants " + Integer.toOctalString(want));
                        if (!checkOnly) {
                            storage.setMode(e.getPath(), want);
                            fixed++;
                        }
                    }
                }
            }
            if (fixed > 0) {
                ObjectNode log = exportLog.line(feed.name(), "permissions");
                log.put("security_level", feed.securityLevel().json());
                log.put("fixed", fixed);
                exportLog.write(log);
            }
        }
        return drift;
    }

    /** Records the action in the feed's {@code _metadata.json}, through the feed's own writer. */
    private void annotate(FeedDefinition feed, String key, ObjectNode value) {
        try {
            if (feed.type() == FeedDefinition.FeedType.STREAM) {
                feeds.withStreamWriter(feed, w -> {
                    w.annotate(key, value);
                    return null;
                });
            } else {
                feeds.withSnapshotWriter(feed, w -> {
                    w.annotate(key, value);
                    return null;
                });
            }
        } catch (Exception e) {
            LOG.warn("feed {}: could not record {} in its metadata: {}", feed.name(), key, e.toString());
        }
    }

    private void collect(FileStatus s, List<FileStatus> out) throws IOException {
        out.add(s);
        if (s.isDirectory()) {
            for (FileStatus c : storage.list(s.getPath())) {
                String name = c.getPath().getName();
                // work in progress is not the lake's: writers' temporary folders and files come and go
                if (!name.equals("_temporary") && !(name.startsWith(".") && name.endsWith(".tmp"))) {
                    collect(c, out);
                }
            }
        }
    }
}
