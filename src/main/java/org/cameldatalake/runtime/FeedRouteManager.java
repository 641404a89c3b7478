package org.cameldatalake.runtime;

import org.cameldatalake.feed.FeedCatalog;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.feed.FeedFileException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
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
    public static final String WAREHOUSE_TEMPLATE = "warehouse-changelog";
    private static final Logger LOG = LoggerFactory.getLogger(FeedRouteManager.class);

    public enum State { RUNNING, WAITING_FOR_SOURCE, DISABLED, INVALID, FAILED }

    public record FeedStatus(String feed, String file, State state, String detail) {
    }

    private final CamelContext ctx;
    private final DatalakeSettings settings;
    private final Storage storage;
    private final AppendWriters writers;
    private final KsqlDbExports ksqlDbExports;
    private final ExportLog exportLog;
    private final WarehouseSync warehouseSync;
    private final Clock clock;
    private final org.cameldatalake.health.KafkaProbe kafkaProbe;
    private final List<FeedStatus> status = new ArrayList<>();
    /** Feeds this manager started (running or waiting), as last loaded from their files. */
    private final Map<String, FeedDefinition> started = new java.util.LinkedHashMap<>();
    /** Problems already logged, so that a watch event or a rescan does not repeat them. */
    private final java.util.Set<String> reported = new java.util.HashSet<>();
    private final List<java.util.function.Consumer<List<FeedDefinition>>> followers = new java.util.concurrent.CopyOnWriteArrayList<>();

    public FeedRouteManager(CamelContext ctx, DatalakeSettings settings, Storage storage, AppendWriters writers,
                            KsqlDbExports ksqlDbExports, ExportLog exportLog, WarehouseSync warehouseSync,
                            org.cameldatalake.health.KafkaProbe kafkaProbe, Clock clock) {
        this.kafkaProbe = kafkaProbe;
        this.ctx = ctx;
        this.settings = settings;
        this.storage = storage;
        this.writers = writers;
        this.ksqlDbExports = ksqlDbExports;
        this.exportLog = exportLog;
        this.warehouseSync = warehouseSync;
        this.clock = clock;
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

    private FeedStatus start(FeedDefinition feed) {
        String file = feed.file().toString();
        if (!feed.enabled()) {
            LOG.info("feed {}: disabled (enabled: false)", feed.name());
            return new FeedStatus(feed.name(), file, State.DISABLED, "enabled: false");
        }
        if (feed.isKsqldbTable()) {
            try {
                SnapshotWriter writer = openSnapshotWriter(feed);
                TemplatedRouteBuilder.builder(ctx, KSQLDB_TABLE_TEMPLATE)
                        .routeId(feed.routeId())
                        .parameter("feedName", feed.name())
                        .parameter("schedule", feed.schedule())
                        .add();
                LOG.info("feed {}: route {} snapshots ksqlDB table {} into {} on '{}'", feed.name(), feed.routeId(),
                        feed.ksqldbSource(), storage.relative(storage.path("tables", feed.name())), feed.schedule());
                return new FeedStatus(feed.name(), file, State.RUNNING, "ksqlDB table " + feed.ksqldbSource()
                        + " on '" + feed.schedule() + "', current version " + writer.metadata().currentVersion());
            } catch (Exception e) {
                LOG.error("feed {}: could not start: {}", feed.name(), e.toString(), e);
                stop(feed.name());
                return new FeedStatus(feed.name(), file, State.FAILED, e.toString());
            }
        }
        if (feed.isKsqldbStream()) {
            try {
                openStreamWriter(feed, null);
                TemplatedRouteBuilder.builder(ctx, KSQLDB_STREAM_TEMPLATE)
                        .routeId(feed.routeId())
                        .parameter("feedName", feed.name())
                        .parameter("schedule", feed.schedule())
                        .add();
                LOG.info("feed {}: route {} polls ksqlDB stream {} into {} on '{}'", feed.name(), feed.routeId(),
                        feed.ksqldbSource(), storage.relative(storage.path("streams", feed.name())), feed.schedule());
                return new FeedStatus(feed.name(), file, State.RUNNING, "ksqlDB stream " + feed.ksqldbSource()
                        + " on '" + feed.schedule() + "'");
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
                    storage.relative(storage.path("streams", feed.name())));
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
        ksqlDbExports.remove(feedName);
    }

    private AppendWriter openStreamWriter(FeedDefinition feed, String consumerGroup) throws java.io.IOException {
        AppendWriter existing = writers.byFeed(feed.name());
        if (existing != null) {
            return existing;
        }
        AppendWriter writer = new AppendWriter(feed, storage, settings.append(), clock, exportLog);
        try {
            writer.start();
        } catch (java.io.IOException | RuntimeException e) {
            writer.close(); // releases its temporary-directory lock
            throw e;
        }
        writers.register(writer, consumerGroup);
        return writer;
    }

    /** Work on a stream feed's writer: the running one, or a temporary one for a feed that does not run. */
    public synchronized <T> T withStreamWriter(FeedDefinition feed, WriterWork<T> work) throws Exception {
        // held for the whole work: reconcile cannot start a second writer on the feed meanwhile
        AppendWriter running = writers.byFeed(feed.name());
        if (running != null) {
            return work.apply(running);
        }
        AppendWriter temporary = new AppendWriter(feed, storage, settings.append(), clock, exportLog);
        try {
            temporary.start();
            return work.apply(temporary);
        } finally {
            temporary.close();
        }
    }

    /** Work on a table feed's snapshot writer: the registered one, or a temporary one that is not registered. */
    public synchronized <T> T withSnapshotWriter(FeedDefinition feed, SnapshotWork<T> work) throws Exception {
        SnapshotWriter registered = ksqlDbExports.snapshotWriter(feed.name());
        if (registered != null && registered.feed().equals(feed)) {
            return work.apply(registered);
        }
        SnapshotWriter temporary = new SnapshotWriter(feed, storage, clock, exportLog, settings.append().rowGroupBytes());
        temporary.start();
        return work.apply(temporary);
    }

    @FunctionalInterface
    public interface SnapshotWork<T> {
        T apply(SnapshotWriter writer) throws Exception;
    }

    @FunctionalInterface
    public interface WriterWork<T> {
        T apply(AppendWriter writer) throws Exception;
    }

    public DatalakeSettings settings() {
        return settings;
    }

    public Storage storage() {
        return storage;
    }

    /** The snapshot writer of a table feed, registered for the {@code ksqldb-snapshot} route. */
    public synchronized SnapshotWriter openSnapshotWriter(FeedDefinition feed) throws java.io.IOException {
        SnapshotWriter existing = ksqlDbExports.snapshotWriter(feed.name());
        if (existing != null && existing.feed().equals(feed)) {
            return existing;
        }
        SnapshotWriter writer = new SnapshotWriter(feed, storage, clock, exportLog, settings.append().rowGroupBytes());
        writer.start();
        ksqlDbExports.register(writer);
        return writer;
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
        if (feed.isKsqldbTable()) {
            SnapshotWriter snapshots = openSnapshotWriter(feed);
            progress.track(snapshots::rowsStreamed, ExportProgress.UNKNOWN);
            try (org.apache.camel.ProducerTemplate template = ctx.createProducerTemplate()) {
                SnapshotWriter.Snapshot s = template.requestBodyAndHeader("direct:ksqldb-snapshot", null,
                        KsqlDbExports.FEED_HEADER, feed.name(), SnapshotWriter.Snapshot.class);
                return "version v" + s.version() + " (" + s.records() + " rows) in " + s.path();
            }
        }
        if (feed.isKsqldbStream()) {
            AppendWriter polled = openStreamWriter(feed, null);
            long before = polled.recordsWritten();
            progress.track(() -> polled.recordsWritten() - before, ExportProgress.UNKNOWN);
            try (org.apache.camel.ProducerTemplate template = ctx.createProducerTemplate()) {
                return template.requestBodyAndHeader("direct:ksqldb-stream-poll", null, KsqlDbExports.FEED_HEADER,
                        feed.name(), String.class);
            }
        }
        if (!feed.isKafkaStream()) {
            throw new IllegalStateException(feed.type().json() + " feeds with source " + feed.source().json()
                    + " are not available in this version");
        }
        Map<TopicPartition, Long> end = kafkaEndOffsets(feed);
        Map<TopicPartition, Long> committed = kafkaProbe.committed(feed.consumerGroup(), feed.kafkaTopic(), EXPORT_KAFKA_TIMEOUT);
        Map<TopicPartition, Long> todo = new java.util.HashMap<>();
        end.forEach((tp, e) -> {
            if (e > committed.getOrDefault(tp, 0L)) {
                todo.put(tp, e);
            }
        });
        if (todo.isEmpty()) {
            return "nothing new on " + feed.kafkaTopic();
        }
        FeedStatus started = start(feed);
        if (started.state() != State.RUNNING) {
            throw new IllegalStateException(started.detail());
        }
        AppendWriter writer = writers.byFeed(feed.name());
        long total = 0;
        for (Map.Entry<TopicPartition, Long> e : todo.entrySet()) {
            total += e.getValue() - committed.getOrDefault(e.getKey(), 0L);
        }
        progress.track(() -> {
            long done = 0;
            Map<TopicPartition, Long> seen = writer.highestOffsetsSeen();
            for (Map.Entry<TopicPartition, Long> e : todo.entrySet()) {
                long from = committed.getOrDefault(e.getKey(), 0L);
                done += Math.max(0, Math.min(seen.getOrDefault(e.getKey(), from - 1) + 1, e.getValue()) - from);
            }
            return done;
        }, total);
        long deadline = System.nanoTime() + java.time.Duration.ofMinutes(30).toNanos();
        while (!todo.entrySet().stream().allMatch(e -> writer.highestOffsetsSeen().getOrDefault(e.getKey(), -1L) >= e.getValue() - 1)) {
            if (System.nanoTime() > deadline) {
                stop(feed.name());
                throw new IllegalStateException("did not reach the end offsets " + todo + " within 30 minutes");
            }
            Thread.sleep(100);
        }
        stop(feed.name()); // the consumer publishes what is open and commits before it lets go of its partitions
        return writer.recordsWritten() + " records landed, " + writer.recordsRejected() + " rejected, "
                + writer.recordsSkipped() + " already in the lake, " + writer.filesPublished() + " files, up to "
                + end + " on " + feed.kafkaTopic();
    }

    private static final java.time.Duration EXPORT_KAFKA_TIMEOUT = java.time.Duration.ofSeconds(15);

    private Map<TopicPartition, Long> kafkaEndOffsets(FeedDefinition feed) throws Exception {
        try {
            return kafkaProbe.endOffsets(feed.kafkaTopic(), EXPORT_KAFKA_TIMEOUT);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                throw new IllegalStateException("Kafka topic " + feed.kafkaTopic() + " does not exist on " + kafkaProbe.brokers());
            }
            throw new IllegalStateException("Kafka is unreachable at " + kafkaProbe.brokers() + ": " + e.getCause().getMessage());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka is unreachable at " + kafkaProbe.brokers() + " (no answer within " + EXPORT_KAFKA_TIMEOUT.toSeconds() + " s)");
        }
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
