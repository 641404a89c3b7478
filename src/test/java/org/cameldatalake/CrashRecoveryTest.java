package org.cameldatalake;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.cameldatalake.demo.TransactionGenerator;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service runs in its own JVM and is killed with SIGKILL while records flow; a restart must land every record
 * exactly once and leave no temporary file behind.
 */
class CrashRecoveryTest {
    private static final int RECORDS = 10_000;

    @TempDir
    Path dir;

    @Test
    void sigkillMidIngestThenRestartLandsEveryRecordExactlyOnce() throws Exception {
        KafkaSupport.broker().createTopics(2, List.of("TX_CRASH"));
        Service service = new Service(dir);
        service.kafkaFeed("tx_crash", "TX_CRASH");
        service.set("datalake.append.max-records", "400").set("datalake.append.max-age", "2s")
                .set("datalake.kafka.max-poll-records", "150");
        Lake lake = service.lake();

        Process child = startChildJvm(service);
        AtomicInteger sent = new AtomicInteger();
        Thread producer = new Thread(() -> produce(sent), "crash-test-producer");
        producer.start();
        try {
            // kill it in the middle: several files published, records still arriving
            await().atMost(90, SECONDS).pollInterval(20, MILLISECONDS).until(() -> dataFiles(service).size() >= 5);
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no flush, no commit
            assertThat(child.waitFor(30, SECONDS)).isTrue();
        } finally {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
        long landedBeforeCrash = lake.streamRows("tx_crash");
        int sentAtCrash = sent.get();
        producer.join();
        System.out.printf("crash test: killed after %d of %d records were sent, %d rows in the lake%n", sentAtCrash,
                RECORDS, landedBeforeCrash);
        assertThat(landedBeforeCrash).isBetween(1L, RECORDS - 1L);

        service.start();
        try {
            await().atMost(90, SECONDS).until(() -> lake.streamRows("tx_crash") >= RECORDS);
        } finally {
            service.stop(); // a clean stop publishes what is open and commits
        }
        assertThat(KafkaSupport.committed("camel-datalake-tx_crash", "TX_CRASH")).isEqualTo(KafkaSupport.endOffsets("TX_CRASH", 2));
        String t = lake.stream("tx_crash");
        assertThat(lake.count("SELECT count(*) FROM " + t)).isEqualTo(RECORDS);
        assertThat(lake.count("SELECT count(DISTINCT TRANSACTION_ID) FROM " + t)).isEqualTo(RECORDS);
        assertThat(lake.count("SELECT count(DISTINCT (_kafka_partition, _kafka_offset)) FROM " + t)).isEqualTo(RECORDS);

        // nothing but published data files and metadata: no temporary file left anywhere in the feed
        try (Stream<Path> files = Files.walk(service.lakeRoot().resolve("streams/tx_crash"))) {
            assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
                    .allMatch(n -> n.equals("_metadata.json") || n.matches("data_\\d{8}_\\d{6}_TX_CRASH\\+\\d\\+\\d+\\+\\d+\\.parquet"));
        }
    }

    private static List<Path> dataFiles(Service service) throws Exception {
        Path feed = service.lakeRoot().resolve("streams/tx_crash");
        if (!Files.isDirectory(feed)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(feed)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList();
        }
    }

    private static Process startChildJvm(Service service) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        service.settings().forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add(DatalakeApp.class.getName());
        cmd.add("run");
        File log = Path.of("target", "crash-test-child.log").toFile();
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
    }

    /** 10,000 transactions over 3 days at about 1,000 per second. */
    private static void produce(AtomicInteger sent) {
        TransactionGenerator gen = new TransactionGenerator(11, LocalDate.of(2025, 10, 13), 3);
        try (KafkaProducer<String, byte[]> producer = KafkaSupport.producer()) {
            while (sent.get() < RECORDS) {
                for (int i = 0; i < 100; i++) {
                    TransactionGenerator.Transaction t = gen.next();
                    producer.send(new ProducerRecord<>("TX_CRASH", null, t.eventTimeMillis(), t.userId(),
                            t.json().getBytes(StandardCharsets.UTF_8)));
                    sent.incrementAndGet();
                }
                producer.flush();
                Thread.sleep(100);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
