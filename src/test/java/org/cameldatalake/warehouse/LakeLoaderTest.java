package org.cameldatalake.warehouse;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;
import org.cameldatalake.support.Cli;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.Service;
import org.cameldatalake.support.WarehouseServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code warehouse load --feed}: a stream feed's lake files into SQLite, through the real command line, twice. */
class LakeLoaderTest {
    @TempDir
    Path dir;

    @Test
    void loadingTwiceLoadsEveryLakeRowOnce() throws Exception {
        KafkaSupport.broker().createTopics(2, List.of("TX_LOAD"));
        KafkaSupport.sendTransactions("TX_LOAD", 7, 3000, LocalDate.of(2025, 10, 13), 3);
        Service service = new Service(dir);
        service.kafkaFeed("tx_load", "TX_LOAD");
        service.set("datalake.append.max-age", "1s");
        Lake lake = service.lake();
        try (service) {
            service.start();
            await().atMost(60, SECONDS).until(() -> lake.streamRows("tx_load") == 3000);
        }
        long files = lake.count("SELECT count(DISTINCT filename) FROM " + lake.stream("tx_load"));

        Cli.Result first = Cli.run(dir, service.settings(), "warehouse", "load", "--feed", "tx_load");
        assertThat(first.exit()).as(String.join("\n", first.err())).isZero();
        assertThat(first.out()).singleElement().asString()
                .startsWith("tx_load: " + files + " file(s) loaded, 0 already loaded, 3000 rows into table tx_load");
        Cli.Result second = Cli.run(dir, service.settings(), "warehouse", "load", "--feed", "tx_load");
        assertThat(second.exit()).isZero();
        assertThat(second.out()).singleElement().asString()
                .startsWith("tx_load: 0 file(s) loaded, " + files + " already loaded, 0 rows");

        String url = WarehouseServers.sqliteUrl(service.lakeRoot());
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            assertThat(count(s, "SELECT count(*) FROM tx_load")).isEqualTo(lake.count("SELECT count(*) FROM " + lake.stream("tx_load")));
            assertThat(count(s, "SELECT count(DISTINCT TRANSACTION_ID) FROM tx_load")).isEqualTo(3000);
            assertThat(count(s, "SELECT count(*) FROM tx_load WHERE json_extract(LOCATION, '$.CITY') IS NULL"))
                    .as("nested records are JSON text").isZero();
            assertThat(count(s, "SELECT count(*) FROM datalake_loaded_files WHERE feed = 'tx_load'")).isEqualTo(files);
        }

        Cli.Result unknown = Cli.run(dir, service.settings(), "warehouse", "load", "--feed", "nope");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("camel-datalake warehouse load: no stream feed named 'nope'");
    }

    private static long count(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
