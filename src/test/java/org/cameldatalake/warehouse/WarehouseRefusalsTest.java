package org.cameldatalake.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cameldatalake.support.Changelogs.awaitCommittedToTheEnd;
import static org.cameldatalake.support.Changelogs.record;
import static org.cameldatalake.support.Changelogs.warehouseRejections;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.cameldatalake.runtime.FeedRouteManager;
import org.cameldatalake.support.Http;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.Service;
import org.cameldatalake.support.WarehouseServers;
import org.cameldatalake.support.WarehouseServers.Db;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the database refuses never halts the warehouse mirror, on SQLite, PostgreSQL and MariaDB through the real
 * service and broker: each database refuses something else (two fields that are one column to it, a NUL character,
 * a key too long for its index, a value its CHECK constraint refuses), the refused record goes to {@code _rejected/}
 * with the database's message, every other record lands and the offsets reach the end. Also: a field spelled in
 * another case is the column the database takes it for, a field absent from a record is NULL however the records were
 * batched, a feed file naming the product's own tables is refused, and the per-feed metrics count it all.
 */
class WarehouseRefusalsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KEYS = 92;
    private static final int GOOD = 400;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Db.class)
    void whatTheDatabaseRefusesIsRejectedAndEverythingElseLands(Db db) throws Exception {
        String suffix = db.name().toLowerCase(Locale.ROOT);
        String orders = "REFUSAL_ORDERS_" + db.name();
        String stock = "REFUSAL_STOCK_" + db.name();
        String sneaky = "REFUSAL_TOKENS_" + db.name();
        KafkaSupport.broker().createTopics(2, List.of(orders, stock, sneaky));
        String url = WarehouseServers.freshDatabase(db);
        int management = Http.freePort();
        Service service = new Service(dir).set("datalake.management.port", String.valueOf(management));
        if (url != null) {
            service.set("datalake.warehouse.url", url);
        } else {
            url = WarehouseServers.sqliteUrl(service.lakeRoot());
            java.nio.file.Files.createDirectories(service.lakeRoot());
        }
        Sql sql = new Sql(url);
        // a table made by someone else, with a rule the values must follow; and a token the API holds
        sql.execute("CREATE TABLE " + sql.q("stock") + " (" + sql.q("SKU") + " VARCHAR(64) NOT NULL PRIMARY KEY, "
                + sql.q("QTY") + " BIGINT CHECK (" + sql.q("QTY") + " >= 0))");
        new ApiTokens(new Warehouse(url), Clock.systemUTC()).create("analyst");
        service.feedFile("orders.json", """
                {"feed_name": "orders_%s", "feed_type": "stream", "kafka_topic": "%s",
                 "warehouse": {"table": "orders", "key": ["ORDER_ID"], "key_format": "kafka"}}
                """.formatted(suffix, orders));
        service.feedFile("stock.json", """
                {"feed_name": "stock_%s", "feed_type": "stream", "kafka_topic": "%s",
                 "warehouse": {"table": "stock", "key": ["SKU"], "key_format": "kafka"}}
                """.formatted(suffix, stock));
        // whoever may write to this topic would add API tokens (SQLite matches table names in any case)
        service.feedFile("sneaky.json", """
                {"feed_name": "sneaky_%s", "feed_type": "stream", "kafka_topic": "%s",
                 "warehouse": {"table": "DataLake_API_Tokens", "key": ["token_sha256"], "key_format": "kafka"}}
                """.formatted(suffix, sneaky));

        String longKey = "o-" + "k".repeat(300);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        // first of all: two fields that SQLite and MariaDB take for one column (it used to stop the table's creation)
        records.add(record(orders, "o-case", "{\"TOTAL_AMOUNT\": 1, \"total_amount\": 2, \"STATUS\": \"twice\"}"));
        Map<String, Double> expectedTotal = new HashMap<>();
        for (int i = 0; i < GOOD; i++) {
            String key = "o-" + (i % KEYS);
            records.add(record(orders, key, "{\"total_amount\": " + (i * 1.5) + ", \"STATUS\": \"s" + i + "\"}"));
            expectedTotal.put(key, i * 1.5);
        }
        records.add(record(orders, "o-nul", "{\"total_amount\": 3, \"STATUS\": \"a\\u0000b\"}")); // PostgreSQL refuses NUL
        records.add(record(orders, longKey, "{\"total_amount\": 4, \"STATUS\": \"long\"}"));  // MariaDB: VARCHAR(255) keys
        records.add(record(orders, "o-upper", "{\"TOTAL_AMOUNT\": 7.5, \"STATUS\": \"upper\"}")); // one column on SQLite/MariaDB
        records.add(record(orders, "o-0", null));
        records.add(record(stock, "s1", "{\"QTY\": 5}"));
        records.add(record(stock, "s2", "{\"QTY\": -1}"));
        records.add(record(stock, "s3", "{\"QTY\": 2}"));
        records.add(record(sneaky, "0".repeat(64), "{\"principal\": \"intruder\", \"created_at\": \"2025-01-01T00:00:00Z\"}"));
        KafkaSupport.sendKeyBytes(records);
        Map<String, String> groups = Map.of(orders, "camel-datalake-warehouse-orders_" + suffix,
                stock, "camel-datalake-warehouse-stock_" + suffix);
        try (service) {
            service.start();
            awaitCommittedToTheEnd(groups, 2);

            List<String> refused = switch (db) {
                case SQLITE -> List.of("o-case");
                case POSTGRESQL -> List.of("o-nul");
                case MARIADB -> List.of("o-case", longKey);
            };
            Map<String, String> reasons = reasons(warehouseRejections(service.lakeRoot().resolve("_rejected/orders_" + suffix)));
            assertThat(reasons.keySet()).containsExactlyInAnyOrderElementsOf(refused);
            switch (db) {
                case SQLITE -> assertThat(reasons.get("o-case"))
                        .isEqualTo("warehouse: fields 'TOTAL_AMOUNT' and 'total_amount' are one column in SQLite, which ignores the case of column names");
                case POSTGRESQL -> assertThat(reasons.get("o-nul")).startsWith("warehouse: PostgreSQL refused it: ")
                        .matches("(?is).*(0x00|zero bytes).*");
                case MARIADB -> {
                    assertThat(reasons.get("o-case")).contains("are one column in MariaDB");
                    assertThat(reasons.get(longKey)).startsWith("warehouse: MariaDB refused it: ").contains("Data too long");
                }
            }
            String amount = db == Db.POSTGRESQL ? "TOTAL_AMOUNT" : "total_amount"; // o-upper's column
            Map<String, Double> totals = new HashMap<>();
            for (List<Object> row : sql.rows("SELECT " + sql.cols("ORDER_ID", "total_amount") + " FROM " + sql.q("orders"))) {
                totals.put((String) row.get(0), (Double) row.get(1));
            }
            expectedTotal.remove("o-0"); // its tombstone came last
            assertThat(totals).containsAllEntriesOf(expectedTotal).doesNotContainKey("o-0");
            assertThat(sql.rows("SELECT " + sql.q(amount) + ", " + sql.q("STATUS") + " FROM " + sql.q("orders")
                    + " WHERE " + sql.q("ORDER_ID") + " = 'o-upper'")).containsExactly(List.of(7.5, "upper"));
            assertThat(totals).as("o-1…o-91, o-case, o-nul, the long key and o-upper, but what was refused")
                    .hasSize(KEYS - 1 + 4 - refused.size());

            Map<String, String> stockReasons = reasons(warehouseRejections(service.lakeRoot().resolve("_rejected/stock_" + suffix)));
            assertThat(stockReasons.keySet()).containsExactly("s2");
            assertThat(stockReasons.get("s2")).startsWith("warehouse: " + (db == Db.SQLITE ? "SQLite" : db == Db.POSTGRESQL
                    ? "PostgreSQL" : "MariaDB") + " refused it: ").matches("(?is).*(check|constraint).*");
            assertThat(sql.rows("SELECT * FROM " + sql.q("stock") + " ORDER BY 1")).containsExactly(List.of("s1", 5L), List.of("s3", 2L));

            // a field absent from a record is NULL, whether the record came alone or with others that have it
            KafkaSupport.sendKeyBytes(List.of(record(orders, "m1", "{\"total_amount\": 1, \"STATUS\": \"full\"}")));
            awaitCommittedToTheEnd(groups, 2);
            KafkaSupport.sendKeyBytes(List.of(record(orders, "m1", "{\"total_amount\": 2}")));
            awaitCommittedToTheEnd(groups, 2);
            KafkaSupport.sendKeyBytes(List.of(record(orders, "m2", "{\"total_amount\": 3, \"STATUS\": \"s\"}"),
                    record(orders, "m3", "{\"total_amount\": 4}")));
            awaitCommittedToTheEnd(groups, 2);
            assertThat(sql.rows("SELECT " + sql.cols("ORDER_ID", "total_amount", "STATUS") + " FROM " + sql.q("orders")
                    + " WHERE " + sql.q("ORDER_ID") + " IN ('m1', 'm2', 'm3') ORDER BY 1"))
                    .containsExactly(java.util.Arrays.asList("m1", 2.0, null), List.of("m2", 3.0, "s"), java.util.Arrays.asList("m3", 4.0, null));

            // the feed file that names a product table is refused, with its file and field; no token was added
            assertThat(service.feeds().status()).anyMatch(s -> s.state() == FeedRouteManager.State.INVALID
                    && s.detail().contains("sneaky.json") && s.detail().contains("field 'warehouse.table'"));
            assertThat(sql.rows("SELECT " + sql.q("principal") + " FROM " + sql.q("datalake_api_tokens")))
                    .containsExactly(List.of("analyst"));

            String metrics = Http.get("http://127.0.0.1:" + management + "/observe/metrics").body();
            String feed = "orders_" + suffix;
            assertThat(Http.metric(metrics, "datalake_warehouse_records_rejected_total", feed)).isEqualTo(refused.size());
            assertThat(Http.metric(metrics, "datalake_warehouse_rows_deleted_total", feed)).isEqualTo(1.0);
            assertThat(Http.metric(metrics, "datalake_warehouse_rows_upserted_total", feed))
                    .isBetween((double) totals.size(), (double) records.size() + 4);
            assertThat(Http.metric(metrics, "datalake_warehouse_lag_records", feed)).isEqualTo(0.0);
            assertThat(Http.metric(metrics, "datalake_warehouse_records_rejected_total", "stock_" + suffix)).isEqualTo(1.0);
            assertThat(Http.get("http://127.0.0.1:" + management + "/observe/health/ready").statusCode())
                    .as("refused records are no outage").isEqualTo(200);
        }
    }

    /** The reason of each rejected record, by key. */
    private static Map<String, String> reasons(List<String> lines) throws Exception {
        Map<String, String> out = new HashMap<>();
        for (String line : lines) {
            JsonNode n = JSON.readTree(line);
            out.put(n.path("key").asText(), n.path("reason").asText());
        }
        return out;
    }
}
