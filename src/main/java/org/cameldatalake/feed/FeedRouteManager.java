package org.cameldatalake.feed;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.cameldatalake.DatalakeSettings;
import org.cameldatalake.lake.AppendWriter;
import org.cameldatalake.lake.AppendWriters;
import org.cameldatalake.lake.ExportLog;
import org.cameldatalake.lake.LakeStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the feed catalog into routes: one route per enabled feed, made from a route template of
 * {@code routes/feed-templates.yaml} with route id {@code feed-<name>}. The single place where feed routes are
 * created and removed.
 */
public final class FeedRouteManager {
    public static final String KAFKA_STREAM_TEMPLATE = "kafka-stream-feed";
    private static final Logger LOG = LoggerFactory.getLogger(FeedRouteManager.class);

    public enum State { RUNNING, WAITING_FOR_SOURCE, DISABLED, INVALID, FAILED }

    public record FeedStatus(String feed, String file, State state, String detail) {
    }

    private final CamelContext ctx;
    private final DatalakeSettings settings;
    private final LakeStorage storage;
    private final AppendWriters writers;
    private final ExportLog exportLog;
    private final Clock clock;
    private final List<FeedStatus> status = new ArrayList<>();

    public FeedRouteManager(CamelContext ctx, DatalakeSettings settings, LakeStorage storage, AppendWriters writers,
                            ExportLog exportLog, Clock clock) {
        this.ctx = ctx;
        this.settings = settings;
        this.storage = storage;
        this.writers = writers;
        this.exportLog = exportLog;
        this.clock = clock;
    }

    public synchronized void startAll() {
        if (!java.nio.file.Files.isDirectory(settings.feedsDir().resolve("active"))) {
            LOG.warn("no feeds folder at {} (set datalake.feeds.dir): no feed will run",
                    settings.feedsDir().resolve("active").toAbsolutePath());
        }
        FeedCatalog catalog = FeedCatalog.load(settings.feedsDir());
        status.clear();
        for (FeedFileException p : catalog.problems()) {
            LOG.error("feed file skipped: {}", p.getMessage());
            status.add(new FeedStatus(null, p.file().toString(), State.INVALID, p.getMessage()));
        }
        for (FeedDefinition feed : catalog.feeds()) {
            status.add(start(feed));
        }
        LOG.info("feeds in {}: {}", settings.feedsDir().resolve("active"), summary());
    }

    private FeedStatus start(FeedDefinition feed) {
        String file = feed.file().toString();
        if (!feed.enabled()) {
            LOG.info("feed {}: disabled (enabled: false)", feed.name());
            return new FeedStatus(feed.name(), file, State.DISABLED, "enabled: false");
        }
        if (!feed.isKafkaStream()) {
            String what = feed.type().json() + " feed with source " + feed.source().json();
            LOG.warn("feed {}: {} is loaded and waiting: that source is not available in this version", feed.name(), what);
            return new FeedStatus(feed.name(), file, State.WAITING_FOR_SOURCE, what + " is not available in this version");
        }
        try {
            AppendWriter writer = new AppendWriter(feed, storage, settings.append(), clock, exportLog);
            writer.start();
            writers.register(writer, feed.consumerGroup());
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
        String routeId = "feed-" + feedName;
        try {
            if (ctx.getRoute(routeId) != null) {
                ctx.getRouteController().stopRoute(routeId, 30, TimeUnit.SECONDS);
                ctx.removeRoute(routeId);
            }
        } catch (Exception e) {
            LOG.warn("feed {}: route did not stop cleanly: {}", feedName, e.toString());
        }
        var writer = writers.remove(feedName);
        if (writer != null) {
            writer.close();
        }
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
