package org.cameldatalake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cameldatalake.ksqldb.KsqlDbEmulator;
import org.cameldatalake.support.Cli;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code doctor} through the real command line, against the test broker and the ksqlDB emulator. */
class DoctorTest {
    @TempDir
    Path dir;

    @Test
    void everyCheckPassesWhenKafkaAndKsqlDbAnswer() throws Exception {
        try (KsqlDbEmulator ksqldb = KsqlDbEmulator.start()) {
            Service service = new Service(dir);
            service.kafkaFeed("doctor_tx", "DOCTOR_TX");
            Files.copy(Path.of("feeds/active/product_purchase_counts.json"),
                    service.feedsDir().resolve("active/product_purchase_counts.json"));
            Map<String, String> settings = new HashMap<>(service.settings());
            settings.put("datalake.ksqldb.url", ksqldb.url());
            String warehouse = "jdbc:sqlite:" + dir.resolve("dwh.db");
            settings.put("datalake.warehouse.url", warehouse); // a supported warehouse other than the default
            Files.createDirectories(service.lakeRoot()); // as the demo leaves it: the lake folder is there before doctor runs

            Cli.Result r = Cli.run(dir, settings, "doctor");
            String brokers = KafkaSupport.broker().bootstrapServers();
            assertThat(r.exit()).as(String.join("\n", r.out())).isZero();
            assertThat(r.out()).allMatch(l -> l.startsWith("✓ ") || l.equals("all checks passed"));
            assertThat(r.out()).anyMatch(l -> l.startsWith("✓ Java 17") || l.matches("✓ Java \\d+.*"))
                    .anyMatch(l -> l.startsWith("✓ configuration"))
                    .anyMatch(l -> l.startsWith("✓ lake root ") && l.contains(service.lakeRoot().toString()))
                    .anyMatch(l -> l.startsWith("✓ feed files: 2 valid"))
                    .anyMatch(l -> l.startsWith("✓ Kafka at " + brokers + ": cluster "))
                    .anyMatch(l -> l.startsWith("✓ ksqlDB at " + ksqldb.url() + ": version "))
                    .anyMatch(l -> l.startsWith("✓ warehouse at " + warehouse + ": SQLite"));
            try (var left = Files.list(service.lakeRoot())) {
                assertThat(left).as("the write probe leaves nothing behind").isEmpty();
            }
        }
    }

    @Test
    void kafkaDownABadFeedFileAndABadCronEachFailWithTheirReason() throws Exception {
        Service service = new Service(dir);
        service.kafkaFeed("doctor_tx", "DOCTOR_TX");
        service.feedFile("broken.json", "{\"feed_name\": \"broken\", \"feed_type\": \"lake\", \"source\": \"kafka\"}");
        Map<String, String> settings = new HashMap<>(service.settings());
        settings.put("camel.component.kafka.brokers", "127.0.0.1:1");
        settings.put("datalake.maintenance.reports-cron", "every hour");
        settings.put("datalake.warehouse.url", "jdbc:postgresql://127.0.0.1:1/dwh?user=dl&password=s3cr3t-Pa55");

        Cli.Result r = Cli.run(dir, settings, "doctor");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).anyMatch(l -> l.startsWith("✗ warehouse at jdbc:postgresql://127.0.0.1:1/dwh?user=dl&password=****: unreachable"));
        assertThat(String.join("\n", r.out()) + String.join("\n", r.err())).as("the password, in no output or log line")
                .doesNotContain("s3cr3t");
        assertThat(r.out()).anyMatch(l -> l.startsWith("✗ Kafka at 127.0.0.1:1: unreachable"))
                .anyMatch(l -> l.startsWith("✗ feed file") && l.contains("broken.json") && l.contains("feed_type"))
                .anyMatch(l -> l.equals("✗ configuration: datalake.maintenance.reports-cron = 'every hour' is not a Quartz cron"))
                .anyMatch(l -> l.startsWith("– ksqlDB at ") && l.endsWith("not checked, no active feed reads ksqlDB"))
                .anyMatch(l -> l.startsWith("✓ lake root"))
                .contains("4 check(s) failed");
        assertThat(List.of(r.out().get(0))).allMatch(l -> l.startsWith("✓ Java"));
    }
}
