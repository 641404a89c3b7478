package org.cameldatalake;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.cameldatalake.demo.TransactionGenerator;
import org.cameldatalake.runtime.FeedRouteManager;
import org.cameldatalake.support.Cli;
import org.cameldatalake.support.DemoTopics;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.Service;
import org.cameldatalake.warehouse.Permissions;
import org.cameldatalake.warehouse.Warehouse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code query} command in its own JVM, as a user runs it, on a lake the real service landed from the demo's
 * seed-004 topics (through the test broker) with the demo's gold SQL feed; answers are checked against the produced
 * transactions and against DuckDB reading the Parquet files directly.
 */
class QueryCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LocalDate DAY1 = LocalDate.of(2025, 11, 1);
    private static final int TRANSACTIONS = 2_000;

    @TempDir
    static Path dir;
    private static Path root;
    private static Map<String, String> settings;
    private static List<TransactionGenerator.Transaction> sent;
    private static final Map<String, JsonNode> sentJson = new HashMap<>();

    @BeforeAll
    static void landTheDemoTopics() throws Exception {
        DemoTopics topics = new DemoTopics("QUERY_");
        sent = topics.send(11, TRANSACTIONS, DAY1, 3);
        for (TransactionGenerator.Transaction t : sent) {
            sentJson.put(t.id(), JSON.readTree(t.json()));
        }
        long failed = sent.stream().filter(t -> t.status().equals("failed")).count();
        try (Service service = new Service(dir)) {
            for (String feed : List.of("transactions_secure", "transactions_usd", "transactions_failed")) {
                topics.feed(service, feed);
            }
            topics.feed(service, "daily_revenue", Map.of("schedule", "0 0 0 1 1 ? 2099"));
            service.kafkaFeed("nothing_yet", "QUERY_NOTHING_YET");
            service.set("datalake.append.max-age", "1s").start();
            Lake lake = service.lake();
            await().atMost(60, SECONDS).until(() -> lake.streamRows("transactions_secure") == TRANSACTIONS
                    && lake.streamRows("transactions_usd") == TRANSACTIONS && lake.streamRows("transactions_failed") == failed);
            FeedRouteManager m = service.feeds();
            assertThat(m.exportOnce(m.catalog().feed("daily_revenue"))).startsWith("version v1 (18 rows)");
            root = service.lakeRoot();
            settings = Map.of("datalake.root", root.toString(), "datalake.feeds.dir", service.feedsDir().toString());
        }
    }

    private static Cli.Result query(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("query"));
        all.addAll(List.of(args));
        return Cli.run(dir, settings, all.toArray(new String[0]));
    }

    private static String stream(String feed) {
        return new Lake(root).stream(feed);
    }

    @Test
    void theAnswerInEachFormat() throws Exception {
        String sql = "SELECT count(*) AS n, round(sum(AMOUNT), 2) AS total FROM transactions_secure WHERE year = 2025";
        List<Object> direct = new Lake(root).rows("SELECT count(*), round(sum(AMOUNT), 2) FROM " + stream("transactions_secure")).get(0);
        long started = System.nanoTime();
        Cli.Result table = query("--all", sql);
        System.out.printf("query: the answer in %.1f s (a new JVM)%n", (System.nanoTime() - started) / 1e9);
        assertThat(table.exit()).as(String.join("\n", table.err())).isZero();
        assertThat(table.out().get(0)).matches(" n +\\| total");
        assertThat(table.out().get(1)).matches("-+\\+-+");
        assertThat(table.out().get(2)).matches(" *" + TRANSACTIONS + " \\| +" + java.util.regex.Pattern.quote(String.valueOf(direct.get(1))));
        assertThat(table.out().get(3)).isEqualTo("(1 row)");

        Cli.Result csv = query("--all", "--format", "csv", sql);
        assertThat(csv.out()).containsExactly("n,total", TRANSACTIONS + "," + direct.get(1));
        // --format json: theExamplesAnswerWhatWasProduced
    }

    @Test
    void restrictedFeedsNeedAGrantOrTheOwnersAll() throws Exception {
        Cli.Result anonymous = query("SELECT count(*) FROM transactions_secure");
        assertThat(anonymous.exit()).isEqualTo(1);
        assertThat(anonymous.err()).anyMatch(l -> l.contains("feed 'transactions_secure' is restricted: name a principal"));
        Cli.Result byPath = query("SELECT count(*) FROM read_parquet('" + root + "/streams/transactions_secure/*/*/*/*.parquet')");
        assertThat(byPath.exit()).isEqualTo(1);
        assertThat(byPath.err()).anyMatch(l -> l.contains("Permission Error"));

        Cli.Result noGrant = query("--principal", "analyst", "SELECT count(*) FROM transactions_secure");
        assertThat(noGrant.exit()).isEqualTo(1);
        assertThat(noGrant.err()).anyMatch(l -> l.contains("principal 'analyst' holds no grant on it"));
        new Permissions(new Warehouse("jdbc:sqlite:" + root.resolve("warehouse.db")), java.time.Clock.systemUTC())
                .grant("analyst", "transactions_secure", Permissions.READ);
        Cli.Result granted = query("--principal", "analyst", "--format", "csv",
                "SELECT count(*) AS n FROM transactions_secure JOIN daily_revenue USING (year, month, day, CURRENCY)");
        assertThat(granted.out()).as(String.join("\n", granted.err())).containsExactly("n", String.valueOf(TRANSACTIONS));
    }

    @Test
    void aFilterOnThePartitionColumnsReadsOnlyThatDaysFiles() throws Exception {
        Path feed = root.resolve("streams/transactions_secure");
        long dayTwo;
        long all;
        try (Stream<Path> s = Files.list(feed.resolve("year=2025/month=11/day=02"))) {
            dayTwo = s.filter(p -> p.toString().endsWith(".parquet")).count();
        }
        try (Stream<Path> s = Files.walk(feed)) {
            all = s.filter(p -> p.toString().endsWith(".parquet")).count();
        }
        assertThat(dayTwo).isLessThan(all);
        Cli.Result plan = query("--all", "--format", "csv",
                "EXPLAIN ANALYZE SELECT sum(AMOUNT) FROM transactions_secure WHERE year = 2025 AND month = 11 AND day = 2");
        String text = String.join("\n", plan.out());
        assertThat(text).as(String.join("\n", plan.err())).contains("Scanning Files: " + dayTwo + "/" + all)
                .contains("Total Files Read: " + dayTwo);
    }

    @Test
    void whatCannotBeAnsweredIsNamed() throws Exception {
        assertThat(query("--all", "SELECT * FROM nothing_yet").err())
                .anyMatch(l -> l.contains("feed 'nothing_yet' has landed no data yet"));
        Cli.Result copy = query("--all", "COPY (SELECT 1) TO '" + dir.resolve("out.csv") + "'");
        assertThat(copy.exit()).isEqualTo(2);
        assertThat(copy.err()).anyMatch(l -> l.contains("must be a SELECT query"));
        assertThat(dir.resolve("out.csv")).doesNotExist();
        Cli.Result s3 = Cli.run(dir, Map.of("datalake.root", "s3a://lake/data_lake"), "query", "--all", "SELECT 1");
        assertThat(s3.exit()).isEqualTo(1);
        assertThat(s3.err()).anyMatch(l -> l.contains("s3a://lake/data_lake is not a local folder"));
    }

    @Test
    void theExamplesAnswerWhatWasProduced() throws Exception {
        Map<String, JsonNode> answers = new TreeMap<>();
        try (Stream<Path> files = Files.list(Path.of("examples"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".sql")).sorted().toList()) {
                Cli.Result r = query("--all", "--format", "json", "--file", f.toString());
                assertThat(r.exit()).as(f + ": " + String.join("\n", r.err())).isZero();
                answers.put(f.getFileName().toString(), JSON.readTree(String.join("\n", r.out())));
            }
        }
        assertThat(answers).containsOnlyKeys("daily_revenue.sql", "failure_rate_by_payment_method.sql", "top_spenders.sql",
                "total_spent_by_transaction_type.sql", "transactions_per_day.sql");

        Map<String, Double> byType = new TreeMap<>();
        Map<String, Double> byUser = new HashMap<>();
        Map<String, long[]> byMethod = new TreeMap<>();
        Map<String, Long> perDayAndStatus = new TreeMap<>();
        for (TransactionGenerator.Transaction t : sent) {
            byType.merge(t.type(), t.amount(), Double::sum);
            byUser.merge(t.userId(), t.amount(), Double::sum);
            long[] counts = byMethod.computeIfAbsent(sentJson.get(t.id()).get("PAYMENT_METHOD").asText(), k -> new long[2]);
            counts[0]++;
            counts[1] += t.status().equals("failed") ? 1 : 0;
            LocalDate day = Instant.ofEpochMilli(t.eventTimeMillis()).atZone(ZoneOffset.UTC).toLocalDate();
            perDayAndStatus.merge(day + " " + t.status(), 1L, Long::sum);
        }
        for (JsonNode row : answers.get("total_spent_by_transaction_type.sql")) {
            assertThat(row.get("total_spent_usd").asDouble()).isCloseTo(byType.remove(row.get("transaction_type").asText()), within(0.006));
        }
        assertThat(byType).isEmpty();
        List<Map.Entry<String, Double>> top = byUser.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                .limit(10).toList();
        JsonNode topSpenders = answers.get("top_spenders.sql");
        assertThat(topSpenders.findValuesAsText("user")).containsExactlyElementsOf(top.stream().map(Map.Entry::getKey).toList());
        for (int i = 0; i < 10; i++) {
            assertThat(topSpenders.get(i).get("total").asDouble()).isCloseTo(top.get(i).getValue(), within(0.006));
        }
        Map<String, long[]> failureRates = new TreeMap<>();
        answers.get("failure_rate_by_payment_method.sql").forEach(r -> failureRates.put(r.get("payment_method").asText(),
                new long[] {r.get("transactions").asLong(), r.get("failed").asLong()}));
        assertThat(failureRates).usingRecursiveComparison().isEqualTo(byMethod);
        Map<String, Long> perDay = new TreeMap<>();
        answers.get("transactions_per_day.sql").forEach(r -> perDay.put(r.get("day").asText() + " " + r.get("status").asText(),
                r.get("transactions").asLong()));
        assertThat(perDay).isEqualTo(perDayAndStatus);

        // the gold SQL feed's current version against DuckDB reading the stream's files directly
        Map<String, Object> direct = new LinkedHashMap<>();
        new Lake(root).rows("SELECT make_date(year, month, day)::VARCHAR || ' ' || CURRENCY, round(sum(AMOUNT), 2), count(*) FROM "
                + stream("transactions_secure") + " GROUP BY ALL ORDER BY ALL").forEach(r -> direct.put((String) r.get(0), r.subList(1, 3).toString()));
        Map<String, Object> gold = new LinkedHashMap<>();
        answers.get("daily_revenue.sql").forEach(r -> gold.put(r.get("day").asText() + " " + r.get("currency").asText(),
                List.of(r.get("revenue").decimalValue().doubleValue(), r.get("transactions").asLong()).toString()));
        assertThat(new TreeMap<>(gold)).isEqualTo(new TreeMap<>(direct));
    }
}
