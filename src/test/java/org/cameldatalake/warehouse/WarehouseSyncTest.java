package org.cameldatalake.warehouse;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.cameldatalake.support.Changelogs.awaitCommittedToTheEnd;
import static org.cameldatalake.support.Changelogs.record;
import static org.cameldatalake.support.Changelogs.warehouseRejections;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.Service;
import org.cameldatalake.support.WarehouseServers;
import org.cameldatalake.support.WarehouseServers.Db;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Table changelogs mirrored into SQLite, PostgreSQL and MariaDB by the real service, against the test broker and real
 * database servers; the tables are read back with plain JDBC.
 */
class WarehouseSyncTest {
    private static final long T0 = 1_760_000_400_000L; // a 5-minute boundary
    private static final long FIVE_MIN = 300_000L;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Db.class)
    void changelogsAreUpsertedDeletedAndReplayedWithoutChange(Db db) throws Exception {
        String suffix = db.name();
        String totalsTopic = "USER_TOTALS_" + suffix;
        String balancesTopic = "BALANCES_" + suffix;
        String windowedTopic = "WINDOWED_TOTALS_" + suffix;
        KafkaSupport.broker().createTopics(2, List.of(totalsTopic, balancesTopic, windowedTopic));
        String url = WarehouseServers.freshDatabase(db);
        long started = System.nanoTime();
        Service service = new Service(dir);
        if (url != null) {
            service.set("datalake.warehouse.url", url);
        } else {
            url = WarehouseServers.sqliteUrl(service.lakeRoot());
        }
        String feedSuffix = suffix.toLowerCase(Locale.ROOT);
        service.feedFile("totals.json", """
                {"feed_name": "totals_%s", "feed_type": "stream", "kafka_topic": "%s",
                 "warehouse": {"table": "dwh_user_transaction_totals", "key": ["USER_ID", "TRANSACTION_TYPE"]}}
                """.formatted(feedSuffix, totalsTopic));
        service.feedFile("balances.json", """
                {"feed_name": "balances_%s", "feed_type": "stream", "kafka_topic": "%s",
                 "warehouse": {"table": "balances", "key": ["USER_ID"], "key_format": "kafka"}}
                """.formatted(feedSuffix, balancesTopic));
        service.feedFile("windowed.json", """
                {"feed_name": "windowed_%s", "feed_type": "stream", "kafka_topic": "%s",
                 "warehouse": {"table": "dwh_windowed_transaction_totals", "key": ["TRANSACTION_TYPE", "WINDOW_START"],
                               "key_format": "json", "window": {"type": "tumbling", "size": "5m"}}}
                """.formatted(feedSuffix, windowedTopic));
        // a ksqlDB table feed keeps its snapshot route and mirrors its own topic (ksqldb_source upper-cased) too
        service.feedFile("balances_table.json", """
                {"feed_name": "balances_table_%s", "feed_type": "table", "ksqldb_source": "balances_%s",
                 "warehouse": {"table": "balances_from_ksqldb", "key": ["USER_ID"], "key_format": "kafka"}}
                """.formatted(feedSuffix, feedSuffix));
        Map<String, String> groups = Map.of(totalsTopic, "camel-datalake-warehouse-totals_" + feedSuffix,
                balancesTopic, "camel-datalake-warehouse-balances_" + feedSuffix,
                windowedTopic, "camel-datalake-warehouse-windowed_" + feedSuffix);
        Map<String, String> ksqlTableGroup = Map.of(balancesTopic, "camel-datalake-warehouse-balances_table_" + feedSuffix);
        Sql sql = new Sql(url);
        try {
            service.start();
            assertThat(service.context().getRoute("feed-balances_table_" + feedSuffix)).isNotNull();
            assertThat(service.context().getRoute("warehouse-balances_table_" + feedSuffix)).isNotNull();

            // 1. inserts and in-batch updates
            KafkaSupport.sendKeyBytes(List.of(
                    record(totalsTopic, "{\"USER_ID\":\"u1\",\"TRANSACTION_TYPE\":\"purchase\"}", "{\"TOTAL\":10.5,\"TX_COUNT\":1}"),
                    record(totalsTopic, "{\"USER_ID\":\"u1\",\"TRANSACTION_TYPE\":\"refund\"}", "{\"TOTAL\":3.0,\"TX_COUNT\":1}"),
                    record(totalsTopic, "{\"USER_ID\":\"u2\",\"TRANSACTION_TYPE\":\"purchase\"}", "{\"TOTAL\":7.25,\"TX_COUNT\":1}"),
                    record(totalsTopic, "{\"USER_ID\":\"u1\",\"TRANSACTION_TYPE\":\"purchase\"}", "{\"TOTAL\":20.5,\"TX_COUNT\":2}"),
                    record(balancesTopic, "u1", "{\"BALANCE\":100,\"NAME\":\"Ada\",\"VIP\":true,\"ADDRESS\":{\"CITY\":\"Lyon\"}}"),
                    record(balancesTopic, "u2", "{\"BALANCE\":5,\"NAME\":\"Bob\",\"VIP\":false,\"ADDRESS\":null}"),
                    record(balancesTopic, "u3", "{\"BALANCE\":1,\"NAME\":\"Cy\",\"VIP\":false,\"ADDRESS\":null}"),
                    record(balancesTopic, "u4", "not json"),
                    // what the lake refuses the warehouse refuses too: which BALANCE would be the real one?
                    record(balancesTopic, "u5", "{\"BALANCE\":1,\"NAME\":\"Eve\",\"BALANCE\":2}"),
                    record(windowedTopic, windowKey("\"purchase\"", T0), "{\"TOTAL\":30.0,\"TX_COUNT\":3}"),
                    record(windowedTopic, windowKey("\"purchase\"", T0 + FIVE_MIN), "{\"TOTAL\":1.0,\"TX_COUNT\":1}"),
                    record(windowedTopic, windowKey("\"refund\"", T0), "{\"TOTAL\":2.0,\"TX_COUNT\":1}")));
            awaitCommittedToTheEnd(groups, 2);
            // offsets are committed only after the transaction: once they are at the end, the rows are in
            assertThat(sql.rows("SELECT " + sql.cols("USER_ID", "TRANSACTION_TYPE", "TOTAL", "TX_COUNT")
                    + " FROM " + sql.q("dwh_user_transaction_totals") + " ORDER BY 1, 2"))
                    .containsExactly(row("u1", "purchase", 20.5, 2L), row("u1", "refund", 3.0, 1L),
                            row("u2", "purchase", 7.25, 1L));
            assertThat(sql.rows("SELECT " + sql.cols("USER_ID", "BALANCE", "NAME", "VIP", "ADDRESS") + " FROM "
                    + sql.q("balances") + " ORDER BY 1"))
                    .containsExactly(row("u1", 100L, "Ada", 1L, "{\"CITY\":\"Lyon\"}"),
                            row("u2", 5L, "Bob", 0L, null), row("u3", 1L, "Cy", 0L, null));
            assertThat(sql.rows("SELECT " + sql.cols("TRANSACTION_TYPE", "WINDOW_START", "WINDOW_END", "TOTAL", "TX_COUNT")
                    + " FROM " + sql.q("dwh_windowed_transaction_totals") + " ORDER BY 1, 2"))
                    .containsExactly(row("purchase", T0, T0 + FIVE_MIN, 30.0, 3L),
                            row("purchase", T0 + FIVE_MIN, T0 + 2 * FIVE_MIN, 1.0, 1L),
                            row("refund", T0, T0 + FIVE_MIN, 2.0, 1L));
            Path rejected = service.lakeRoot().resolve("_rejected").resolve("balances_" + feedSuffix);
            assertThat(warehouseRejections(rejected)).satisfiesExactlyInAnyOrder(
                    line -> assertThat(line).contains("\"reason\":\"warehouse: value: not valid JSON").contains("\"key\":\"u4\""),
                    line -> assertThat(line).contains("\"reason\":\"warehouse: value: ")
                            .containsIgnoringCase("duplicate field 'BALANCE'").contains("\"key\":\"u5\""));

            // 2. updates in later batches, tombstones, a new field, a wider type
            KafkaSupport.sendKeyBytes(List.of(
                    record(totalsTopic, "{\"USER_ID\":\"u1\",\"TRANSACTION_TYPE\":\"refund\"}", null),
                    record(totalsTopic, "{\"USER_ID\":\"u2\",\"TRANSACTION_TYPE\":\"purchase\"}", "{\"TOTAL\":8.25,\"TX_COUNT\":2}"),
                    record(balancesTopic, "u2", null),
                    record(balancesTopic, "u1", "{\"BALANCE\":90.5,\"NAME\":\"Ada\",\"VIP\":true,\"ADDRESS\":null,\"TIER\":\"gold\"}"),
                    record(windowedTopic, windowKey("\"refund\"", T0), null),
                    record(windowedTopic, windowKey("\"purchase\"", T0), "{\"TOTAL\":31.0,\"TX_COUNT\":4}")));
            awaitCommittedToTheEnd(groups, 2);
            assertThat(sql.rows("SELECT " + sql.cols("USER_ID", "TRANSACTION_TYPE", "TOTAL", "TX_COUNT")
                    + " FROM " + sql.q("dwh_user_transaction_totals") + " ORDER BY 1, 2"))
                    .containsExactly(row("u1", "purchase", 20.5, 2L), row("u2", "purchase", 8.25, 2L));
            // a new field is a new column; a fractional value widens the BIGINT column (read as a double everywhere)
            assertThat(sql.rows("SELECT " + sql.cols("USER_ID") + ", " + sql.q("BALANCE") + " * 1.0, " + sql.cols("ADDRESS", "TIER")
                    + " FROM " + sql.q("balances") + " ORDER BY 1"))
                    .containsExactly(row("u1", 90.5, null, "gold"), row("u3", 1.0, null, null));
            assertThat(sql.rows("SELECT " + sql.cols("TRANSACTION_TYPE", "WINDOW_START", "WINDOW_END", "TOTAL")
                    + " FROM " + sql.q("dwh_windowed_transaction_totals") + " ORDER BY 1, 2"))
                    .containsExactly(row("purchase", T0, T0 + FIVE_MIN, 31.0), row("purchase", T0 + FIVE_MIN, T0 + 2 * FIVE_MIN, 1.0));

            awaitCommittedToTheEnd(ksqlTableGroup, 2);
            assertThat(sql.rows("SELECT * FROM " + sql.q("balances_from_ksqldb") + " ORDER BY 1"))
                    .isEqualTo(sql.rows("SELECT * FROM " + sql.q("balances") + " ORDER BY 1"));

            // 3. replaying every offset again changes nothing
            Map<String, List<List<Object>>> before = sql.tables("dwh_user_transaction_totals", "balances", "dwh_windowed_transaction_totals");
            service.stop();
            rewind(groups);
            service.start();
            awaitCommittedToTheEnd(groups, 2);
            assertThat(sql.tables("dwh_user_transaction_totals", "balances", "dwh_windowed_transaction_totals")).isEqualTo(before);
            assertThat(warehouseRejections(rejected)).hasSize(4); // the two bad records, once per reading
            System.out.printf("warehouse sync on %s: %.1f s%n", db, (System.nanoTime() - started) / 1e9);
        } finally {
            service.close();
        }
    }

    private static List<Object> row(Object... values) {
        return java.util.Arrays.asList(values);
    }

    /** A tumbling-window key: the inner key bytes, then the window start as 8 bytes big-endian. */
    private static byte[] windowKey(String jsonKey, long start) {
        byte[] inner = jsonKey.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(inner.length + 8).put(inner).putLong(start).array();
    }

    private static void rewind(Map<String, String> groupByTopic) throws Exception {
        try (Admin admin = KafkaSupport.broker().admin()) {
            for (var e : groupByTopic.entrySet()) {
                Map<TopicPartition, OffsetAndMetadata> zero = new HashMap<>();
                for (int p = 0; p < 2; p++) {
                    zero.put(new TopicPartition(e.getKey(), p), new OffsetAndMetadata(0));
                }
                // the group is empty once the service stopped; the broker may take a moment to notice
                await().atMost(30, SECONDS).ignoreExceptions()
                        .until(() -> admin.alterConsumerGroupOffsets(e.getValue(), zero).all().get() == null);
            }
        }
    }
}
