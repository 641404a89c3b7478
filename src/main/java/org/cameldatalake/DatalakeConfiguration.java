package org.cameldatalake;

import org.cameldatalake.runtime.DatalakeRuntime;
import org.cameldatalake.runtime.DatalakeSettings;
import org.cameldatalake.sink.AppendWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.camel.health.HealthCheckRegistry;
import org.cameldatalake.api.ApiHttpEngine;
import org.cameldatalake.api.ReadApi;
import org.cameldatalake.runtime.FeedRouteManager;
import org.cameldatalake.health.FeedMetrics;
import org.cameldatalake.runtime.MaintenanceFailures;
import org.cameldatalake.kafka.KafkaProbe;
import org.cameldatalake.health.SourceHealthChecks;
import org.cameldatalake.sink.AppendWriters;
import org.cameldatalake.metadata.ExportLog;
import org.cameldatalake.storage.Storage;
import org.cameldatalake.storage.Storages;
import org.cameldatalake.report.ReportWriter;
import org.cameldatalake.warehouse.ApiTokens;
import org.cameldatalake.warehouse.Permissions;
import org.cameldatalake.warehouse.Warehouse;
import org.cameldatalake.warehouse.WarehouseSync;
import org.cameldatalake.kafka.AppendPipeline;
import org.cameldatalake.kafka.KafkaBatchLander;
import org.cameldatalake.kafka.AssignmentEpochs;
import org.cameldatalake.kafka.EpochStampingCommitFactory;
import org.cameldatalake.kafka.StaleRecords;
import org.cameldatalake.ksqldb.KsqlDbExports;
import org.cameldatalake.kafka.LakeKafkaComponent;
import org.cameldatalake.kafka.LakeSubscribeAdapter;

/**
 * Wires the beans the YAML routes call ({@code kafkaBatchLander}, {@code appendWriters}, {@code warehouseSync}) and camel-kafka's
 * {@code subscribeAdapter}, and creates the feed routes once the context has started.
 * Named by {@code camel.main.configuration-classes} in application.properties, so that {@code java -jar} and
 * {@code camel run} wire the same beans. Every time-based decision reads one {@link Clock}: a bean named
 * {@value #CLOCK_BEAN} when bound (tests move it), else the system clock.
 */
public final class DatalakeConfiguration implements CamelConfiguration {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DatalakeConfiguration.class);
    public static final String CLOCK_BEAN = DatalakeRuntime.CLOCK_BEAN;

    @Override
    public void configure(CamelContext ctx) {
        DatalakeSettings settings = DatalakeSettings.from(ctx);
        Clock bound = ctx.getRegistry().lookupByNameAndType(CLOCK_BEAN, Clock.class);
        Clock clock = bound != null ? bound : Clock.systemUTC();
        Storage storage;
        try {
            storage = Storages.open(settings.root(), settings.hadoop(), settings.spoolDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the lake root " + settings.root(), e);
        }
        try {
            org.cameldatalake.runtime.ScheduledWork.configure(ctx, settings.cluster(), storage.localRoot());
        } catch (Exception e) {
            throw new IllegalStateException("cannot set up the cluster service: " + e.getMessage(), e);
        }
        ExportLog exportLog = new ExportLog(storage, clock, settings.zone());
        AppendWriters writers = new AppendWriters();
        KsqlDbExports ksqlDbExports = new KsqlDbExports(settings.ksqldbUrl(), writers, clock, settings.ksqldbPollBuffer(),
                java.nio.file.Path.of(System.getProperty("java.io.tmpdir")));
        Warehouse warehouse = Warehouse.fromSettings(
                ctx.getPropertiesComponent().resolveProperty("datalake.warehouse.url").orElse(null),
                storage.localRoot());
        WarehouseSync warehouseSync = new WarehouseSync(warehouse, storage, exportLog, clock, settings.zone());
        KafkaProbe kafkaProbe = new KafkaProbe(ctx.getPropertiesComponent().resolveProperty("camel.component.kafka.brokers")
                .orElse("localhost:9092"));
        // the partitions of a batch are written in parallel, one thread each up to the cores (the batch's own writer
        // thread takes one): these threads never wait for other tasks, so that no feed can starve another
        java.util.concurrent.ExecutorService partitionThreads = ctx.getExecutorServiceManager().newFixedThreadPool(writers,
                "PartitionWriter", Math.max(1, Runtime.getRuntime().availableProcessors() - 1));
        FeedRouteManager feeds = new FeedRouteManager(ctx, settings, storage, writers, ksqlDbExports, exportLog,
                warehouseSync, kafkaProbe, clock, partitionThreads);
        ctx.getRegistry().bind("datalakeSettings", settings);
        ctx.getRegistry().bind("lakeStorage", storage);
        ctx.getRegistry().bind("appendWriters", writers);
        // writer threads shared by the stream feeds: each feed has at most one batch in flight
        AppendPipeline pipeline = new AppendPipeline(ctx.getExecutorServiceManager().newFixedThreadPool(writers,
                "AppendWriter", Math.max(2, Runtime.getRuntime().availableProcessors())));
        ctx.getRegistry().bind("kafkaBatchLander", new KafkaBatchLander(writers, pipeline, settings.retryBackoff(),
                settings.maxRetryBackoff()));
        ctx.addComponent("lake-kafka", new LakeKafkaComponent(writers, pipeline));
        AssignmentEpochs epochs = new AssignmentEpochs();
        ctx.getRegistry().bind("subscribeAdapter", new LakeSubscribeAdapter(epochs));
        ctx.getRegistry().bind("epochStampingCommitFactory", new EpochStampingCommitFactory(epochs));
        ctx.getRegistry().bind("staleRecords", new StaleRecords(epochs));
        ctx.getRegistry().bind("ksqlDbExports", ksqlDbExports);
        ctx.getRegistry().bind("ksqlDbAttemptFailed", (org.apache.camel.Processor) ksqlDbExports::attemptFailed);
        // SQL feeds' snapshot writers are registered with the ksqlDB ones: one registry of table writers
        ctx.getRegistry().bind("sqlFeeds", new org.cameldatalake.query.SqlFeeds(storage, settings.feedsDir(),
                ksqlDbExports::snapshotWriter, ctx.getPropertiesComponent().resolveProperty("datalake.query.memory-limit")
                .filter(v -> !v.isBlank()).orElse("1GB")));
        ctx.getRegistry().bind("jdbcFeeds", new org.cameldatalake.jdbc.JdbcFeeds(ctx, writers,
                ksqlDbExports::snapshotWriter, clock, settings.zone()));
        ctx.getRegistry().bind("jdbcRowMappers", new org.cameldatalake.jdbc.JdbcRowMappers());
        ctx.getRegistry().bind("feedRouteManager", feeds);
        MaintenanceFailures maintenanceFailures = new MaintenanceFailures();
        ctx.getRegistry().bind("maintenance", new org.cameldatalake.maintenance.Maintenance(feeds, storage, exportLog, clock,
                maintenanceFailures));
        FeedMetrics metrics = new FeedMetrics(ctx, writers, ksqlDbExports, warehouseSync, kafkaProbe, clock,
                maintenanceFailures);
        feeds.onReconciled(metrics::follow);
        ctx.getRegistry().bind("kafkaProbe", kafkaProbe);
        ctx.getRegistry().bind("warehouse", warehouse);
        ctx.getRegistry().bind("warehouseSync", warehouseSync);
        ctx.getRegistry().bind("warehouseAttemptFailed", (org.apache.camel.Processor) warehouseSync::attemptFailed);
        Permissions permissions = new Permissions(warehouse, clock);
        ApiTokens apiTokens = new ApiTokens(warehouse, clock);
        ctx.getRegistry().bind("permissions", permissions);
        ctx.getRegistry().bind("apiTokens", apiTokens);
        ctx.getRegistry().bind("readApi", new ReadApi(storage, settings.feedsDir(), clock, permissions, apiTokens));
        ctx.getPropertiesComponent().resolveProperty("camel.server.port").ifPresent(port ->
                ctx.getRegistry().bind("platform-http-engine", new ApiHttpEngine(Integer.parseInt(port.trim()))));
        ctx.getRegistry().bind("reports", new ReportWriter(storage, settings.feedsDir(), clock, settings.zone()));
        try {
            // the feed-files watch needs its folder; archive needs the other one
            java.nio.file.Files.createDirectories(settings.feedsDir().resolve("active"));
            java.nio.file.Files.createDirectories(settings.feedsDir().resolve("archived"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the feeds folders under " + settings.feedsDir(), e);
        }
        try {
            ctx.addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    writers.closeAll(); // after the routes: their consumers have published and committed on revocation
                    kafkaProbe.close();
                    try {
                        storage.close(); // last: an object store's spool folder goes with it
                    } catch (IOException e) {
                        LOG.warn("could not close the lake store {}: {}", storage.root(), e.toString());
                    }
                }
            });
            ctx.addStartupListener(new ExtendedStartupListener() {
                @Override
                public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
                    HealthCheckRegistry health = HealthCheckRegistry.get(context);
                    if (health != null) { // readiness (GET /observe/health/ready) includes the sources the feeds read
                        health.register(new SourceHealthChecks.Kafka(feeds, kafkaProbe));
                        health.register(new SourceHealthChecks.KsqlDb(feeds, settings.ksqldbUrl()));
                        health.register(new SourceHealthChecks.LakeWrites(writers));
                        health.register(new SourceHealthChecks.Maintenance(maintenanceFailures));
                        health.register(new SourceHealthChecks.WarehouseWrites(feeds, warehouseSync));
                    }
                }

                @Override
                public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
                    if (settings.autostartFeeds()) {
                        feeds.startAll();
                    }
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
