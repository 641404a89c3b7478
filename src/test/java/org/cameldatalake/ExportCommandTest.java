package org.cameldatalake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.cameldatalake.demo.TransactionGenerator;
import org.cameldatalake.support.Cli;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code export} on a Kafka stream feed, through the real command line: one pass up to the end offsets, then exit. */
class ExportCommandTest {
    @TempDir
    Path dir;

    private static void produce(String topic, long seed, int n) throws Exception {
        KafkaSupport.sendTransactions(topic, seed, n, java.time.LocalDate.of(2025, 10, 13), 2);
    }

    @Test
    void exportConsumesAKafkaFeedUpToTheEndOffsetsSeenAtStartAndExits() throws Exception {
        KafkaSupport.broker().createTopics(2, List.of("TX_EXPORT"));
        produce("TX_EXPORT", 21, 500);
        Service service = new Service(dir);
        service.kafkaFeed("tx_export", "TX_EXPORT");
        Map<String, String> settings = new HashMap<>(service.settings());
        settings.put("datalake.append.max-age", "10m"); // files close because the pass ends, not because of age

        Cli.Result first = Cli.run(dir, settings, "export", "--stream", "tx_export");
        assertThat(first.exit()).as(String.join("\n", first.err())).isZero();
        assertThat(first.out()).anyMatch(l -> l.startsWith("tx_export: 500 records landed, 0 rejected"));
        Lake lake = service.lake();
        assertThat(lake.count("SELECT count(*) FROM " + lake.stream("tx_export"))).isEqualTo(500);
        assertThat(KafkaSupport.committed("camel-datalake-tx_export", "TX_EXPORT")).isEqualTo(KafkaSupport.endOffsets("TX_EXPORT", 2));

        Cli.Result nothing = Cli.run(dir, settings, "export", "--feed", "tx_export");
        assertThat(nothing.exit()).isZero();
        assertThat(nothing.out()).contains("tx_export: nothing new on TX_EXPORT");

        produce("TX_EXPORT", 22, 120);
        Cli.Result more = Cli.run(dir, settings, "export", "--all");
        assertThat(more.exit()).isZero();
        assertThat(more.out()).anyMatch(l -> l.startsWith("tx_export: 120 records landed"));
        assertThat(lake.count("SELECT count(DISTINCT TRANSACTION_ID) FROM " + lake.stream("tx_export"))).isEqualTo(620);

        Cli.Result wrongKind = Cli.run(dir, settings, "export", "--table", "tx_export");
        assertThat(wrongKind.exit()).isEqualTo(1);
        assertThat(wrongKind.err()).contains("camel-datalake export: 'tx_export' is a stream feed, not a table");
    }

    @Test
    @org.junit.jupiter.api.Timeout(180) // it used to wait 30 minutes for the partitions the service holds
    void exportBesideARunningServiceRefusesAtOnceNamingIt() throws Exception {
        KafkaSupport.broker().createTopics(2, List.of("TX_EXPORT_BESIDE"));
        produce("TX_EXPORT_BESIDE", 23, 300);
        try (Service service = new Service(dir)) {
            service.kafkaFeed("tx_export_beside", "TX_EXPORT_BESIDE");
            service.set("datalake.append.max-age", "1s").start();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                    .until(() -> KafkaSupport.groupMembers("camel-datalake-tx_export_beside") == 1);
            Cli.Result r = Cli.run(dir, service.settings(), "export", "--feed", "tx_export_beside");
            assertThat(r.exit()).isEqualTo(1);
            assertThat(String.join("\n", r.err())).contains("tx_export_beside: feed tx_export_beside is being consumed by "
                    + "a running service: its consumer group camel-datalake-tx_export_beside has 1 other member(s)");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                    .until(() -> service.lake().streamRows("tx_export_beside") == 300);
        }
    }

    @Test
    void progressIsPrintedAsPlainLinesWhenNotOnATerminal() throws Exception {
        KafkaSupport.broker().createTopics(2, List.of("TX_PROGRESS"));
        produce("TX_PROGRESS", 24, 3000);
        Service service = new Service(dir);
        service.kafkaFeed("tx_progress", "TX_PROGRESS");
        Cli.Result r = Cli.run(dir, service.settings(), "export", "--feed", "tx_progress", "--progress-every", "100ms");
        assertThat(r.exit()).as(String.join("\n", r.err())).isZero();
        List<String> lines = r.err().stream().filter(l -> l.startsWith("tx_progress: ")).toList();
        assertThat(lines.size()).as(String.join("\n", lines)).isGreaterThanOrEqualTo(2);
        long last = -1;
        for (String line : lines.subList(0, lines.size() - 1)) {
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile("tx_progress: ([\\d,]+) of 3,000 records \\(\\d+%\\), [\\d,]+ records/s(, ETA \\d+[hms].*)?").matcher(line);
            assertThat(m.matches()).as(line).isTrue();
            long done = Long.parseLong(m.group(1).replace(",", ""));
            assertThat(done).as("never goes back").isGreaterThanOrEqualTo(last);
            assertThat(m.group(2) != null).as("an ETA once records flow: " + line).isEqualTo(done > 0 && done < 3000);
            last = done;
        }
        assertThat(lines.get(lines.size() - 1)).matches("tx_progress: 3,000 of 3,000 records \\(100%\\), [\\d,]+ records/s, \\d+\\.\\d s");
        assertThat(r.out()).anyMatch(l -> l.startsWith("tx_progress: 3000 records landed"));
    }

    @Test
    void settingsComeFromEnvironmentVariablesToo() throws Exception {
        KafkaSupport.broker().createTopics(2, List.of("TX_ENV"));
        produce("TX_ENV", 23, 40);
        Service service = new Service(dir);
        service.kafkaFeed("tx_env", "TX_ENV");
        Cli.Result r = Cli.run(dir, Map.of(), Map.of("DATALAKE_ROOT", service.lakeRoot().toString(),
                "DATALAKE_FEEDS_DIR", service.feedsDir().toString(),
                "CAMEL_COMPONENT_KAFKA_BROKERS", KafkaSupport.broker().bootstrapServers()), "export", "--all");
        assertThat(r.exit()).as(String.join("\n", r.err())).isZero();
        assertThat(r.out()).anyMatch(l -> l.startsWith("tx_env: 40 records landed"));
        assertThat(service.lake().count("SELECT count(*) FROM " + service.lake().stream("tx_env"))).isEqualTo(40);
    }

    @Test
    void exportWhenKafkaIsUnreachableExitsOneWithAOneLineReason() throws Exception {
        Service service = new Service(dir);
        service.kafkaFeed("tx_nowhere", "TX_NOWHERE");
        Map<String, String> settings = new HashMap<>(service.settings());
        settings.put("camel.component.kafka.brokers", "127.0.0.1:1");
        Cli.Result r = Cli.run(dir, settings, "export", "--stream", "tx_nowhere");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).filteredOn(l -> l.startsWith("camel-datalake export:"))
                .singleElement().asString().startsWith("camel-datalake export: tx_nowhere: Kafka is unreachable at 127.0.0.1:1");
        assertThat(service.lakeRoot().resolve("streams/tx_nowhere")).doesNotExist(); // checked before anything is written
    }
}
