package org.cameldatalake.health;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.apache.camel.CamelContext;
import org.cameldatalake.kafka.KafkaProbe;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.sink.AppendWriters;
import org.cameldatalake.sink.AppendWriter;
import org.cameldatalake.sink.FeedCounters;
import org.cameldatalake.ksqldb.KsqlDbExports;
import org.cameldatalake.quality.QualityRule;
import org.cameldatalake.quality.QualityRules;
import org.cameldatalake.runtime.MaintenanceFailures;
import org.cameldatalake.warehouse.WarehouseCounters;
import org.cameldatalake.warehouse.WarehouseSync;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-feed meters in the registry Camel's Prometheus endpoint scrapes ({@code /observe/metrics}), tagged
 * {@code feed}, {@code type}, {@code source}: records landed and rejected, files published, bytes written, seconds
 * since the last publish, records rejected per quality rule ({@code datalake.quality.rejected}, tagged {@code rule}
 * and {@code column}) and, for Kafka feeds, the consumer lag (end offsets − committed offsets); for a feed that
 * mirrors a changelog into the warehouse (tag {@code table} too), rows upserted and deleted, records rejected and the
 * mirror's own lag; failed retention runs ({@code datalake.maintenance.failures}, tagged {@code job}). Meters follow the running feeds: added when a feed starts, removed when it stops, bound again
 * when its file changes (new quality rules, a new warehouse section…).
 */
public final class FeedMetrics {
    private static final Logger LOG = LoggerFactory.getLogger(FeedMetrics.class);
    private static final Duration LAG_CACHE = Duration.ofSeconds(5);

    private final CamelContext ctx;
    private final AppendWriters streams;
    private final KsqlDbExports tables;
    private final WarehouseSync warehouse;
    private final KafkaProbe kafka;
    private final Clock clock;
    private final MaintenanceFailures maintenance;
    private final Map<String, Bound> meters = new HashMap<>();
    private final Map<String, double[]> lagCache = new HashMap<>(); // consumer group → {lag, nanoTime when read}

    public FeedMetrics(CamelContext ctx, AppendWriters streams, KsqlDbExports tables, WarehouseSync warehouse,
                       KafkaProbe kafka, Clock clock, MaintenanceFailures maintenance) {
        this.maintenance = maintenance;
        maintenance.onFirstFailure(this::maintenanceFailed);
        this.ctx = ctx;
        this.streams = streams;
        this.tables = tables;
        this.warehouse = warehouse;
        this.kafka = kafka;
        this.clock = clock;
    }

    /** The meters of a feed, as its file was when they were made. */
    private record Bound(FeedDefinition feed, List<Meter> meters) {
    }

    /** Called after each reconcile with the feeds that now run. */
    public synchronized void follow(List<FeedDefinition> running) {
        MeterRegistry registry = ctx.getRegistry().findSingleByType(MeterRegistry.class);
        if (registry == null) {
            return; // metrics are off (camel.metrics.enabled=false), e.g. for one-shot commands
        }
        Map<String, FeedDefinition> wanted = new HashMap<>();
        running.forEach(f -> wanted.put(f.name(), f));
        for (String gone : List.copyOf(meters.keySet())) {
            if (!meters.get(gone).feed().equals(wanted.get(gone))) { // stopped, or changed (a new warehouse section…)
                meters.remove(gone).meters().forEach(registry::remove);
            }
        }
        java.util.Set<String> groups = new java.util.HashSet<>();
        wanted.values().forEach(f -> {
            groups.add(f.consumerGroup());
            if (f.warehouse() != null) {
                groups.add(f.warehouseConsumerGroup());
            }
        });
        lagCache.keySet().retainAll(groups);
        wanted.values().stream().filter(f -> !meters.containsKey(f.name()))
                .forEach(f -> meters.put(f.name(), new Bound(f, bind(registry, f))));
    }

    /** A maintenance job failed for a feed for the first time: from now on its failures are counted. */
    private void maintenanceFailed(String job, String feed) {
        MeterRegistry registry = ctx.getRegistry().findSingleByType(MeterRegistry.class);
        if (registry != null) {
            FunctionCounter.builder("datalake.maintenance.failures", maintenance, m -> m.count(job, feed))
                    .description("runs of a maintenance job that failed for the feed since start")
                    .tags("feed", feed, "job", job).register(registry);
        }
    }

    private List<Meter> bind(MeterRegistry registry, FeedDefinition feed) {
        String name = feed.name();
        Tags tags = Tags.of("feed", name, "type", feed.type().json(), "source", feed.source().json());
        List<Meter> out = new ArrayList<>();
        out.add(counter(registry, "datalake.records.landed", "records in published files or table versions", tags, name, FeedCounters::recordsLanded));
        out.add(counter(registry, "datalake.records.rejected", "records sent to _rejected/", tags, name, FeedCounters::recordsRejected));
        out.add(counter(registry, "datalake.files.published", "Parquet files (streams) or versions (tables) published", tags, name, FeedCounters::filesPublished));
        out.add(counter(registry, "datalake.written.bytes", "bytes of published Parquet files", tags, name, FeedCounters::bytesPublished));
        out.add(Gauge.builder("datalake.seconds.since.last.publish", this, m -> m.secondsSinceLastPublish(name))
                .description("seconds since the feed last published a file or version (NaN before the first)")
                .tags(tags).register(registry));
        for (QualityRule rule : feed.quality().rules()) {
            out.add(counter(registry, "datalake.quality.rejected", "records a quality rule kept out of the lake (in _rejected/)",
                    tags.and("rule", rule.kind().json(), "column", rule.column()), name,
                    c -> c.qualityRejected().getOrDefault(rule.label(), 0L)));
        }
        if (feed.isKafkaStream()) {
            out.add(Gauge.builder("datalake.consumer.lag", this, m -> m.lag(feed.name(), feed.consumerGroup(), feed.kafkaTopic()))
                    .description("records on the topic not yet committed by the feed (end offsets - committed offsets)")
                    .baseUnit("records").tags(tags).register(registry));
        }
        if (feed.warehouse() != null) {
            out.addAll(bindWarehouse(registry, feed, tags.and("table", feed.warehouse().table())));
        }
        return out;
    }

    private List<Meter> bindWarehouse(MeterRegistry registry, FeedDefinition feed, Tags tags) {
        String name = feed.name();
        List<Meter> out = new ArrayList<>();
        out.add(warehouseCounter(registry, "datalake.warehouse.rows.upserted", "rows inserted or updated in the warehouse table",
                tags, name, WarehouseCounters::rowsUpserted));
        out.add(warehouseCounter(registry, "datalake.warehouse.rows.deleted", "rows deleted from the warehouse table (tombstones)",
                tags, name, WarehouseCounters::rowsDeleted));
        out.add(warehouseCounter(registry, "datalake.warehouse.records.rejected", "changelog records sent to _rejected/ instead",
                tags, name, WarehouseCounters::recordsRejected));
        out.add(Gauge.builder("datalake.warehouse.lag", this,
                        m -> m.lag("warehouse " + name, feed.warehouseConsumerGroup(), feed.warehouse().topic()))
                .description("changelog records not yet mirrored into the warehouse (end offsets - committed offsets)")
                .baseUnit("records").tags(tags).register(registry));
        return out;
    }

    private FunctionCounter warehouseCounter(MeterRegistry registry, String meter, String description, Tags tags, String feed,
                                             ToLongFunction<WarehouseCounters> value) {
        return FunctionCounter.builder(meter, this, m -> {
            WarehouseCounters c = m.warehouse.counters(feed);
            return c == null ? 0 : value.applyAsLong(c);
        }).description(description).tags(tags).register(registry);
    }

    private FunctionCounter counter(MeterRegistry registry, String meter, String description, Tags tags, String feed,
                                    ToLongFunction<FeedCounters> value) {
        return FunctionCounter.builder(meter, this, m -> {
            FeedCounters c = m.counters(feed);
            return c == null ? 0 : value.applyAsLong(c);
        }).description(description).tags(tags).register(registry);
    }

    private FeedCounters counters(String feed) {
        AppendWriter stream = streams.byFeed(feed);
        return stream != null ? stream.counters() : tables.snapshotWriter(feed);
    }

    private double secondsSinceLastPublish(String feed) {
        FeedCounters c = counters(feed);
        long last = c == null ? -1 : c.lastPublishMillis();
        return last < 0 ? Double.NaN : Math.max(0, clock.millis() - last) / 1000.0;
    }

    /** Asked on each scrape; cached a few seconds so that frequent scrapes do not load the broker. */
    private double lag(String what, String group, String topic) {
        double[] cached;
        synchronized (this) {
            cached = lagCache.get(group);
        }
        if (cached != null && System.nanoTime() - (long) cached[1] < LAG_CACHE.toNanos()) {
            return cached[0];
        }
        double lag;
        try {
            lag = kafka.lag(group, topic, SourceHealthChecks.TIMEOUT);
        } catch (Exception e) {
            LOG.debug("{}: consumer lag unknown: {}", what, e.toString());
            lag = Double.NaN;
        }
        synchronized (this) {
            lagCache.put(group, new double[] {lag, System.nanoTime()});
        }
        return lag;
    }
}
