package org.cameldatalake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.cameldatalake.demo.TransactionGenerator;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.Lake;
import org.junit.jupiter.api.Test;

/**
 * An example to copy: a Camel test of one feed. It boots the real application the way camel-main does (the same
 * application.properties, route templates and beans), points it at a test broker and a temporary lake, and waits for
 * the feed's route with a {@link NotifyBuilder} before reading the lake with DuckDB.
 */
class FeedRouteExampleTest extends CamelMainTestSupport {
    private static final Path DIR = tempDir();

    private static Path tempDir() {
        try {
            Path dir = Files.createTempDirectory("feed-example");
            Files.createDirectories(dir.resolve("feeds/active"));
            Files.writeString(dir.resolve("feeds/active/example.json"), """
                    {"feed_name": "example", "feed_type": "stream", "kafka_topic": "EXAMPLE_TX",
                     "partitioning": {"timestamp_field": "TIMESTAMP"}, "rotation": {"max_age": "1s"}}
                    """);
            return dir;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected void configure(MainConfigurationProperties main) {
        main.withRoutesIncludePattern("file:routes/*.yaml"); // the project's route templates
    }

    @Override
    public void configureContext(CamelContextConfiguration context) {
        super.configureContext(context);
        Properties p = new Properties();
        try {
            p.put("camel.component.kafka.brokers", KafkaSupport.broker().bootstrapServers());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        p.put("datalake.root", DIR.resolve("data_lake").toString());
        p.put("datalake.feeds.dir", DIR.resolve("feeds").toString());
        p.put("datalake.maintenance.autostart", "false");
        context.withUseOverridePropertiesWithPropertiesComponent(p);
    }

    @Test
    void aFeedLandsItsTopic() throws Exception {
        KafkaSupport.broker().createTopics(1, List.of("EXAMPLE_TX"));
        // the feed routes are made once the context has started
        await().atMost(10, TimeUnit.SECONDS).until(() -> context.getRoute("feed-example") != null);
        NotifyBuilder landed = new NotifyBuilder(context).fromRoute("feed-example").whenCompleted(1).create();

        TransactionGenerator gen = new TransactionGenerator(61, LocalDate.of(2025, 10, 13), 1);
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            TransactionGenerator.Transaction t = gen.next();
            records.add(new ProducerRecord<>("EXAMPLE_TX", null, t.eventTimeMillis(), t.userId(), t.json().getBytes(StandardCharsets.UTF_8)));
        }
        KafkaSupport.send(records);

        assertThat(landed.matches(30, TimeUnit.SECONDS)).isTrue(); // a batch went through the route
        Lake lake = new Lake(DIR.resolve("data_lake"));
        await().atMost(30, TimeUnit.SECONDS).until(() -> lake.streamRows("example") == 100);
        assertThat(lake.count("SELECT count(DISTINCT TRANSACTION_ID) FROM " + lake.stream("example"))).isEqualTo(100);
    }
}
