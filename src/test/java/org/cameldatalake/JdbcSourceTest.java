package org.cameldatalake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.cameldatalake.runtime.FeedRouteManager;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.Service;
import org.cameldatalake.support.WarehouseServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JDBC feeds through the real service, on a real PostgreSQL server and on SQLite, read back with DuckDB: new and
 * changed rows land exactly once (ties at the cursor's value, a crash between landing and moving the cursor), SQL
 * types become Parquet types, a row that does not fit goes to {@code _rejected/}, and a table feed lands versions.
 */
class JdbcSourceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CUSTOMERS = "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, "
            + "balance NUMERIC(10, 2), born DATE, vip BOOLEAN, photo BYTEA, visits BIGINT, updated_at TIMESTAMP)";

    @TempDir
    Path dir;

    private static void sql(String url, String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    private Service service() throws Exception {
        return new Service(dir).set("datalake.feeds.autostart", "false");
    }

    private static String export(Service s, String feed) throws Exception {
        FeedRouteManager m = s.feeds();
        return m.exportOnce(m.catalog().feed(feed));
    }

    private void customersFeed(Service s, String url) throws Exception {
        s.feedFile("customers.json", """
                {"feed_name": "customers", "feed_type": "stream", "source": "jdbc",
                 "jdbc": {"url": "%s", "table": "customers", "incremental_column": "updated_at",
                          "user": "{{shop.user}}", "password": "{{shop.password}}"},
                 "schedule": "0 0 0 1 1 ? 2099"}""".formatted(url));
        s.set("shop.user", "postgres").set("shop.password", "not-used-by-trust-auth");
    }

    private static String customer(int id, String name, String updatedAt) {
        return "INSERT INTO customers VALUES (" + id + ", '" + name + "', " + id + ".25, DATE '1990-01-0" + (1 + id % 9)
                + "', " + (id % 2 == 0) + ", '\\x0102'::bytea, " + (id * 1000L) + ", TIMESTAMP '" + updatedAt + "')";
    }

    @Test
    void postgresqlRowsLandIncrementallyExactlyOnceWithTiesAtTheCursorAndTypesKept() throws Exception {
        String url = WarehouseServers.freshDatabase(WarehouseServers.Db.POSTGRESQL);
        sql(url, CUSTOMERS,
                customer(1, "Ann", "2025-10-13 09:00:00"), customer(2, "Bob", "2025-10-13 10:00:00"),
                customer(3, "Cid", "2025-10-14 11:00:00"), customer(4, "Dee", "2025-10-14 11:00:00"));
        Lake lake = new Lake(dir.resolve("data_lake"));
        String t = lake.stream("customers");
        try (Service s = service()) {
            customersFeed(s, url.replace("?user=postgres", ""));
            s.start();
            assertThat(export(s, "customers")).startsWith("4 rows landed, 0 rejected, 0 already in the lake; "
                    + "updated_at reached 2025-10-14T11:00");
            // a row committed late at exactly the value the cursor reached, a changed row, a new one
            sql(url, customer(5, "Eve", "2025-10-14 11:00:00"),
                    "UPDATE customers SET name = 'Ann B.', updated_at = TIMESTAMP '2025-10-15 08:00:00' WHERE id = 1");
            assertThat(export(s, "customers")).startsWith("2 rows landed, 0 rejected, 0 already in the lake");
            assertThat(export(s, "customers")).startsWith("0 rows landed"); // nothing new: the ties are not repeated
        }
        assertThat(lake.rows("SELECT id, name FROM " + t + " ORDER BY updated_at, id")).extracting(r -> r.get(0) + " " + r.get(1))
                .containsExactly("1 Ann", "2 Bob", "3 Cid", "4 Dee", "5 Eve", "1 Ann B.");
        // SQL types as Parquet types
        assertThat(lake.rows("SELECT typeof(id), typeof(name), typeof(balance), typeof(born), typeof(vip), typeof(photo), "
                + "typeof(visits), typeof(updated_at) FROM " + t + " LIMIT 1").get(0)).containsExactly(
                "INTEGER", "VARCHAR", "DECIMAL(10,2)", "DATE", "BOOLEAN", "BLOB", "BIGINT", "TIMESTAMP");
        assertThat(lake.rows("SELECT CAST(balance AS VARCHAR), CAST(born AS VARCHAR), vip, hex(photo), visits, "
                + "CAST(updated_at AS VARCHAR) FROM " + t + " WHERE id = 4").get(0))
                .containsExactly("4.25", "1990-01-05", true, "0102", 4000L, "2025-10-14 11:00:00");
        // dated by the incremental column
        assertThat(lake.rows("SELECT DISTINCT day FROM " + t + " ORDER BY 1")).extracting(r -> ((Number) r.get(0)).intValue())
                .containsExactly(13, 14, 15);
        JsonNode cursor = JSON.readTree(dir.resolve("data_lake/streams/customers/_metadata.json").toFile())
                .at("/cursors/jdbc:customers");
        assertThat(cursor.at("/value/value").asText()).isEqualTo("2025-10-15T08:00");
        assertThat(cursor.path("keys_at_value")).hasSize(1);
        assertThat(cursor.has("pending")).isFalse();
        assertThat(Files.readString(dir.resolve("data_lake/streams/customers/_metadata.json"))).doesNotContain("not-used-by-trust-auth");
    }

    @Test
    void aCrashBetweenLandingAndMovingTheCursorRepeatsNoRowAndLosesNone() throws Exception {
        String url = WarehouseServers.freshDatabase(WarehouseServers.Db.POSTGRESQL);
        sql(url, CUSTOMERS,
                customer(1, "Ann", "2025-10-13 09:00:00"), customer(2, "Bob", "2025-10-13 10:00:00"));
        // the cursor of the table, as its polls keep it: in the manifest of the source they poll
        Path meta = dir.resolve("data_lake/streams/customers/_manifests/jdbc_customers-0.json");
        JsonNode before;
        try (Service s = service()) {
            customersFeed(s, url.replace("?user=postgres", ""));
            s.start();
            assertThat(export(s, "customers")).startsWith("2 rows landed");
            before = JSON.readTree(meta.toFile()).at("/cursor");
            sql(url, customer(3, "Cid", "2025-10-14 11:00:00"), customer(4, "Dee", "2025-10-14 11:00:00"));
            assertThat(export(s, "customers")).startsWith("2 rows landed");
        }
        // as if the service had died after publishing the second poll's files, before moving the cursor: the
        // manifest holds the cursor as it was, with that poll pending
        ObjectNode file = (ObjectNode) JSON.readTree(meta.toFile());
        JsonNode after = file.at("/cursor");
        ObjectNode crashed = before.deepCopy();
        ObjectNode pending = crashed.putObject("pending");
        pending.put("poll", after.path("poll").asLong());
        pending.set("to", after.path("value"));
        pending.set("keys_at_to", after.path("keys_at_value"));
        pending.put("at", "2025-10-20T00:00:00Z");
        file.set("cursor", crashed);
        Files.writeString(meta, file.toString());
        // meanwhile a row is committed at the pending poll's upper value, and one beyond
        sql(url, customer(5, "Eve", "2025-10-14 11:00:00"), customer(6, "Fay", "2025-10-16 12:00:00"));

        Lake lake = new Lake(dir.resolve("data_lake"));
        try (Service s = service()) {
            customersFeed(s, url.replace("?user=postgres", ""));
            s.start();
            // the pending poll again, bounded as it was: what it had landed is in the lake, Eve waits for the next
            assertThat(export(s, "customers")).startsWith("0 rows landed, 0 rejected, 2 already in the lake");
            assertThat(export(s, "customers")).startsWith("2 rows landed, 0 rejected, 0 already in the lake");
        }
        assertThat(lake.rows("SELECT id FROM " + lake.stream("customers") + " ORDER BY id")).extracting(r -> r.get(0))
                .containsExactly(1, 2, 3, 4, 5, 6);
    }

    @Test
    void postgresqlTableFeedLandsTheWholeTableAsVersions() throws Exception {
        String url = WarehouseServers.freshDatabase(WarehouseServers.Db.POSTGRESQL);
        sql(url, CUSTOMERS,
                customer(1, "Ann", "2025-10-13 09:00:00"), customer(2, "Bob", "2025-10-13 10:00:00"));
        try (Service s = service()) {
            s.feedFile("customers_all.json", """
                    {"feed_name": "customers_all", "feed_type": "table", "source": "jdbc",
                     "jdbc": {"url": "%s", "table": "customers"}, "schedule": "0 0 0 1 1 ? 2099"}""".formatted(url));
            s.start();
            assertThat(export(s, "customers_all")).isEqualTo("version v1 (2 rows) in tables/customers_all/version=v1");
            sql(url, customer(3, "Cid", "2025-10-14 11:00:00"), "DELETE FROM customers WHERE id = 1");
            assertThat(export(s, "customers_all")).isEqualTo("version v2 (2 rows) in tables/customers_all/version=v2");
            Lake lake = s.lake();
            String v2 = "read_parquet('" + s.lakeRoot().resolve("tables/customers_all/version=v2") + "/*.parquet')";
            assertThat(lake.rows("SELECT id, CAST(balance AS VARCHAR), typeof(balance) FROM " + v2 + " ORDER BY id"))
                    .extracting(r -> r.get(0) + " " + r.get(1) + " " + r.get(2))
                    .containsExactly("2 2.25 DECIMAL(10,2)", "3 3.25 DECIMAL(10,2)");
        }
    }

    @Test
    void sqliteRowsThatDoNotFitTheirColumnGoToRejectedAndTheRestLand() throws Exception {
        Path db = dir.resolve("shop.db");
        String url = "jdbc:sqlite:" + db;
        sql(url, "CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT, qty INTEGER, price REAL, version INTEGER)",
                "INSERT INTO items VALUES (1, 'pen', 3, 1.5, 10)", "INSERT INTO items VALUES (2, 'ink', 'lots', 2.5, 11)",
                "INSERT INTO items VALUES (3, 'pad', 7, 0.5, 11)");
        try (Service s = service()) {
            s.feedFile("items.json", """
                    {"feed_name": "items", "feed_type": "stream", "source": "jdbc",
                     "jdbc": {"url": "%s", "table": "items", "incremental_column": "version"},
                     "schedule": "0 0 0 1 1 ? 2099"}""".formatted(url));
            s.start();
            assertThat(export(s, "items")).startsWith("2 rows landed, 1 rejected, 0 already in the lake; version reached 11");
            sql(url, "INSERT INTO items VALUES (4, 'cap', 1, 3.0, 11)", "INSERT INTO items VALUES (5, 'box', 2, 4.0, 12)");
            assertThat(export(s, "items")).startsWith("2 rows landed, 0 rejected, 0 already in the lake; version reached 12");
            Lake lake = s.lake();
            String t = lake.stream("items");
            assertThat(lake.rows("SELECT id, label, qty, price, typeof(qty), typeof(price) FROM " + t + " ORDER BY id"))
                    .extracting(r -> r.get(0) + " " + r.get(1) + " " + r.get(2) + " " + r.get(3) + " " + r.get(4) + " " + r.get(5))
                    .containsExactly("1 pen 3 1.5 INTEGER DOUBLE", "3 pad 7 0.5 INTEGER DOUBLE",
                            "4 cap 1 3.0 INTEGER DOUBLE", "5 box 2 4.0 INTEGER DOUBLE");
            List<JsonNode> rejected = QualityRulesStreamFeedTest.rejectedLines(s.lakeRoot().resolve("_rejected/items"));
            assertThat(rejected).singleElement().satisfies(l -> {
                assertThat(l.path("reason").asText()).contains("qty").contains("String");
                assertThat(JSON.readTree(l.path("value").asText()).path("qty").asText()).isEqualTo("lots");
                assertThat(l.path("topic").asText()).isEqualTo("items");
            });
        }
    }
}
