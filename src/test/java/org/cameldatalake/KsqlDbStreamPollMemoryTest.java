package org.cameldatalake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cameldatalake.ksqldb.KsqlDbEmulator;
import org.cameldatalake.runtime.FeedRouteManager;
import org.cameldatalake.support.Cli;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ksqlDB stream poll bigger than the memory it may use: its rows are sorted by ROWTIME in bounded chunks spilled to
 * temporary files and merged, so the poll completes in a small heap and lands every row once, in ROWTIME order,
 * each ROWTIME tie in one file. The rows come as a pull query returns them: partition after partition, so
 * their ROWTIMEs go up, then start again.
 * {@code mvn verify} polls 150,000 rows in a child JVM with -Xmx128m (held whole, as trees, they would take more);
 * {@code mvn test -Dtest=KsqlDbStreamPollMemoryTest -Dksqldb.poll.rows=2000000 -Dksqldb.poll.heap=256m} polls two
 * million with -Xmx256m.
 */
class KsqlDbStreamPollMemoryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long DAY1 = Instant.parse("2025-10-13T00:00:00Z").toEpochMilli();
    private static final int ROWS_PER_ROWTIME = 3;

    @TempDir
    Path dir;

    private static KsqlDbEmulator.Source stream(KsqlDbEmulator ksqldb) {
        return ksqldb.createStream("TRANSACTION_STREAM", "TRANSACTIONS", List.of("TRANSACTION_ID STRING", "TIMESTAMP STRING",
                "USER_ID STRING", "AMOUNT DECIMAL(10, 2)", "LOCATION STRUCT<`CITY` STRING, `COUNTRY` STRING>"), List.of());
    }

    /**
     * Two partitions one after the other, each in ROWTIME order over the same span: every ROWTIME is held by
     * {@link #ROWS_PER_ROWTIME} rows of each partition, far apart in the response.
     */
    private static void insert(KsqlDbEmulator.Source stream, int n) {
        Map<String, Object> location = Map.of("CITY", "Paris", "COUNTRY", "France");
        for (int i = 0; i < n; i++) {
            int slot = i < n / 2 ? i : i - n / 2;
            long rowtime = DAY1 + (slot / ROWS_PER_ROWTIME) * 60_000L;
            stream.insert(rowtime, "TXN-" + i, Instant.ofEpochMilli(rowtime).toString(), "USER-" + (i % 7),
                    new BigDecimal(i % 1000 + ".25"), location);
        }
    }

    private Service service(KsqlDbEmulator ksqldb) throws Exception {
        Service s = new Service(dir);
        Files.copy(Path.of("feeds/active/transaction_stream.json"), s.feedsDir().resolve("active/transaction_stream.json"));
        return s.set("datalake.ksqldb.url", ksqldb.url()).set("datalake.ksqldb.retry.maximum-redeliveries", "0")
                .set("datalake.feeds.autostart", "false");
    }

    @Test
    void aPollBiggerThanItsBufferLandsEveryRowOnceInRowtimeOrderWithEachTieInOneFile() throws Exception {
        int n = 12_000; // more than two of the writer's batches, so that ties also meet batch boundaries
        try (KsqlDbEmulator ksqldb = KsqlDbEmulator.start()) {
            insert(stream(ksqldb), n);
            try (Service s = service(ksqldb).set("datalake.ksqldb.poll-buffer", "256KB") // ≈ 1,500 rows: 8 runs
                    .set("datalake.append.max-records", "1000").start()) {
                FeedRouteManager m = s.feeds();
                String result = m.exportOnce(m.catalog().feed("transaction_stream"));
                assertThat(result).startsWith(n + " rows landed, 0 rejected, 0 already in the lake")
                        .contains("sorted on disk in");
            }
            Lake lake = new Lake(dir.resolve("data_lake"));
            String t = lake.stream("transaction_stream");
            assertThat(lake.count("SELECT count(*) FROM " + t)).isEqualTo(n);
            assertThat(lake.count("SELECT count(DISTINCT TRANSACTION_ID) FROM " + t)).isEqualTo(n);
            assertThat(lake.count("SELECT count(*) FROM (SELECT ROWTIME FROM " + t
                    + " GROUP BY ROWTIME HAVING count(DISTINCT filename) > 1)")).as("ROWTIMEs split across files").isZero();
            assertThat(lake.count("SELECT count(*) FROM (SELECT ROWTIME FROM " + t + " GROUP BY ROWTIME HAVING count(*) <> "
                    + 2 * ROWS_PER_ROWTIME + ")")).isZero();
            // each file holds one ROWTIME range, and the ranges of a day's files do not overlap
            List<List<Object>> files = lake.rows("SELECT filename, epoch_ms(min(ROWTIME)), epoch_ms(max(ROWTIME)) FROM " + t
                    + " GROUP BY filename ORDER BY 2");
            assertThat(files).hasSizeGreaterThan(n / 1000 - 1);
            for (int i = 1; i < files.size(); i++) {
                assertThat(((Number) files.get(i).get(1)).longValue()).isGreaterThan(((Number) files.get(i - 1).get(2)).longValue());
            }
            long lastRowtime = DAY1 + ((n / 2 - 1) / ROWS_PER_ROWTIME) * 60_000L;
            assertThat(JSON.readTree(dir.resolve("data_lake/streams/transaction_stream/_metadata.json").toFile())
                    .at("/watermarks/TRANSACTION_STREAM").asLong()).isEqualTo(lastRowtime);
        }
    }

    @Test
    void aBigPollCompletesInASmallHeap() throws Exception {
        int n = Integer.getInteger("ksqldb.poll.rows", 150_000);
        String heap = System.getProperty("ksqldb.poll.heap", "128m");
        try (KsqlDbEmulator ksqldb = KsqlDbEmulator.start()) {
            insert(stream(ksqldb), n);
            Service s = service(ksqldb);
            Map<String, String> settings = new HashMap<>(s.settings());
            Cli.Result r = Cli.run(dir, List.of("-Xmx" + heap, "-XX:+ExitOnOutOfMemoryError"), 1800, settings, Map.of(),
                    "export", "--stream", "transaction_stream", "--progress=off");
            assertThat(r.exit()).as(String.join("\n", r.err().subList(Math.max(0, r.err().size() - 20), r.err().size())))
                    .isZero();
            assertThat(r.out()).anyMatch(l -> l.startsWith("transaction_stream: " + n + " rows landed, 0 rejected"));
            Lake lake = s.lake();
            String t = lake.stream("transaction_stream");
            assertThat(lake.count("SELECT count(*) FROM " + t)).isEqualTo(n);
            assertThat(lake.count("SELECT count(DISTINCT TRANSACTION_ID) FROM " + t)).isEqualTo(n);
            assertThat(lake.count("SELECT count(*) FROM (SELECT ROWTIME FROM " + t
                    + " GROUP BY ROWTIME HAVING count(DISTINCT filename) > 1)")).isZero();
        }
    }
}
