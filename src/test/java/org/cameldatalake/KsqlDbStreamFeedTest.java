package org.cameldatalake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cameldatalake.runtime.FeedRouteManager;
import org.cameldatalake.ksqldb.KsqlDbEmulator;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A ksqlDB stream polled incrementally (WHERE ROWTIME > watermark), across restarts, read back with DuckDB. */
class KsqlDbStreamFeedTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long DAY1 = Instant.parse("2025-10-13T00:00:00Z").toEpochMilli();

    @TempDir
    Path dir;
    private int inserted;

    private void insert(KsqlDbEmulator.Source stream, int n) {
        for (int i = 0; i < n; i++, inserted++) {
            long rowtime = DAY1 + inserted * 3_600_000L; // one an hour: the rows span several days
            Map<String, Object> location = new LinkedHashMap<>();
            location.put("CITY", "Paris");
            location.put("COUNTRY", "France");
            stream.insert(rowtime, "TXN-" + inserted, Instant.ofEpochMilli(rowtime).toString(), "USER-" + (inserted % 7),
                    new BigDecimal(inserted + ".25"), location);
        }
    }

    private Service service(KsqlDbEmulator ksqldb) throws Exception {
        Service s = new Service(dir);
        Path feed = s.feedsDir().resolve("active/transaction_stream.json");
        if (!Files.exists(feed)) {
            Files.copy(Path.of("feeds/active/transaction_stream.json"), feed);
        }
        // one attempt per poll: the dropped poll below is a single response (KsqlDbFaultsTest covers the retries)
        return s.set("datalake.ksqldb.url", ksqldb.url()).set("datalake.ksqldb.retry.maximum-redeliveries", "0")
                .set("datalake.feeds.autostart", "false").start();
    }

    private static String poll(Service s) throws Exception {
        FeedRouteManager m = s.feeds();
        return m.exportOnce(m.catalog().feed("transaction_stream"));
    }

    @Test
    void pollsLandEveryRowExactlyOnceAcrossRestartsEvenWithoutTheWatermark() throws Exception {
        try (KsqlDbEmulator ksqldb = KsqlDbEmulator.start()) {
            KsqlDbEmulator.Source stream = ksqldb.createStream("TRANSACTION_STREAM", "TRANSACTIONS", List.of(
                    "TRANSACTION_ID STRING", "TIMESTAMP STRING", "USER_ID STRING", "AMOUNT DECIMAL(10, 2)",
                    "LOCATION STRUCT<`CITY` STRING, `COUNTRY` STRING>"), List.of());
            insert(stream, 100);
            Lake lake = new Lake(dir.resolve("data_lake"));
            String t = lake.stream("transaction_stream");

            try (Service s = service(ksqldb)) {
                assertThat(poll(s)).startsWith("100 rows landed, 0 rejected, 0 already in the lake");
                insert(stream, 50);
                assertThat(poll(s)).startsWith("50 rows landed");
                assertThat(poll(s)).startsWith("0 rows landed"); // nothing new
            }
            List<String> sql = ksqldb.requests().stream().filter(r -> r.path().equals("/query-stream"))
                    .map(r -> {
                        try {
                            return JSON.readTree(r.body()).get("sql").asText();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }).toList();
            assertThat(sql.get(0)).isEqualTo("SELECT ROWTIME, * FROM transaction_stream;");
            assertThat(sql.get(1)).isEqualTo("SELECT ROWTIME, * FROM transaction_stream WHERE ROWTIME > " + (DAY1 + 99 * 3_600_000L) + ";");
            assertThat(lake.count("SELECT count(*) FROM " + t)).isEqualTo(150);

            insert(stream, 20);
            try (Service s = service(ksqldb)) { // a restart continues from the watermark in _metadata.json
                ksqldb.dropNextAfterRows("/query-stream", 7); // a poll cut off: nothing lands, the watermark stays
                assertThatThrownBy(() -> poll(s)).satisfies(e -> assertThat(FeedRouteManager.reason(e)).contains("connection dropped"));
                assertThat(JSON.readTree(dir.resolve("data_lake/streams/transaction_stream/_metadata.json").toFile())
                        .at("/watermarks/TRANSACTION_STREAM").asLong()).isEqualTo(DAY1 + 149 * 3_600_000L);
                assertThat(poll(s)).startsWith("20 rows landed, 0 rejected, 0 already in the lake");
            }
            // lose the watermark (as after a crash between publishing files and recording the poll's end): the next poll
            // reads everything again, and the ROWTIME ranges in the file names keep out every row already there
            Files.delete(dir.resolve("data_lake/streams/transaction_stream/_metadata.json"));
            try (Stream<Path> manifests = Files.list(dir.resolve("data_lake/streams/transaction_stream/_manifests"))) {
                for (Path m : manifests.toList()) {
                    Files.delete(m);
                }
            }
            insert(stream, 5);
            try (Service s = service(ksqldb)) {
                assertThat(poll(s)).startsWith("5 rows landed, 0 rejected, 170 already in the lake");
            }
            assertThat(lake.count("SELECT count(*) FROM " + t)).isEqualTo(175);
            assertThat(lake.count("SELECT count(DISTINCT TRANSACTION_ID) FROM " + t)).isEqualTo(175);
            // typed as ksqlDB declares them, partitioned by the event's TIMESTAMP
            assertThat(lake.rows("SELECT typeof(AMOUNT), typeof(ROWTIME), typeof(LOCATION) FROM " + t + " LIMIT 1").get(0))
                    .containsExactly("DECIMAL(10,2)", "TIMESTAMP WITH TIME ZONE", "STRUCT(CITY VARCHAR, COUNTRY VARCHAR)");
            assertThat(lake.rows("SELECT CAST(AMOUNT AS VARCHAR), LOCATION.CITY FROM " + t + " WHERE TRANSACTION_ID = 'TXN-42'").get(0))
                    .containsExactly("42.25", "Paris");
            assertThat(lake.count("SELECT count(DISTINCT (year, month, day)) FROM " + t)).isEqualTo(8); // 175 hours
            assertThat(lake.count("SELECT count(*) FROM " + t + " WHERE make_date(year, month, day) <> CAST(ROWTIME AT TIME ZONE 'UTC' AS DATE)")).isZero();
        }
    }
}
