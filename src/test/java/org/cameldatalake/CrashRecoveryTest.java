package org.cameldatalake;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.cameldatalake.support.Cli;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.LakeAudit;
import org.cameldatalake.support.PacedProducer;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service runs in its own JVM (the real main class, {@code run}) and is killed with SIGKILL again and again while
 * records are being produced, at moments drawn from a seeded {@link Random}: while it starts and joins the group,
 * at its first write after the (re)assignment, in the middle of writing, right after a file is published. Each time
 * it is started again. At the end every produced record is in the lake exactly once, nothing temporary is visible
 * and the committed offsets are the end offsets.
 * <p>
 * {@code mvn verify} runs 10 kills over 200,000 records; {@code mvn test -Pstress} runs 50 kills over 2,000,000.
 * {@code -Dcrash.kills}, {@code -Dcrash.records} and {@code -Dcrash.seed} (printed by every run) replay or vary a run.
 */
class CrashRecoveryTest {
    private static final String TOPIC = "TX_CRASH";
    private static final String FEED = "tx_crash";
    private static final int PARTITIONS = 3;
    private static final int KILLS = Integer.getInteger("crash.kills", 10);
    private static final int RECORDS = Integer.getInteger("crash.records", 200_000);
    private static final long SEED = Long.getLong("crash.seed", System.currentTimeMillis());
    /** Files of a few hundred records, so that each run publishes many; bigger in long runs, for a lake of ~1,000 files. */
    private static final int MAX_RECORDS_PER_FILE = Math.max(500, RECORDS / 400);
    /** Records each child's run adds to what the producer may send. */
    private static final int SHARE = RECORDS / (KILLS + 1);
    /** Records per second: a run's share takes about 8 s, a run's usual length (JVM start, then ingest). */
    private static final int RATE = Integer.getInteger("crash.rate", Math.max(1000, SHARE / 8));

    /** Where in a child's life the kill lands. */
    enum Phase {
        /** its writer has just locked its temporary folder: Camel is starting the route, the consumer joining the group */
        STARTUP,
        /** its first temporary Parquet file is open: the first batch after the assignment, replaying from the commit */
        FIRST_WRITE,
        /** after it published n files, while a file is being written */
        MID_WRITE,
        /** the moment its n-th file appears: published, its offsets not committed yet */
        AFTER_PUBLISH
    }

    @TempDir
    Path dir;

    @Test
    void repeatedSigkillWhileRecordsFlowLandsEveryRecordExactlyOnce() throws Exception {
        System.out.printf("crash test: seed %d (replay with -Dcrash.seed=%d), %d kills over %d records%n", SEED, SEED,
                KILLS, RECORDS);
        Service service = service(FEED, TOPIC, "2s");
        Lake lake = service.lake();
        Random random = new Random(SEED);
        long started = System.nanoTime();

        try (PacedProducer producer = new PacedProducer(KafkaSupport.broker().bootstrapServers(), TOPIC, SEED,
                LocalDate.of(2025, 10, 13), 3, RECORDS, RATE)) {
            for (int i = 1; i <= KILLS; i++) {
                producer.allow(SHARE * i); // production goes on through every run
                Phase phase = Phase.values()[random.nextInt(Phase.values().length)];
                // the records allowed but not landed yet make at least that many files: the n-th is sure to come; a
                // mid-write kill also needs records left to write after it
                int most = (int) Math.max(2, (SHARE * i - lake.streamRows(FEED)) / MAX_RECORDS_PER_FILE);
                int n = 1 + random.nextInt(phase == Phase.MID_WRITE ? most / 2 : most);
                Child child = Child.start(service, FEED, "crash-" + i);
                try {
                    child.awaitMoment(phase, n);
                } finally {
                    child.kill();
                }
                System.out.printf("crash test: kill %2d at %-13s %-6s %5.1f s after start: %7d sent%s, %7d in the lake, %4d files%n",
                        i, phase, phase == Phase.MID_WRITE || phase == Phase.AFTER_PUBLISH ? "(n=" + n + ")" : "",
                        child.uptimeSeconds(), producer.sent(), producer.sent() < SHARE * i ? " (sending)" : "",
                        lake.streamRows(FEED), dataFiles(service, FEED).size());
            }
            assertThat(lake.streamRows(FEED)).as("the kills happened mid-ingest").isLessThan(RECORDS);

            producer.allowAll();
            service.start(); // the last run stops cleanly: it publishes what is open and commits
            try {
                List<String> ids = producer.awaitAcknowledged(Duration.ofSeconds(Math.max(60, RECORDS / 1000)));
                LakeAudit.catchUpStopAndAudit(service, KafkaSupport.broker(), FEED, TOPIC, PARTITIONS, ids,
                        Duration.ofSeconds(Math.max(90, RECORDS / 2000)));
                System.out.printf("crash test: %d kills over %d records, seed %d, %.0f s%n", KILLS, RECORDS, SEED,
                        (System.nanoTime() - started) / 1e9);
                assertThat(new ObjectMapper().readTree(service.lakeRoot().resolve("streams/" + FEED + "/_metadata.json")
                        .toFile()).path("total_records").asLong()).as("metadata after the crashes").isEqualTo(RECORDS);
                assertThat(service.lakeRoot().resolve("_rejected/" + FEED)).doesNotExist();
            } finally {
                service.stop();
            }
        }
    }

    @Test
    void frozenLongerThanItsSessionThenResumedLosesNothing() throws Exception {
        String topic = "TX_FREEZE";
        String feed = "tx_freeze";
        String group = "camel-datalake-" + feed;
        // files rotate by size only while the child runs: were they published by age, the rotation timer (which wakes up
        // with the JVM) would publish the open files before the consumer learns that its partitions are lost
        Service service = service(feed, topic, "60s");
        Lake lake = service.lake();
        try (PacedProducer producer = new PacedProducer(KafkaSupport.broker().bootstrapServers(), topic, 5,
                LocalDate.of(2025, 10, 13), 3, 40_000, 2_000).allow(1_000)) {
            Child child = Child.start(service, feed, "freeze");
            try {
                // frozen in its stride, not catching up: records arrive a few hundred at a time and wait in camel-kafka's
                // batch until the batching interval ends
                child.awaitMoment(Phase.FIRST_WRITE, 0);
                producer.allowAll();
                await().atMost(60, SECONDS).pollInterval(50, MILLISECONDS).until(() -> child.publishedSinceStart() >= 10);
                child.signal("STOP");
                // the coordinator drops the frozen member once its session runs out
                await().atMost(60, SECONDS).pollInterval(200, MILLISECONDS).until(() -> KafkaSupport.groupMembers(group) == 0);
                long landedWhileFrozen = lake.streamRows(feed);
                child.signal("CONT");
                await().atMost(60, SECONDS).pollInterval(200, MILLISECONDS)
                        .until(() -> KafkaSupport.groupMembers(group) == 1 && lake.streamRows(feed) >= landedWhileFrozen + 5_000);
            } finally {
                child.kill();
            }
            service.set("datalake.append.max-age", "2s").start();
            try {
                List<String> ids = producer.awaitAcknowledged(Duration.ofSeconds(60));
                LakeAudit.catchUpStopAndAudit(service, KafkaSupport.broker(), feed, topic, PARTITIONS, ids, Duration.ofSeconds(90));
            } finally {
                service.stop();
            }
        }
    }

    /**
     * The service both tests' children run (and their last, clean run): small files and batches, so that a child
     * publishes several files within seconds; a 6 s session (the broker's minimum), so that the group does not wait
     * the default 15 s for a killed member before the next child gets the partitions.
     */
    private Service service(String feed, String topic, String maxAge) throws Exception {
        KafkaSupport.broker().createTopics(PARTITIONS, List.of(topic));
        Service service = new Service(dir);
        service.kafkaFeed(feed, topic);
        return service.set("datalake.append.max-records", String.valueOf(MAX_RECORDS_PER_FILE))
                .set("datalake.append.max-age", maxAge)
                .set("datalake.kafka.max-poll-records", "500")
                .set("datalake.kafka.session-timeout-ms", "6000");
    }

    /** One run of the service in its own JVM, killed with SIGKILL at a chosen moment. */
    private static final class Child {
        private final Service service;
        private final String feed;
        private final Process process;
        private final Path log;
        private final long startNanos = System.nanoTime();
        private final Set<Path> tempDirsBefore;
        private final int filesBefore;
        private long killedNanos;

        private Child(Service service, String feed, Process process, Path log, Set<Path> tempDirsBefore, int filesBefore) {
            this.service = service;
            this.feed = feed;
            this.process = process;
            this.log = log;
            this.tempDirsBefore = tempDirsBefore;
            this.filesBefore = filesBefore;
        }

        static Child start(Service service, String feed, String run) throws IOException {
            Set<Path> before = tempDirs(service, feed);
            int files = dataFiles(service, feed).size();
            Path log = Files.createDirectories(Path.of("target", "crash-test")).resolve(run + ".log");
            Process p = Cli.start(service.settings(), log);
            return new Child(service, feed, p, log, before, files);
        }

        void awaitMoment(Phase phase, int n) {
            await().atMost(120, SECONDS).pollInterval(20, MILLISECONDS).failFast("the child exited by itself:\n" + logTail(),
                    () -> !process.isAlive()).until(() -> switch (phase) {
                        case STARTUP -> ownTempDir() != null;
                        case FIRST_WRITE -> openFiles() > 0;
                        case MID_WRITE -> dataFiles(service, feed).size() >= filesBefore + n && openFiles() > 0;
                        case AFTER_PUBLISH -> dataFiles(service, feed).size() >= filesBefore + n;
                    });
        }

        void kill() throws InterruptedException {
            process.destroyForcibly(); // SIGKILL: no shutdown hook, no flush, no commit
            killedNanos = System.nanoTime();
            assertThat(process.waitFor(30, SECONDS)).isTrue();
        }

        /** SIGSTOP / SIGCONT: the whole JVM freezes, as in a long GC pause or a throttled container, and goes on. */
        void signal(String name) throws Exception {
            assertThat(new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).start().waitFor()).isZero();
        }

        int publishedSinceStart() throws IOException {
            return dataFiles(service, feed).size() - filesBefore;
        }

        double uptimeSeconds() {
            return (killedNanos - startNanos) / 1e9;
        }

        private Path ownTempDir() throws IOException {
            return tempDirs(service, feed).stream().filter(d -> !tempDirsBefore.contains(d)).findFirst().orElse(null);
        }

        private long openFiles() throws IOException {
            Path own = ownTempDir();
            if (own == null) {
                return 0;
            }
            try (Stream<Path> files = Files.list(own)) {
                return files.filter(p -> p.getFileName().toString().endsWith(".parquet.tmp")).count();
            } catch (java.nio.file.NoSuchFileException e) {
                return 0;
            }
        }

        private String logTail() {
            try {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
            } catch (IOException e) {
                return e.toString();
            }
        }
    }

    private static Set<Path> tempDirs(Service service, String feed) throws IOException {
        Path temp = service.lakeRoot().resolve("streams").resolve(feed).resolve("_temporary");
        if (!Files.isDirectory(temp)) {
            return Set.of();
        }
        try (Stream<Path> dirs = Files.list(temp)) {
            return dirs.collect(Collectors.toSet());
        }
    }

    private static List<Path> dataFiles(Service service, String feed) throws IOException {
        Path dir = service.lakeRoot().resolve("streams").resolve(feed);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList();
        } catch (java.io.UncheckedIOException e) {
            return dataFiles(service, feed); // a file was renamed or a folder removed while walking: look again
        }
    }
}
