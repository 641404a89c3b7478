package org.cameldatalake.runtime;

import org.cameldatalake.partition.LakeLayout;
import org.cameldatalake.feed.FeedCatalog;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.feed.FeedFileException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.cameldatalake.sink.AppendWriter;
import org.cameldatalake.sink.AppendWriters;
import org.cameldatalake.metadata.ExportLog;
import org.cameldatalake.storage.Storage;
import org.cameldatalake.sink.SnapshotWriter;
import org.cameldatalake.ksqldb.KsqlDbExports;
import org.cameldatalake.warehouse.WarehouseSync;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the feed catalog into routes: one route per enabled feed, made from a route template of
 * {@code routes/feed-templates.yaml} with route id {@code feed-<name>}. The single place where feed routes are
 * created and removed.
 */
public final class FeedRouteManager {
    public static final String KAFKA_STREAM_TEMPLATE = "kafka-stream-feed";
    public static final String KSQLDB_TABLE_TEMPLATE = "ksqldb-table-feed";
    public static final String KSQLDB_STREAM_TEMPLATE = "ksqldb-stream-feed";
    public static final String SQL_TABLE_TEMPLATE = "sql-table-feed";
    public static final String JDBC_TEMPLATE = "jdbc-feed";
    public static final String WAREHOUSE_TEMPLATE = "warehouse-changelog";
    private static final Logger LOG = LoggerFactory.getLogger(FeedRouteManager.class);

    public enum State { RUNNING, WAITING_FOR_SOURCE, DISABLED, INVALID, FAILED }

    public record FeedStatus(String feed, String file, State state, String detail) {
    }

    @FunctionalInterface
    public interface SnapshotWork<T> {
        T apply(SnapshotWriter writer) throws Exception;
    }

    @FunctionalInterface
    public interface WriterWork<T> {
        T apply(AppendWriter writer) throws Exception;
    }

    private final CamelContext ctx;
    private final DatalakeSettings settings;
    private final Storage storage;
    private final AppendWriters writers;
    private final KsqlDbExports ksqlDbExports;
    private final ExportLog exportLog;
    private final WarehouseSync warehouseSync;
    private final Clock clock;
    private final org.cameldatalake.kafka.KafkaProbe kafkaProbe;
    private final FeedWriters feedWriters;
    private final List<FeedStatus> status = new ArrayList<>();
    /** Feeds this manager started (running or waiting), as last loaded from their files. */
    private final Map<String, FeedDefinition> started = new java.util.LinkedHashMap<>();
    /** Problems already logged, so that a watch event or a rescan does not repeat them. */
    private final java.util.Set<String> reported = new java.util.HashSet<>();
    private final List<java.util.function.Consumer<List<FeedDefinition>>> followers = new java.util.concurrent.CopyOnWriteArrayList<>();

    public FeedRouteManager(CamelContext ctx, DatalakeSettings settings, Storage storage, AppendWriters writers,
                            KsqlDbExports ksqlDbExports, ExportLog exportLog, WarehouseSync warehouseSync,
                            org.cameldatalake.kafka.KafkaProbe kafkaProbe, Clock clock,
                            java.util.concurrent.Executor partitionThreads) {
        this.kafkaProbe = kafkaProbe;
        this.ctx = ctx;
        this.settings = settings;
        this.storage = storage;
        this.writers = writers;
        this.ksqlDbExports = ksqlDbExports;
        this.exportLog = exportLog;
        this.warehouseSync = warehouseSync;
        this.clock = clock;
        this.feedWriters = new FeedWriters(settings, storage, writers, ksqlDbExports, exportLog, clock, partitionThreads);
    }

    public synchronized void startAll() {
        if (!java.nio.file.Files.isDirectory(settings.feedsDir().resolve("active"))) {
            LOG.warn("no feeds folder at {} (set datalake.feeds.dir): no feed will run",
                    settings.feedsDir().resolve("active").toAbsolutePath());
        }
        reconcile();
        LOG.info("feeds in {}: {}", settings.feedsDir().resolve("active"), summary());
    }

    /**
     * Brings the running routes in line with the feed files (hot reload; idempotent, called by the feed-files watch
     * and rescan routes): a new file starts its feed, a changed one replaces its route (Kafka offsets and ksqlDB
     * watermarks live in Kafka and the lake, so nothing is lost or repeated across the swap), a deleted file or
     * {@code enabled: false} stops it, and an invalid edit keeps the running route and logs the error once.
     */
    public synchronized void reconcile() {
        Map<String, java.nio.file.Path> runningFiles = new java.util.HashMap<>();
        started.forEach((name, f) -> runningFiles.put(name, f.file()));
        // a new file declaring a running feed's name is the duplicate, not the running one
        FeedCatalog catalog = FeedCatalog.load(settings.feedsDir(), "active", runningFiles);
        java.util.Set<java.nio.file.Path> invalid = new java.util.HashSet<>();
        java.util.Set<String> problems = new java.util.HashSet<>();
        List<FeedStatus> next = new ArrayList<>();
        for (FeedFileException p : catalog.problems()) {
            invalid.add(p.file());
            problems.add(p.getMessage());
            if (reported.add(p.getMessage())) {
                LOG.error("feed file skipped: {}", p.getMessage());
            }
            next.add(new FeedStatus(null, p.file().toString(), State.INVALID, p.getMessage()));
        }
        reported.retainAll(problems); // a problem fixed and made again is reported again
        Map<String, FeedDefinition> replaced = new java.util.HashMap<>();
        for (FeedDefinition running : List.copyOf(started.values())) {
            FeedDefinition wanted = catalog.feed(running.name());
            if (wanted == null && invalid.contains(running.file())) {
                LOG.warn("feed {}: keeps running as it was; its file {} is not valid now", running.name(), running.file());
                next.add(new FeedStatus(running.name(), running.file().toString(), State.RUNNING,
                        "running the last valid version of its file"));
                continue;
            }
            if (wanted == null || !wanted.enabled() || !wanted.equals(running)) {
                LOG.info("feed {}: {}", running.name(), wanted == null ? "its file is gone, stopping"
                        : !wanted.enabled() ? "disabled, stopping" : "its file changed, replacing its route");
                stop(running.name());
                if (wanted != null && wanted.enabled()) {
                    replaced.put(running.name(), running);
                }
            }
        }
        for (FeedDefinition feed : catalog.feeds()) {
            if (!feed.enabled()) {
                next.add(new FeedStatus(feed.name(), feed.file().toString(), State.DISABLED, "enabled: false"));
                continue;
            }
            if (started.containsKey(feed.name())) {
                next.add(status.stream().filter(st -> feed.name().equals(st.feed())).findFirst()
                        .orElse(new FeedStatus(feed.name(), feed.file().toString(), State.RUNNING, "running")));
                continue;
            }
            FeedStatus st = startWithWarehouse(feed);
            if (st.state() == State.RUNNING || st.state() == State.WAITING_FOR_SOURCE) {
                started.put(feed.name(), feed);
            } else if (replaced.containsKey(feed.name())) {
                FeedDefinition previous = replaced.get(feed.name());
                LOG.error("feed {}: the changed file does not start ({}); running its previous version", feed.name(), st.detail());
                FeedStatus back = startWithWarehouse(previous);
                if (back.state() == State.RUNNING || back.state() == State.WAITING_FOR_SOURCE) {
                    started.put(previous.name(), previous);
                }
            }
            next.add(st);
        }
        status.clear();
        status.addAll(next);
        List<FeedDefinition> running = List.copyOf(started.values());
        followers.forEach(f -> f.accept(running));
    }

    /** {@code follower} is told the running feeds after every reconcile (the per-feed metrics follow them). */
    public synchronized void onReconciled(java.util.function.Consumer<List<FeedDefinition>> follower) {
        followers.add(follower);
    }

    /** The feeds this manager runs (or that wait for their source), as last loaded from their files. */
    public synchronized List<FeedDefinition> runningFeeds() {
        return List.copyOf(started.values());
    }

    /** Called by the feeds-watch and feeds-rescan routes; feeds follow their files only when the service runs them. */
    public void onFeedFilesChanged() {
        if (settings.autostartFeeds()) {
            reconcile();
        }
    }

    /** The feed's lake route and, for a feed with a {@code warehouse} section, its changelog route beside it. */
    private FeedStatus startWithWarehouse(FeedDefinition feed) {
        FeedStatus st = start(feed);
        if (feed.warehouse() == null || (st.state() != State.RUNNING && st.state() != State.WAITING_FOR_SOURCE)) {
            return st;
        }
        FeedDefinition.Warehouse w = feed.warehouse();
        try {
            warehouseSync.register(feed);
            TemplatedRouteBuilder.builder(ctx, WAREHOUSE_TEMPLATE)
                    .routeId(feed.warehouseRouteId())
                    .parameter("feedName", feed.name())
                    .parameter("topic", w.topic())
                    .parameter("groupId", feed.warehouseConsumerGroup())
                    .add();
            LOG.info("feed {}: route {} mirrors changelog topic {} into warehouse table {}", feed.name(),
                    feed.warehouseRouteId(), w.topic(), w.table());
            return new FeedStatus(st.feed(), st.file(), st.state(), st.detail() + "; changelog " + w.topic()
                    + " → warehouse table " + w.table());
        } catch (Exception e) {
            LOG.error("feed {}: the warehouse route could not start: {}", feed.name(), e.toString(), e);
            stop(feed.name());
            return new FeedStatus(feed.name(), feed.file().toString(), State.FAILED, "warehouse: " + e);
        }
    }

    FeedStatus start(FeedDefinition feed) {
        String file = feed.file().toString();
        if (!feed.enabled()) {
            LOG.info("feed {}: disabled (enabled: false)", feed.name());
            return new FeedStatus(feed.name(), file, State.DISABLED, "enabled: false");
        }
        if (feed.isKsqldbTable() || feed.isSqlTable() || feed.isJdbcTable()) {
            try {
                SnapshotWriter writer = openSnapshotWriter(feed);
                storage.claim(new LakeLayout(storage).tableDir(feed.name())); // a command beside it can tell (refuseIfWrittenElsewhere)
                TemplatedRouteBuilder.builder(ctx, feed.isSqlTable() ? SQL_TABLE_TEMPLATE
                                : feed.isJdbc() ? JDBC_TEMPLATE : KSQLDB_TABLE_TEMPLATE)
                        .routeId(feed.routeId())
                        .parameter("feedName", feed.name())
                        .parameter("schedule", feed.schedule())
                        .add();
                String what = feed.isSqlTable() ? "SQL query" : feed.isJdbc() ? "database table " + feed.jdbc().table()
                        : "ksqlDB table " + feed.ksqldbSource();
                LOG.info("feed {}: route {} snapshots {} into {} on '{}'", feed.name(), feed.routeId(),
                        what, storage.relative(new LakeLayout(storage).tableDir(feed.name())), feed.schedule());
                return new FeedStatus(feed.name(), file, State.RUNNING, what
                        + " on '" + feed.schedule() + "', current version " + writer.metadata().currentVersion());
            } catch (Exception e) {
                LOG.error("feed {}: could not start: {}", feed.name(), e.toString(), e);
                stop(feed.name());
                return new FeedStatus(feed.name(), file, State.FAILED, e.toString());
            }
        }
        if (feed.isKsqldbStream() || feed.isJdbcStream()) {
            try {
                openStreamWriter(feed, null);
                TemplatedRouteBuilder.builder(ctx, feed.isJdbc() ? JDBC_TEMPLATE : KSQLDB_STREAM_TEMPLATE)
                        .routeId(feed.routeId())
                        .parameter("feedName", feed.name())
                        .parameter("schedule", feed.schedule())
                        .add();
                String what = feed.isJdbc() ? "database table " + feed.jdbc().table() + " by "
                        + feed.jdbc().incrementalColumn() : "ksqlDB stream " + feed.ksqldbSource();
                LOG.info("feed {}: route {} polls {} into {} on '{}'", feed.name(), feed.routeId(), what,
                        storage.relative(new LakeLayout(storage).streamDir(feed.name())), feed.schedule());
                return new FeedStatus(feed.name(), file, State.RUNNING, what + " on '" + feed.schedule() + "'");
            } catch (Exception e) {
                LOG.error("feed {}: could not start: {}", feed.name(), e.toString(), e);
                stop(feed.name());
                return new FeedStatus(feed.name(), file, State.FAILED, e.toString());
            }
        }
        if (!feed.isKafkaStream()) {
            String what = feed.type().json() + " feed with source " + feed.source().json();
            LOG.warn("feed {}: {} is loaded and waiting: that source is not available in this version", feed.name(), what);
            return new FeedStatus(feed.name(), file, State.WAITING_FOR_SOURCE, what + " is not available in this version");
        }
        try {
            openStreamWriter(feed, feed.consumerGroup());
            TemplatedRouteBuilder.builder(ctx, KAFKA_STREAM_TEMPLATE)
                    .routeId(feed.routeId())
                    .parameter("feedName", feed.name())
                    .parameter("topic", feed.kafkaTopic())
                    .parameter("groupId", feed.consumerGroup())
                    .add();
            LOG.info("feed {}: route {} consumes topic {} into {}", feed.name(), feed.routeId(), feed.kafkaTopic(),
                    storage.relative(new LakeLayout(storage).streamDir(feed.name())));
            return new FeedStatus(feed.name(), file, State.RUNNING, "topic " + feed.kafkaTopic());
        } catch (Exception e) {
            LOG.error("feed {}: could not start: {}", feed.name(), e.toString(), e);
            stop(feed.name());
            return new FeedStatus(feed.name(), file, State.FAILED, e.toString());
        }
    }

    /** Stops a feed's route (publishing and committing what it holds) and closes its writer. */
    public synchronized void stop(String feedName) {
        started.remove(feedName);
        for (String routeId : List.of("feed-" + feedName, "warehouse-" + feedName)) {
            try {
                if (ctx.getRoute(routeId) != null) {
                    ctx.getRouteController().stopRoute(routeId, 30, TimeUnit.SECONDS);
                    ctx.removeRoute(routeId);
                }
            } catch (Exception e) {
                LOG.warn("feed {}: route {} did not stop cleanly: {}", feedName, routeId, e.toString());
            }
        }
        warehouseSync.remove(feedName);
        var writer = writers.remove(feedName);
        if (writer != null) {
            writer.close();
        }
        if (ksqlDbExports.remove(feedName) != null) {
            storage.release(new LakeLayout(storage).tableDir(feedName));
        }
    }

    private AppendWriter openStreamWriter(FeedDefinition feed, String consumerGroup) throws java.io.IOException {
        return feedWriters.openStreamWriter(feed, consumerGroup);
    }

    /** Work on a stream feed's writer: the running one, or a temporary one for a feed that does not run. */
    public synchronized <T> T withStreamWriter(FeedDefinition feed, WriterWork<T> work) throws Exception {
        // held for the whole work: reconcile cannot start a second writer on the feed meanwhile
        return feedWriters.withStreamWriter(feed, work);
    }

    /** Work on a table feed's snapshot writer: the registered one, or a temporary one that is not registered. */
    public synchronized <T> T withSnapshotWriter(FeedDefinition feed, SnapshotWork<T> work) throws Exception {
        return feedWriters.withSnapshotWriter(feed, work);
    }

    public DatalakeSettings settings() {
        return settings;
    }

    public Storage storage() {
        return storage;
    }

    /** The snapshot writer of a table feed, registered for the {@code ksqldb-snapshot} route. */
    public synchronized SnapshotWriter openSnapshotWriter(FeedDefinition feed) throws java.io.IOException {
        return feedWriters.openSnapshotWriter(feed);
    }

    /** Makes an earlier snapshot version of a table current (the {@code rollback} command); see {@link FeedWriters#refuseIfWrittenElsewhere}. */
    public synchronized void rollback(FeedDefinition table, int version) throws Exception {
        feedWriters.refuseIfWrittenElsewhere(table);
        openSnapshotWriter(table).rollback(version);
    }

    public FeedCatalog catalog() {
        return FeedCatalog.load(settings.feedsDir());
    }

    public java.nio.file.Path activeFeedsDir() {
        return settings.feedsDir().resolve("active");
    }

    /**
     * One export pass for one feed (the {@code export} command): a table feed takes one snapshot through the
     * {@code ksqldb-snapshot} route; a Kafka stream feed runs its route until it has read up to the end offsets seen
     * at start, then stops (publishing and committing what it holds).
     */
    public String exportOnce(FeedDefinition feed) throws Exception {
        return exportOnce(feed, new ExportProgress());
    }

    /** As {@link #exportOnce(FeedDefinition)}, telling {@code progress} how far it has got. */
    public synchronized String exportOnce(FeedDefinition feed, ExportProgress progress) throws Exception {
        return new FeedExports(this, ctx, feedWriters, kafkaProbe).exportOnce(feed, progress);
    }

    /** The one-line reason of a failed export, unwrapped from Camel's wrappers. */
    public static String reason(Throwable e) {
        Throwable t = e;
        while (t != null) {
            if (t instanceof KsqlDbExports.KsqlDbExportException || t instanceof IllegalStateException) {
                return t.getMessage();
            }
            if (t.getCause() == null || t.getCause() == t) {
                break;
            }
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    public synchronized List<FeedStatus> status() {
        return List.copyOf(status);
    }

    private String summary() {
        StringBuilder b = new StringBuilder();
        for (State s : State.values()) {
            long n = status.stream().filter(x -> x.state() == s).count();
            if (n > 0) {
                b.append(b.length() == 0 ? "" : ", ").append(n).append(' ').append(s.name().toLowerCase().replace('_', ' '));
            }
        }
        return b.length() == 0 ? "none" : b.toString();
    }
}
