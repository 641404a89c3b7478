package org.cameldatalake.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.camel.main.Main;
import org.cameldatalake.runtime.DatalakeRuntime;
import org.cameldatalake.demo.DemoProducer;
import org.cameldatalake.demo.EmbeddedKafka;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", description = {
        "Start a real Kafka broker in this JVM, produce seed-004 transactions on the seed-004 topics "
                + "and run the service on them: Parquet files appear under <datalake.root>/streams/ within a minute."})
public final class DemoCommand implements Callable<Integer> {
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
            System.out.println("demo: the ksqlDB feeds (seed 000) run on their schedule against datalake.ksqldb.url; "
                    + "without a ksqlDB server they report it unreachable and publish nothing");
            DemoProducer producer = new DemoProducer(kafka.bootstrapServers(), initial, rate);
            Thread t = new Thread(producer, "demo-producer");
            t.setDaemon(true);
            t.start();
            Map<String, String> overrides = new HashMap<>();
            overrides.put("camel.component.kafka.brokers", kafka.bootstrapServers());
            if (System.getProperty("datalake.append.max-age") == null) {
                overrides.put("datalake.append.max-age", "15s"); // show files quickly
            }
            Main main = DatalakeRuntime.create(overrides);
            try {
                main.run();
            } finally {
                producer.stop();
            }
        }
        return 0;
    }
}
