package org.cameldatalake.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.cameldatalake.demo.DemoProducer;
import org.cameldatalake.demo.EmbeddedKafka;
import org.cameldatalake.demo.ksqldb.SimulatedKsqlDb;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.runtime.DatalakeRuntime;
import org.cameldatalake.runtime.FeedRouteManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", description = {
        "Start a real Kafka broker in this JVM, produce seed-004 transactions on the seed-004 topics "
                + "and run the service on them: Parquet files appear under <datalake.root>/streams/ within a minute.",
        "Unless datalake.ksqldb.url is set, a simulated ksqlDB (not a real one) serves seed 000's streams and tables, "
                + "derived from those transactions: the ksqlDB feeds take their first snapshot and poll at once, then "
                + "run on their schedule."})
public final class DemoCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(DemoCommand.class);
    /** How long the first ksqlDB runs wait for the initial transactions to be produced and read. */
    private static final Duration FIRST_RUN_WAIT = Duration.ofMinutes(2);

    @Option(names = "--initial", description = "transactions produced at start, over the last 3 days (default ${DEFAULT-VALUE})")
    int initial = 20_000;

    @Option(names = "--rate", description = "transactions per second afterwards (default ${DEFAULT-VALUE})")
    int rate = 20;

    @Option(names = "--kafka-dir", description = "the demo broker's data, kept beside the lake so that offsets and "
            + "lake agree across demo runs (default ${DEFAULT-VALUE})")
    Path kafkaDir = Path.of("target", "demo-kafka");

    @Override
    public Integer call() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir)) {
            kafka.createTopics(2, DemoProducer.TOPICS);
            System.out.println("demo: Kafka broker (KRaft) on " + kafka.bootstrapServers() + ", data in " + kafkaDir);
            DemoProducer producer = new DemoProducer(kafka.bootstrapServers(), initial, rate);
            Thread t = new Thread(producer, "demo-producer");
            t.setDaemon(true);
            t.start();
            Map<String, String> overrides = new HashMap<>();
            overrides.put("camel.component.kafka.brokers", kafka.bootstrapServers());
            if (System.getProperty("datalake.append.max-age") == null) {
                overrides.put("datalake.append.max-age", "15s"); // show files quickly
            }
            boolean realKsqlDb = System.getProperty("datalake.ksqldb.url") != null
                    || System.getenv("DATALAKE_KSQLDB_URL") != null;
            try (SimulatedKsqlDb ksqldb = realKsqlDb ? null : SimulatedKsqlDb.start(kafka.bootstrapServers())) {
                if (ksqldb != null) {
                    overrides.put("datalake.ksqldb.url", ksqldb.url());
                }
                Main main = DatalakeRuntime.create(overrides);
                if (ksqldb != null) {
                    main.addMainListener(new MainListenerSupport() {
                        @Override
                        public void afterStart(BaseMainSupport started) {
                            Thread first = new Thread(() -> runKsqlDbFeedsOnce(started.getCamelContext(), producer,
                                    ksqldb, FIRST_RUN_WAIT), "demo-ksqldb-first-runs");
                            first.setDaemon(true);
                            first.start();
                        }
                    });
                }
                try {
                    main.run();
                } finally {
                    producer.stop();
                }
            }
        }
        return 0;
    }

    /**
     * Once the initial transactions are produced and the simulated ksqlDB has read them, takes the first snapshot of
     * every enabled ksqlDB table feed and the first poll of every enabled ksqlDB stream feed, as {@code export}
     * does, instead of waiting for their schedule (every 10 minutes in the shipped feed files).
     */
    static void runKsqlDbFeedsOnce(CamelContext context, DemoProducer producer, SimulatedKsqlDb ksqldb,
                                   Duration wait) {
        try {
            if (!producer.awaitHistory(wait) || !ksqldb.awaitCaughtUp(wait)) {
                LOG.warn("demo: the simulated ksqlDB has not read the initial transactions within {}; the ksqlDB "
                        + "feeds run on their schedule", wait);
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        FeedRouteManager feeds = context.getRegistry().lookupByNameAndType("feedRouteManager", FeedRouteManager.class);
        for (FeedDefinition feed : feeds.catalog().feeds()) {
            if (feed.enabled() && (feed.isKsqldbTable() || feed.isKsqldbStream())) {
                try {
                    LOG.info("demo: {} (simulated ksqlDB): {}", feed.name(), feeds.exportOnce(feed));
                } catch (Exception e) {
                    LOG.warn("demo: {} (simulated ksqlDB): {}", feed.name(), FeedRouteManager.reason(e));
                }
            }
        }
    }
}
