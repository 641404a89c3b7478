package org.cameldatalake;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.cameldatalake.demo.TransactionGenerator;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.Lake;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Camel CLI ({@code camel run application.properties routes/*.yaml}, camel-jbang-core 4.17.0) runs the
 * service with this project's jar as a dependency ({@code --dep}, installed by the build before this test) against
 * an in-process Kafka broker; DuckDB reads what landed.
 */
class CamelRunIT {
    @TempDir
    Path dir;

    @Test
    void camelRunLandsAFeedsRecords() throws Exception {
        KafkaSupport.broker().createTopics(2, List.of("TRANSACTIONS_SECURE"));
        TransactionGenerator gen = new TransactionGenerator(51, LocalDate.now().minusDays(1), 2);
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            TransactionGenerator.Transaction t = gen.next();
            records.add(new ProducerRecord<>("TRANSACTIONS_SECURE", null, t.eventTimeMillis(), t.userId(), t.json().getBytes(StandardCharsets.UTF_8)));
        }
        KafkaSupport.send(records);

        // a user's folder: the project's settings, route files and one feed file
        Path work = Files.createDirectories(dir.resolve("work"));
        Files.copy(Path.of("application.properties"), work.resolve("application.properties"));
        Files.createDirectories(work.resolve("routes"));
        List<String> routeFiles = new ArrayList<>();
        try (Stream<Path> routes = Files.list(Path.of("routes"))) {
            for (Path r : routes.sorted().toList()) {
                Files.copy(r, work.resolve("routes").resolve(r.getFileName()));
                routeFiles.add("routes/" + r.getFileName());
            }
        }
        Files.createDirectories(work.resolve("feeds/active"));
        Files.copy(Path.of("feeds/active/transactions_secure.json"), work.resolve("feeds/active/transactions_secure.json"));

        List<String> cmd = new ArrayList<>(List.of(javaBin(), "-cp", camelCliClasspath(),
                Path.of("src/it/camel-cli/CamelCli.java").toAbsolutePath().toString(),
                "run", "application.properties"));
        cmd.addAll(routeFiles);
        cmd.addAll(List.of("--dep=org.cameldatalake:camel-datalake:" + System.getProperty("project.version"),
                "--max-seconds=150",
                "--prop=camel.component.kafka.brokers=" + KafkaSupport.broker().bootstrapServers(),
                "--prop=datalake.append.max-age=2s", "--prop=datalake.api.port=0",
                "--prop=datalake.management.port=0"));
        Path log = dir.resolve("camel-run.log");
        Process camel = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            Lake lake = new Lake(work.resolve("data_lake"));
            await().atMost(150, SECONDS).pollInterval(1, SECONDS).until(() -> {
                assertThat(camel.isAlive()).as("camel run ended early:\n%s", tail(log)).isTrue();
                return lake.streamRows("transactions_secure") >= 500;
            });
            assertThat(lake.count("SELECT count(DISTINCT TRANSACTION_ID) FROM " + lake.stream("transactions_secure"))).isEqualTo(500);
            assertThat(Files.readString(log)).contains("Apache Camel (JBang) 4.17.0")
                    .contains("feed transactions_secure: route feed-transactions_secure consumes topic TRANSACTIONS_SECURE");
        } finally {
            camel.destroy();
            camel.waitFor(60, TimeUnit.SECONDS);
            System.out.println("camel run output:\n" + tail(log));
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** camel-jbang-core 4.17.0 and camel-kamelet-main, resolved by Maven like any dependency. */
    private static String camelCliClasspath() throws Exception {
        Path out = Path.of("target", "camel-cli.classpath").toAbsolutePath();
        Process mvn = new ProcessBuilder("mvn", "-B", "-q", "-f", "src/it/camel-cli/pom.xml", "dependency:build-classpath",
                "-Dmdep.outputFile=" + out).redirectErrorStream(true).redirectOutput(Path.of("target", "camel-cli-mvn.log").toFile()).start();
        assertThat(mvn.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(mvn.exitValue()).as(Files.readString(Path.of("target", "camel-cli-mvn.log"))).isZero();
        return Files.readString(out).strip();
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()));
        } catch (Exception e) {
            return "(no output)";
        }
    }
}
