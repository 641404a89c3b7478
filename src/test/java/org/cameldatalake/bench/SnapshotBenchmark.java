package org.cameldatalake.bench;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.cameldatalake.runtime.FeedRouteManager;
import org.cameldatalake.ksqldb.KsqlDbEmulator;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.Test;

/**
 * A 100,000-row ksqlDB table snapshot end to end: HTTP through the emulator, parsing, Parquet, publish.
 * Not part of {@code mvn verify} (surefire only picks *Test classes); run it with
 * {@code mvn -B test -Dtest=SnapshotBenchmark}.
 */
class SnapshotBenchmark {
    @Test
    void hundredThousandRowSnapshot() throws Exception {
        hundredThousandRowSnapshotSeconds();
    }

    /** The best of three warm runs, in seconds. */
    static double hundredThousandRowSnapshotSeconds() throws Exception {
        double best = Double.MAX_VALUE;
        Path dir = Files.createTempDirectory("snapshot-bench");
        try (KsqlDbEmulator ksqldb = KsqlDbEmulator.start()) {
            KsqlDbEmulator.Source table = ksqldb.createTable("USER_TRANSACTION_SUMMARY", "USER_TRANSACTION_SUMMARY",
                    List.of("USER_ID STRING", "TRANSACTION_TYPE STRING", "TOTAL_SPENT DOUBLE", "TOTAL_SPENT_EUR DECIMAL(12, 2)",
                            "TRANSACTION_COUNT BIGINT", "LAST_SEEN TIMESTAMP"), List.of("USER_ID"));
            for (int i = 0; i < 100_000; i++) {
                table.insert(i, "USER-" + i, "payment", i * 1.5, BigDecimal.valueOf(i, 2), (long) i,
                        Instant.ofEpochMilli(1_760_000_000_000L + i));
            }
            try (Service service = new Service(dir)) {
                Files.copy(Path.of("feeds/active/user_transaction_summary.json"),
                        service.feedsDir().resolve("active/user_transaction_summary.json"));
                service.set("datalake.ksqldb.url", ksqldb.url()).set("datalake.feeds.autostart", "false").start();
                FeedRouteManager m = service.feeds();
                var feed = m.catalog().feed("user_transaction_summary");
                m.exportOnce(feed); // warm-up
                for (int run = 1; run <= 3; run++) {
                    long start = System.nanoTime();
                    String result = m.exportOnce(feed);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    best = Math.min(best, seconds);
                    System.out.printf("snapshot benchmark run %d: %s in %.2f s (%.0f rows/s)%n", run, result, seconds,
                            100_000 / seconds);
                }
            }
        }
        return best;
    }
}
