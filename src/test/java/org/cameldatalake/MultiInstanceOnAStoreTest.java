package org.cameldatalake;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionTimeoutException;
import org.cameldatalake.ksqldb.KsqlDbEmulator;
import org.cameldatalake.support.Cli;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.LakeAudit;
import org.cameldatalake.support.PacedProducer;
import org.cameldatalake.support.Service;
import org.cameldatalake.support.ServiceProcess;
import org.cameldatalake.support.StreamFeedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several instances of the service, each in its own JVM with its own HTTP ports, on one lake and one broker, with the
 * cluster service {@code file}; the same scenario on every store the lake may live on ({@link
 * MultiInstanceOnLocalDiskTest}: a local folder as the shared disk, {@link MultiInstanceOnS3Test}: S3): 3 instances
 * while records arrive on a 6-partition topic; the one leading the scheduled work is killed with SIGKILL; a fourth starts; it is frozen
 * (SIGSTOP) past its Kafka session, with files open and age-based rotation on, then resumed (SIGCONT); an
 * {@code export} of the Kafka feed runs beside them. Meanwhile a ksqlDB table feed snapshots every 2 s and a ksqlDB
 * stream feed polls every 3 s, against the ksqlDB emulator.
 * <p>
 * At the end, read with DuckDB: every Kafka record once (by id and by offset), every ksqlDB stream row once, each
 * feed's {@code _metadata.json} total equal to what the lake holds, the table's versions those its metadata lists, one
 * per schedule tick of one instance (not one per instance), the scheduled work moved to a survivor within 30 s, and
 * nothing unfinished left on the store by the instances stopped cleanly.
 * <p>
 * {@code mvn verify} runs it over each store's {@link #defaultRecords()}; {@code mvn verify -Pstress} over 300,000
 * ({@code -Dmulti.records}, {@code -Dmulti.seed} vary or replay a run).
 */
abstract class MultiInstanceOnAStoreTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TABLE_FEED = "payment_method_totals";
    private static final String KSQL_STREAM_FEED = "transaction_stream";
    private static final int PARTITIONS = 6;
    private static final long SEED = Long.getLong("multi.seed", System.currentTimeMillis());
    private static final Duration TABLE_TICK = Duration.ofSeconds(2);
    private static final Duration FAILOVER = Duration.ofSeconds(30);
    /** Bound on a command run beside the service: it works or refuses, it does not wait for the service to go. */
    private static final Duration CLI_BOUND = Duration.ofSeconds(60);
    private static final long DAY1 = Instant.parse("2025-10-13T00:00:00Z").toEpochMilli();
    private static final Pattern VERSION_DIR = Pattern.compile("version=v(\\d+)");

    private final String topic = "TX_MULTI_" + store().toUpperCase();
    private final String feed = "tx_multi_" + store();
    private final int records = Integer.getInteger("multi.records", defaultRecords());
    /** Records per second: production spans the scenario (75 s or so), released in steps (a half, a quarter, the rest). */
    private final int rate = Integer.getInteger("multi.rate", Math.max(200, records / 75));
    /** A data file an instance's log says it published, and its Kafka partition. */
    private final Pattern published = Pattern.compile("published streams/" + feed + "/.*_" + topic + "\\+(\\d+)\\+");

    @TempDir
    Path dir;
    private Service service;
    private StreamFeedFiles kafkaFeedFiles;
    private KsqlDbEmulator.Source ksqlStream;
    private int ksqlRows;
    private final List<ServiceProcess> instances = new ArrayList<>();
    private final long started = System.nanoTime();

    /**
     * A service (not started) whose lake is on this store, with the settings every instance shares to reach it and
     * to find the cluster service's lock.
     */
    protected abstract Service service(Path dir) throws Exception;

    /** A short name of the store, to keep topics, consumer groups and logs apart. */
    protected abstract String store();

    /** The records {@code mvn verify} produces ({@code -Dmulti.records} overrides it, as {@code -Pstress} does). */
    protected abstract int defaultRecords();

    /** What instance {@code name} has of its own beyond the shared settings (none by default). */
    protected Map<String, String> instanceSettings(String name) {
        return Map.of();
    }

    /**
     * How many data files instance {@code name} has open (being written, not yet published); asked before it starts,
     * since on a local disk its temporary folder is the one that appears afterwards.
     */
    protected abstract Callable<Long> openFilesOf(String name, StreamFeedFiles feedFiles) throws IOException;

    /** What the instances left unfinished once stopped: nothing, but for what those killed left to be cleaned. */
    protected abstract void assertNothingUnfinished(Service s, List<String> stoppedCleanly) throws Exception;

    @Test
    void instancesComingGoingAndFrozenLandEverythingOnceAndRunTheScheduledWorkOnce() throws Exception {
        System.out.printf("multi-instance test on %s: seed %d (replay with -Dmulti.seed=%d), %d records at %d/s%n", store(), SEED,
                SEED, records, rate);
        KafkaSupport.broker().createTopics(PARTITIONS, List.of(topic));
        SoftAssertions softly = new SoftAssertions();
        try (KsqlDbEmulator ksqldb = KsqlDbEmulator.start();
             PacedProducer producer = new PacedProducer(KafkaSupport.broker().bootstrapServers(), topic, SEED,
                     LocalDate.of(2025, 10, 13), 3, records, rate)) {
            service = configured(ksqldb);
            kafkaFeedFiles = new StreamFeedFiles(service.lakeRoot(), feed);
            Lake lake = service.lake();
            String group = "camel-datalake-" + feed;
            try {
                // three instances share the partitions; one of them takes the scheduled work
                // released step by step, so that records arrive through each step however long the steps before took
                producer.allow(records / 2);
                insertKsqlRows(40);
                for (int i = 1; i <= 3; i++) {
                    instances.add(start(i));
                }
                await().atMost(180, SECONDS).pollInterval(500, MILLISECONDS).failFast("an instance exited by itself",
                                this::anInstanceDied)
                        .until(() -> KafkaSupport.groupMembers(group) == 3 && maxVersion() >= 2 && lake.streamRows(feed) > 0);
                ServiceProcess leader = leader(softly, "once 3 instances run", instances.get(0));
                step(lake, producer, "3 instances up, %s leads the scheduled work", leader.name());

                // SIGKILL of the leader: a survivor takes its partitions and the scheduled work
                insertKsqlRows(40);
                leader.kill();
                long killed = System.nanoTime();
                int versionAtKill = maxVersion();
                await().atMost(FAILOVER.multipliedBy(3)).pollInterval(200, MILLISECONDS).until(() -> maxVersion() > versionAtKill);
                double failover = (System.nanoTime() - killed) / 1e9;
                ServiceProcess successor = leader(softly, "after the leader's SIGKILL", leader);
                step(lake, producer, "killed %s with v%d current; %s leads, a new version appeared %.1f s after the kill",
                        leader.name(), versionAtKill, successor.name(), failover);
                softly.assertThat(failover).as("seconds from the leader's SIGKILL to the next table version")
                        .isLessThanOrEqualTo(FAILOVER.toSeconds());

                // a fourth instance takes a share of the partitions
                insertKsqlRows(40);
                Callable<Long> openByFourth = openFilesOf("instance-4", kafkaFeedFiles);
                ServiceProcess fourth = start(4);
                instances.add(fourth);
                await().atMost(120, SECONDS).pollInterval(200, MILLISECONDS).failFast("an instance exited by itself",
                        this::anInstanceDied).until(() -> KafkaSupport.groupMembers(group) == 3);
                producer.allow(records * 3 / 4);
                await().atMost(120, SECONDS).pollInterval(100, MILLISECONDS).failFast("an instance exited by itself",
                        this::anInstanceDied).until(() -> !partitionsPublishedBy(fourth).isEmpty() && openByFourth.call() > 0);
                Set<Integer> ownedByFourth = partitionsPublishedBy(fourth);
                step(lake, producer, "%s writes partitions %s", fourth.name(), ownedByFourth);

                // frozen past its session with files open: the others take its partitions and publish them from the last
                // commit on; resumed, its rotation finds its open files past their age at once
                softly.assertThat(leads(fourth)).as(fourth.name() + " leads the scheduled work").isFalse();
                fourth.signal("STOP");
                producer.allowAll();
                await().atMost(60, SECONDS).pollInterval(200, MILLISECONDS).until(() -> KafkaSupport.groupMembers(group) == 2);
                Set<Path> filesAtRebalance = Set.copyOf(kafkaFeedFiles.dataFiles());
                await().atMost(60, SECONDS).pollInterval(200, MILLISECONDS).until(() -> kafkaFeedFiles.dataFiles().stream()
                        .filter(f -> !filesAtRebalance.contains(f)).map(MultiInstanceOnAStoreTest::partitionOf).toList()
                        .containsAll(ownedByFourth));
                fourth.signal("CONT");
                await().atMost(60, SECONDS).pollInterval(200, MILLISECONDS).until(() -> KafkaSupport.groupMembers(group) == 3);
                step(lake, producer, "%s frozen past its session until the others published its partitions, then resumed",
                        fourth.name());

                // the command line beside the running instances
                insertKsqlRows(40);
                long exportStart = System.nanoTime();
                String export;
                Cli.Result result = null;
                try {
                    result = Cli.run(CLI_BOUND, dir, service.settings(), Map.of(), "export", "--feed", feed, "--progress", "off");
                    export = "exit " + result.exit() + ", printed " + result.out() + ", log ends with "
                            + result.err().subList(Math.max(0, result.err().size() - 5), result.err().size());
                } catch (IllegalStateException e) {
                    export = e.getMessage();
                }
                double exportSeconds = (System.nanoTime() - exportStart) / 1e9;
                step(lake, producer, "export beside the service took %.1f s: %s", exportSeconds, export);
                softly.assertThat(result).as("export beside the service ended within " + CLI_BOUND.toSeconds() + " s: " + export)
                        .isNotNull();
                if (result != null) {
                    Cli.Result r = result;
                    softly.assertThat(r.exit() == 0 ? r.out() : r.err()).as("export beside the service works or refuses "
                            + "naming what runs: " + export).anyMatch(l -> r.exit() == 0 ? l.startsWith(feed + ": ")
                            : l.contains("running"));
                }

                // everything lands; the instances stop cleanly
                insertKsqlRows(40);
                List<String> ids = producer.awaitAcknowledged(Duration.ofSeconds(Math.max(60, records / 1000)));
                await().atMost(60, SECONDS).pollInterval(500, MILLISECONDS)
                        .until(() -> lake.count("SELECT count(DISTINCT TRANSACTION_ID) FROM " + lake.stream(KSQL_STREAM_FEED)) >= ksqlRows);
                softly.check(() -> LakeAudit.catchUpStopAndAudit(lake, this::stopAll, KafkaSupport.broker(), feed, topic,
                        PARTITIONS, ids, Duration.ofSeconds(Math.max(90, records / 2000))));
                stopAll();
                System.out.printf("multi-instance test on %s: %d records, seed %d, %.0f s%n", store(), records, SEED,
                        (System.nanoTime() - started) / 1e9);
                List<String> stoppedCleanly = instances.stream().filter(p -> p != leader).map(ServiceProcess::name).toList();
                softly.check(() -> assertNothingUnfinished(service, stoppedCleanly));

                assertMetadataTotals(softly, lake);
                softly.assertThat(lake.count("SELECT count(*) FROM " + lake.stream(KSQL_STREAM_FEED)))
                        .as("ksqlDB stream rows in the lake (%d inserted, each once)", ksqlRows).isEqualTo(ksqlRows);
                softly.assertThat(lake.count("SELECT count(DISTINCT TRANSACTION_ID) FROM " + lake.stream(KSQL_STREAM_FEED)))
                        .as("distinct ksqlDB stream rows").isEqualTo(ksqlRows);
                assertOneSnapshotPerTick(softly, ksqldb);
            } finally {
                for (ServiceProcess p : instances) {
                    if (p.isAlive()) {
                        p.kill();
                    }
                }
            }
        }
        softly.assertAll();
    }

    /**
     * The instances' common settings: the file cluster service; small batches, files published by
     * age (2 s) and a 6 s session (the broker's minimum), so that a frozen instance loses its partitions quickly and
     * would publish by age the moment it is resumed; the two ksqlDB feeds on short schedules.
     */
    private Service configured(KsqlDbEmulator ksqldb) throws Exception {
        Service s = service(dir);
        s.kafkaFeed(feed, topic);
        KsqlDbEmulator.Source table = ksqldb.createTable("PAYMENT_METHOD_TOTALS", "PAYMENT_METHOD_TOTALS",
                List.of("PAYMENT_METHOD STRING", "TOTAL_AMOUNT DOUBLE", "TRANSACTION_COUNT BIGINT"), List.of("PAYMENT_METHOD"));
        for (String m : List.of("apple_pay", "credit_card", "paypal")) {
            table.insert(1000L, m, 100.25, 1L);
        }
        ksqlStream = ksqldb.createStream("TRANSACTION_STREAM", "TRANSACTIONS", List.of("TRANSACTION_ID STRING",
                "TIMESTAMP STRING", "USER_ID STRING", "AMOUNT DECIMAL(10, 2)", "LOCATION STRUCT<`CITY` STRING, `COUNTRY` STRING>"),
                List.of());
        // every version stays, so that the lake shows every snapshot taken
        copy(s, shippedFeed(s, TABLE_FEED, "0/2 * * * * ?").put("retention_versions", 1000));
        copy(s, shippedFeed(s, KSQL_STREAM_FEED, "0/3 * * * * ?"));
        return s.set("datalake.cluster.service", "file")
                .set("datalake.ksqldb.url", ksqldb.url())
                .set("datalake.append.max-records", "5000")
                .set("datalake.append.max-age", "2s")
                .set("datalake.kafka.max-poll-records", "500")
                .set("datalake.kafka.session-timeout-ms", "6000");
    }

    private static ObjectNode shippedFeed(Service s, String feed, String schedule) throws IOException {
        ObjectNode json = (ObjectNode) JSON.readTree(Path.of("feeds/active", feed + ".json").toFile());
        return json.put("schedule", schedule);
    }

    private static void copy(Service s, ObjectNode feed) throws IOException {
        s.feedFile(feed.get("feed_name").asText() + ".json", JSON.writerWithDefaultPrettyPrinter().writeValueAsString(feed));
    }

    private ServiceProcess start(int n) throws IOException {
        String name = "instance-" + n;
        Map<String, String> own = new HashMap<>(instanceSettings(name));
        own.put("datalake.cluster.member-id", name);
        return ServiceProcess.start(service, own, "multi-instance-" + store(), name);
    }

    private boolean anInstanceDied() {
        return instances.stream().anyMatch(ServiceProcess::exitedByItself);
    }

    private void stopAll() throws InterruptedException {
        for (ServiceProcess p : instances) {
            if (p.isAlive()) {
                p.stop();
            }
        }
    }

    /** Rows one an hour from 2025-10-13, so that they span several days. */
    private void insertKsqlRows(int n) {
        for (int i = 0; i < n; i++, ksqlRows++) {
            long rowtime = DAY1 + ksqlRows * 3_600_000L;
            Map<String, Object> location = new LinkedHashMap<>();
            location.put("CITY", "Paris");
            location.put("COUNTRY", "France");
            ksqlStream.insert(rowtime, "TXN-" + ksqlRows, Instant.ofEpochMilli(rowtime).toString(), "USER-" + (ksqlRows % 7),
                    new BigDecimal(ksqlRows + ".25"), location);
        }
    }

    /** The Kafka partitions whose files the instance published, as its log says. */
    private Set<Integer> partitionsPublishedBy(ServiceProcess p) {
        Set<Integer> partitions = new java.util.TreeSet<>();
        for (String line : p.logLines()) {
            Matcher m = published.matcher(line);
            if (m.find()) {
                partitions.add(Integer.valueOf(m.group(1)));
            }
        }
        return partitions;
    }

    /** The Kafka partition of a published data file ({@code data_<date>_<time>_<topic>+<partition>+<from>+<to>.parquet}). */
    private static int partitionOf(Path dataFile) {
        return Integer.parseInt(dataFile.getFileName().toString().split("\\+")[1]);
    }

    /** Whether the instance holds the cluster service's lock now: the last of its log's lock lines says acquired. */
    private static boolean leads(ServiceProcess p) {
        String last = null;
        for (String line : p.logLines()) {
            if (line.contains("Lock on file") && (line.contains(" acquired") || line.contains(" lost")) && !line.contains("not acquired")) {
                last = line;
            }
        }
        return p.isAlive() && last != null && last.contains(" acquired");
    }

    /**
     * The one live instance that leads the scheduled work (never two, never none: that is a failure), or
     * {@code otherwise} when there is not exactly one, so that the scenario goes on and shows what else goes wrong.
     */
    private ServiceProcess leader(SoftAssertions softly, String when, ServiceProcess otherwise) {
        try {
            await().atMost(60, SECONDS).pollInterval(200, MILLISECONDS)
                    .until(() -> instances.stream().filter(MultiInstanceOnAStoreTest::leads).count() == 1);
        } catch (ConditionTimeoutException e) {
            // reported below, with the instances that lead
        }
        List<ServiceProcess> leaders = instances.stream().filter(MultiInstanceOnAStoreTest::leads).toList();
        softly.assertThat(leaders).as("instances leading the scheduled work " + when).hasSize(1);
        return leaders.size() == 1 ? leaders.get(0) : otherwise;
    }

    private List<Integer> versionsInLake() throws IOException {
        Path table = service.lakeRoot().resolve("tables").resolve(TABLE_FEED);
        if (!Files.isDirectory(table)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(table)) {
            return dirs.map(d -> VERSION_DIR.matcher(d.getFileName().toString())).filter(Matcher::matches)
                    .map(m -> Integer.valueOf(m.group(1))).sorted().toList();
        }
    }

    private int maxVersion() throws IOException {
        List<Integer> versions = versionsInLake();
        return versions.isEmpty() ? 0 : versions.get(versions.size() - 1);
    }

    private JsonNode metadata(String kind, String feed) throws IOException {
        return JSON.readTree(service.lakeRoot().resolve(kind).resolve(feed).resolve("_metadata.json").toFile());
    }

    private void assertMetadataTotals(SoftAssertions softly, Lake lake) throws IOException {
        softly.assertThat(metadata("streams", feed).path("total_records").asLong()).as("%s _metadata.json total_records", feed)
                .isEqualTo(lake.count("SELECT count(*) FROM " + lake.stream(feed)));
        softly.assertThat(metadata("streams", KSQL_STREAM_FEED).path("total_records").asLong())
                .as("%s _metadata.json total_records", KSQL_STREAM_FEED)
                .isEqualTo(lake.count("SELECT count(*) FROM " + lake.stream(KSQL_STREAM_FEED)));
        JsonNode table = metadata("tables", TABLE_FEED);
        int current = table.path("current_version").asInt();
        softly.assertThat(table.path("total_records").asLong()).as("%s _metadata.json total_records (v%d)", TABLE_FEED, current)
                .isEqualTo(lake.count("SELECT count(*) FROM read_parquet('" + service.lakeRoot().resolve("tables")
                        .resolve(TABLE_FEED).resolve("version=v" + current) + "/*.parquet')"));
    }

    /**
     * The table's versions in the lake are those its metadata lists, numbered 1 to the current one; one instance took
     * them, one per tick: as many as the emulator answered pull queries (within 2: the killed leader's last one may
     * have been cut off), and no more than one instance's ticks over the time the pulls span.
     */
    private void assertOneSnapshotPerTick(SoftAssertions softly, KsqlDbEmulator ksqldb) throws IOException {
        JsonNode meta = metadata("tables", TABLE_FEED);
        List<Integer> listed = new ArrayList<>();
        meta.path("versions").forEach(v -> listed.add(v.path("version").asInt()));
        List<Integer> inLake = versionsInLake();
        int current = meta.path("current_version").asInt();
        List<KsqlDbEmulator.RecordedRequest> pulls = ksqldb.requests().stream()
                .filter(r -> r.path().equals("/query-stream") && r.body().contains("FROM " + TABLE_FEED + ";")).toList();
        assertThat(pulls).as("pull queries of " + TABLE_FEED).isNotEmpty();
        Duration span = Duration.between(pulls.get(0).receivedAt(), pulls.get(pulls.size() - 1).receivedAt());
        long ticks = span.toMillis() / TABLE_TICK.toMillis() + 1;
        System.out.printf("multi-instance test on %s: table %s: %d versions in the lake (v%d..v%d), %d listed in its metadata, "
                        + "current v%d; %d pull queries over %.1f s (%d ticks of one instance)%n", store(), TABLE_FEED, inLake.size(),
                inLake.isEmpty() ? 0 : inLake.get(0), maxVersion(), listed.size(), current, pulls.size(), span.toMillis() / 1e3, ticks);
        softly.assertThat(inLake).as("versions in the lake = versions in %s's metadata", TABLE_FEED).isEqualTo(listed);
        softly.assertThat(inLake).as("versions numbered 1 to the current one, none missing")
                .isEqualTo(java.util.stream.IntStream.rangeClosed(1, current).boxed().toList());
        softly.assertThat((long) pulls.size()).as("pull queries (one per snapshot) vs one instance's ticks over %.1f s",
                span.toMillis() / 1e3).isLessThanOrEqualTo(ticks + 1);
        softly.assertThat(inLake.size()).as("versions vs pull queries").isBetween(pulls.size() - 2, pulls.size());
    }

    private void step(Lake lake, PacedProducer producer, String what, Object... args) {
        System.out.printf("multi-instance test on %s: %5.1f s: %s: %d sent, %d in the lake, %d files%n", store(),
                (System.nanoTime() - started) / 1e9, what.formatted(args), producer.sent(), lake.streamRows(feed), fileCount());
    }

    private int fileCount() {
        try {
            return kafkaFeedFiles.dataFiles().size();
        } catch (IOException e) {
            return -1;
        }
    }
}
