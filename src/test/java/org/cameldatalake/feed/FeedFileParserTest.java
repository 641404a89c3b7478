package org.cameldatalake.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.cameldatalake.feed.FeedDefinition.Compression;
import org.cameldatalake.feed.FeedDefinition.FeedType;
import org.cameldatalake.feed.FeedDefinition.SecurityLevel;
import org.cameldatalake.feed.FeedDefinition.SourceKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import java.util.stream.Stream;

class FeedFileParserTest {
    private static final Path FILE = Path.of("feeds/active/payment_stream.json");

    /** The example of DESIGN.md §2, without its comments. */
    static final String SEED_EXAMPLE = """
            {
              "feed_name": "payment_stream",
              "feed_type": "stream",
              "ksqldb_source": "payment_stream",
              "source": "kafka",
              "kafka_topic": "PAYMENT_STREAM",
              "description": "Stream des paiements",
              "partitioning": {"type": "date", "columns": ["year","month","day"], "timestamp_field": "TIMESTAMP"},
              "storage_mode": "append",
              "format": "parquet",
              "compression": "snappy",
              "retention_days": 365,
              "retention_versions": 7,
              "schedule": "0 0/10 * * * ?",
              "security_level": "restricted",
              "warehouse": {"table": "dwh_user_transaction_totals", "key": ["USER_ID","TRANSACTION_TYPE"]},
              "enabled": true
            }
            """;

    @Test
    void theSeedExampleLoadsUnchanged() throws Exception {
        FeedDefinition f = FeedFileParser.parse(FILE, SEED_EXAMPLE);
        assertThat(f.name()).isEqualTo("payment_stream");
        assertThat(f.type()).isEqualTo(FeedType.STREAM);
        assertThat(f.source()).isEqualTo(SourceKind.KAFKA);
        assertThat(f.kafkaTopic()).isEqualTo("PAYMENT_STREAM");
        assertThat(f.partitioning().timestampField()).isEqualTo("TIMESTAMP");
        assertThat(f.compression()).isEqualTo(Compression.SNAPPY);
        assertThat(f.warehouse().key()).containsExactly("USER_ID", "TRANSACTION_TYPE");
        assertThat(f.routeId()).isEqualTo("feed-payment_stream");
    }

    @Test
    void aFeedsRotationOverridesTheGlobalLimitsItNames() throws Exception {
        FeedDefinition f = FeedFileParser.parse(FILE, """
                {"feed_name": "x", "feed_type": "stream", "rotation": {"max_age": "30s", "max_idle": "5s"}}""");
        org.cameldatalake.sink.AppendSettings global = new org.cameldatalake.sink.AppendSettings(100_000, 1L << 27,
                java.time.Duration.ofSeconds(60), java.time.Duration.ZERO, new org.cameldatalake.sink.MemoryBudget(1L << 26), 64,
                1L << 25, java.time.ZoneOffset.UTC, true);
        org.cameldatalake.sink.AppendSettings feed = global.forFeed(f);
        assertThat(feed.maxAge()).isEqualTo(java.time.Duration.ofSeconds(30));
        assertThat(feed.maxIdle()).isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(feed.maxRecords()).isEqualTo(100_000);
        assertThat(feed.expired(0, 25_000, 29_999)).isFalse();
        assertThat(feed.expired(0, 25_000, 30_000)).isTrue(); // age, though it got a record 5 s before
        assertThat(feed.expired(0, 10_000, 15_000)).isTrue(); // 5 s without a record
        assertThat(global.expired(0, 0, 59_999)).isFalse(); // max-idle 0s: off
    }

    @Test
    void theSeed000ExampleWithoutSourceOrTopicGetsTheDocumentedDefaults() throws Exception {
        FeedDefinition f = FeedFileParser.parse(FILE, """
                {"feed_name": "payment_stream", "feed_type": "stream", "ksqldb_source": "payment_stream",
                 "description": "Stream des paiements",
                 "partitioning": {"type": "date", "columns": ["year", "month", "day"]},
                 "storage_mode": "append", "format": "parquet", "retention_days": 365, "enabled": true}
                """);
        assertThat(f.source()).isEqualTo(SourceKind.KAFKA);
        assertThat(f.kafkaTopic()).isEqualTo("PAYMENT_STREAM");
        assertThat(f.partitioning().timestampField()).isNull();
        assertThat(f.compression()).isEqualTo(Compression.SNAPPY);
        assertThat(f.retentionVersions()).isEqualTo(7);
        assertThat(f.schedule()).isEqualTo("0 0/10 * * * ?");
        assertThat(f.securityLevel()).isEqualTo(SecurityLevel.RESTRICTED);
        assertThat(f.enabled()).isTrue();
    }

    @Test
    void aMinimalTableFeedDefaultsToKsqldbAndVersions() throws Exception {
        FeedDefinition f = FeedFileParser.parse(FILE, "{\"feed_name\": \"payment_method_totals\", \"feed_type\": \"table\"}");
        assertThat(f.source()).isEqualTo(SourceKind.KSQLDB);
        assertThat(f.ksqldbSource()).isEqualTo("payment_method_totals");
        assertThat(f.storageMode()).isEqualTo("overwrite");
        assertThat(f.partitioning().type()).isEqualTo("version");
        assertThat(f.retentionVersions()).isEqualTo(7);
    }

    @Test
    void aFileWrittenByToolsReadsBackTheSame() throws Exception {
        FeedDefinition f = FeedFileParser.parse(FILE, SEED_EXAMPLE);
        FeedDefinition again = FeedFileParser.parse(FILE, FeedFileParser.toJson(f).toString());
        assertThat(again).isEqualTo(f);
    }

    static Stream<Arguments> invalidFiles() {
        return Stream.of(
                Arguments.of("missing name", "{'feed_type': 'stream'}", "feed_name", "is required"),
                Arguments.of("jdbc without its block", "{'feed_name': 'x', 'feed_type': 'stream', 'source': 'jdbc'}", "jdbc", "is required for a JDBC feed"),
                Arguments.of("jdbc block elsewhere", "{'feed_name': 'x', 'feed_type': 'stream', 'jdbc': {'url': 'jdbc:sqlite:x'}}", "jdbc", "is for feeds with"),
                Arguments.of("jdbc url not jdbc", "{'feed_name': 'x', 'feed_type': 'stream', 'source': 'jdbc', 'jdbc': {'url': 'postgresql://db', 'table': 't', 'incremental_column': 'u'}}", "jdbc.url", "must be a JDBC URL"),
                Arguments.of("jdbc table injection", "{'feed_name': 'x', 'feed_type': 'table', 'source': 'jdbc', 'jdbc': {'url': 'jdbc:sqlite:x', 'table': 't; drop table t'}}", "jdbc.table", "is not a table name"),
                Arguments.of("jdbc stream without column", "{'feed_name': 'x', 'feed_type': 'stream', 'source': 'jdbc', 'jdbc': {'url': 'jdbc:sqlite:x', 'table': 't'}}", "jdbc.incremental_column", "is required for a stream feed"),
                Arguments.of("jdbc table with column", "{'feed_name': 'x', 'feed_type': 'table', 'source': 'jdbc', 'jdbc': {'url': 'jdbc:sqlite:x', 'table': 't', 'incremental_column': 'u'}}", "jdbc.incremental_column", "does not apply to a table feed"),
                Arguments.of("jdbc bad column", "{'feed_name': 'x', 'feed_type': 'stream', 'source': 'jdbc', 'jdbc': {'url': 'jdbc:sqlite:x', 'table': 't', 'incremental_column': 'u-1'}}", "jdbc.incremental_column", "not a column name"),
                Arguments.of("jdbc typo", "{'feed_name': 'x', 'feed_type': 'table', 'source': 'jdbc', 'jdbc': {'url': 'jdbc:sqlite:x', 'table': 't', 'passwd': 'p'}}", "jdbc.passwd", "unknown field"),
                Arguments.of("jdbc with a topic", "{'feed_name': 'x', 'feed_type': 'table', 'kafka_topic': 'T', 'source': 'jdbc', 'jdbc': {'url': 'jdbc:sqlite:x', 'table': 't'}}", "kafka_topic", "does not apply to a JDBC feed"),
                Arguments.of("jdbc empty password", "{'feed_name': 'x', 'feed_type': 'table', 'source': 'jdbc', 'jdbc': {'url': 'jdbc:sqlite:x', 'table': 't', 'password': ''}}", "jdbc.password", "non-empty string"),
                Arguments.of("upper-case name", "{'feed_name': 'Payments', 'feed_type': 'stream'}", "feed_name", "must match"),
                Arguments.of("path in name", "{'feed_name': '../etc', 'feed_type': 'stream'}", "feed_name", "must match"),
                Arguments.of("space in name", "{'feed_name': 'my feed', 'feed_type': 'stream'}", "feed_name", "must match"),
                Arguments.of("300 characters", "{'feed_name': '" + "a".repeat(300) + "', 'feed_type': 'stream'}", "feed_name", "must match"),
                Arguments.of("unknown type", "{'feed_name': 'x', 'feed_type': 'view'}", "feed_type", "'view' is not one of stream | table"),
                Arguments.of("unknown source", "{'feed_name': 'x', 'feed_type': 'stream', 'source': 's3'}", "source", "is not one of kafka | ksqldb"),
                Arguments.of("bad topic", "{'feed_name': 'x', 'feed_type': 'stream', 'kafka_topic': 'a b'}", "kafka_topic", "not a valid Kafka topic"),
                Arguments.of("bad compression", "{'feed_name': 'x', 'feed_type': 'stream', 'compression': 'lz4'}", "compression", "is not one of"),
                Arguments.of("wrong mode", "{'feed_name': 'x', 'feed_type': 'stream', 'storage_mode': 'overwrite'}", "storage_mode", "use 'append'"),
                Arguments.of("negative retention", "{'feed_name': 'x', 'feed_type': 'stream', 'retention_days': -1}", "retention_days", "positive whole number"),
                Arguments.of("bad cron", "{'feed_name': 'x', 'feed_type': 'stream', 'schedule': 'every minute'}", "schedule", "not a Quartz cron"),
                Arguments.of("unknown field", "{'feed_name': 'x', 'feed_type': 'stream', 'retention': 3}", "retention", "unknown field"),
                Arguments.of("bad timestamp path", "{'feed_name': 'x', 'feed_type': 'stream', 'partitioning': {'timestamp_field': 'a/b'}}", "partitioning.timestamp_field", "not a field name"),
                Arguments.of("bad rotation", "{'feed_name': 'x', 'feed_type': 'stream', 'rotation': {'max_age': 'soon'}}", "rotation.max_age", "not a duration"),
                Arguments.of("bad idle rotation", "{'feed_name': 'x', 'feed_type': 'stream', 'rotation': {'max_idle': 'a while'}}", "rotation.max_idle", "not a duration"),
                Arguments.of("enabled as text", "{'feed_name': 'x', 'feed_type': 'stream', 'enabled': 'yes'}", "enabled", "true or false"),
                Arguments.of("warehouse key", "{'feed_name': 'x', 'feed_type': 'table', 'warehouse': {'table': 't', 'key': []}}", "warehouse.key", "non-empty array"),
                Arguments.of("sql in table", "{'feed_name': 'x', 'feed_type': 'table', 'warehouse': {'table': 't; drop table x', 'key': ['A']}}", "warehouse.table", "SQL identifier"),
                Arguments.of("a product table", "{'feed_name': 'x', 'feed_type': 'table', 'warehouse': {'table': 'datalake_api_tokens', 'key': ['A']}}", "warehouse.table", "reserved"),
                Arguments.of("a product table in another case", "{'feed_name': 'x', 'feed_type': 'stream', 'warehouse': {'table': 'DataLake_Permissions', 'key': ['PRINCIPAL', 'FEED', 'ACCESS']}}", "warehouse.table", "starts with datalake_ (in any case), which is reserved"),
                Arguments.of("the reserved prefix alone", "{'feed_name': 'x', 'feed_type': 'table', 'warehouse': {'table': 'DATALAKE_', 'key': ['A']}}", "warehouse.table", "reserved"),
                Arguments.of("a reserved feed name (the default table)", "{'feed_name': 'datalake_loaded_files', 'feed_type': 'stream'}", "feed_name", "reserved"),
                Arguments.of("warehouse typo", "{'feed_name': 'x', 'feed_type': 'table', 'warehouse': {'key': ['A'], 'keys': ['A']}}", "warehouse.keys", "unknown field"),
                Arguments.of("key twice", "{'feed_name': 'x', 'feed_type': 'table', 'warehouse': {'key': ['A', 'A']}}", "warehouse.key", "listed twice"),
                Arguments.of("bad key format", "{'feed_name': 'x', 'feed_type': 'table', 'warehouse': {'key': ['A'], 'key_format': 'avro'}}", "warehouse.key_format", "is not one of json | kafka | kafka_int | kafka_bigint"),
                Arguments.of("kafka key of two columns", "{'feed_name': 'x', 'feed_type': 'table', 'warehouse': {'key': ['A', 'B'], 'key_format': 'kafka'}}", "warehouse.key_format", "hold one column"),
                Arguments.of("bad warehouse topic", "{'feed_name': 'x', 'feed_type': 'table', 'warehouse': {'key': ['A'], 'topic': 'a b'}}", "warehouse.topic", "not a valid Kafka topic"),
                Arguments.of("window without start", "{'feed_name': 'x', 'feed_type': 'table', 'warehouse': {'key': ['A'], 'window': {'type': 'tumbling', 'size': '5m'}}}", "warehouse.key", "WINDOW_START"),
                Arguments.of("window start without window", "{'feed_name': 'x', 'feed_type': 'table', 'warehouse': {'key': ['A', 'WINDOW_START']}}", "warehouse.key", "windowed tables only"),
                Arguments.of("only window bounds", "{'feed_name': 'x', 'feed_type': 'table', 'warehouse': {'key': ['WINDOW_START'], 'window': {'type': 'session'}}}", "warehouse.key", "not only the window bounds"),
                Arguments.of("tumbling without size", "{'feed_name': 'x', 'feed_type': 'table', 'warehouse': {'key': ['A', 'WINDOW_START'], 'window': {'type': 'tumbling'}}}", "warehouse.window.size", "is required for tumbling"),
                Arguments.of("session with size", "{'feed_name': 'x', 'feed_type': 'table', 'warehouse': {'key': ['A', 'WINDOW_START'], 'window': {'type': 'session', 'size': '5m'}}}", "warehouse.window.size", "no size"),
                Arguments.of("bad window size", "{'feed_name': 'x', 'feed_type': 'table', 'warehouse': {'key': ['A', 'WINDOW_START'], 'window': {'type': 'hopping', 'size': 'soon'}}}", "warehouse.window.size", "not a duration"),
                Arguments.of("SQL feed without sql", "{'feed_name': 'x', 'feed_type': 'table', 'source': 'sql'}", "sql", "is required"),
                Arguments.of("empty sql", "{'feed_name': 'x', 'feed_type': 'table', 'source': 'sql', 'sql': ' '}", "sql", "is empty"),
                Arguments.of("sql as a number", "{'feed_name': 'x', 'feed_type': 'table', 'source': 'sql', 'sql': 1}", "sql", "must be a string"),
                Arguments.of("sql that does not parse", "{'feed_name': 'x', 'feed_type': 'table', 'source': 'sql', 'sql': 'SELECT * FORM t'}", "sql", "is not valid SQL: syntax error at or near"),
                Arguments.of("sql that writes", "{'feed_name': 'x', 'feed_type': 'table', 'source': 'sql', 'sql': 'DROP TABLE transactions_secure'}", "sql", "must be a SELECT query"),
                Arguments.of("sql that explains", "{'feed_name': 'x', 'feed_type': 'table', 'source': 'sql', 'sql': 'EXPLAIN SELECT 1'}", "sql", "must be a SELECT query"),
                Arguments.of("two statements", "{'feed_name': 'x', 'feed_type': 'table', 'source': 'sql', 'sql': 'SELECT 1; SELECT 2'}", "sql", "holds 2 statements"),
                Arguments.of("sql on a Kafka feed", "{'feed_name': 'x', 'feed_type': 'stream', 'sql': 'SELECT 1'}", "sql", "is for SQL feeds only"),
                Arguments.of("sql on a ksqlDB table", "{'feed_name': 'x', 'feed_type': 'table', 'source': 'ksqldb', 'sql': 'SELECT 1'}", "sql", "is for SQL feeds only"),
                Arguments.of("SQL stream", "{'feed_name': 'x', 'feed_type': 'stream', 'source': 'sql', 'sql': 'SELECT 1'}", "source", "feeds are tables"),
                Arguments.of("topic on a SQL feed", "{'feed_name': 'x', 'feed_type': 'table', 'source': 'sql', 'sql': 'SELECT 1', 'kafka_topic': 'T'}", "kafka_topic", "does not apply to a SQL feed"),
                Arguments.of("warehouse on a SQL feed", "{'feed_name': 'x', 'feed_type': 'table', 'source': 'sql', 'sql': 'SELECT 1', 'warehouse': {'key': ['A']}}", "warehouse", "does not apply to a SQL feed"),
                Arguments.of("bad window type", "{'feed_name': 'x', 'feed_type': 'table', 'warehouse': {'key': ['A', 'WINDOW_START'], 'window': {'type': 'sliding', 'size': '5m'}}}", "warehouse.window.type", "is not one of tumbling | hopping | session"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidFiles")
    void anInvalidFileNamesTheFileAndTheField(String what, String json, String field, String problem) {
        assertThatThrownBy(() -> FeedFileParser.parse(FILE, json.replace('\'', '"')))
                .isInstanceOf(FeedFileException.class)
                .hasMessageStartingWith(FILE + ": field '" + field + "'")
                .hasMessageContaining(problem)
                .satisfies(e -> assertThat(((FeedFileException) e).field()).isEqualTo(field));
    }

    @Test
    void theWarehouseSectionDefaultsToTheTablesOwnTopicAndJsonKeys() throws Exception {
        FeedDefinition.Warehouse kafkaFeed = FeedFileParser.parse(FILE, SEED_EXAMPLE).warehouse();
        assertThat(kafkaFeed.topic()).isEqualTo("PAYMENT_STREAM");
        assertThat(kafkaFeed.keyFormat()).isEqualTo(FeedDefinition.KeyFormat.JSON);
        assertThat(kafkaFeed.window()).isNull();
        FeedDefinition.Warehouse ksqlTable = FeedFileParser.parse(FILE, """
                {"feed_name": "user_totals", "feed_type": "table", "ksqldb_source": "user_transaction_summary",
                 "warehouse": {"key": ["USER_ID"]}}
                """).warehouse();
        assertThat(ksqlTable.table()).isEqualTo("user_totals");
        assertThat(ksqlTable.topic()).isEqualTo("USER_TRANSACTION_SUMMARY");
    }

    @Test
    void aWindowedWarehouseTableIsKeyedByItsWindowStartAndReadsBackTheSame() throws Exception {
        FeedDefinition f = FeedFileParser.parse(FILE, """
                {"feed_name": "spend_five_min", "feed_type": "stream", "kafka_topic": "SPEND_LAST_FIVE_MIN_BY_TYPE",
                 "warehouse": {"table": "dwh_windowed_transaction_totals", "key": ["TRANSACTION_TYPE", "WINDOW_START"],
                               "key_format": "kafka", "window": {"type": "tumbling", "size": "5m"}}}
                """);
        FeedDefinition.Warehouse w = f.warehouse();
        assertThat(w.innerKey()).containsExactly("TRANSACTION_TYPE");
        assertThat(w.keyFormat()).isEqualTo(FeedDefinition.KeyFormat.KAFKA);
        assertThat(w.window()).isEqualTo(new FeedDefinition.Window(FeedDefinition.WindowType.TUMBLING, java.time.Duration.ofMinutes(5)));
        assertThat(FeedFileParser.parse(FILE, FeedFileParser.toJson(f).toString()).warehouse()).isEqualTo(w);
        assertThat(FeedFileParser.toJson(f).get("warehouse").get("window").get("size").asText()).isEqualTo("5m");
    }

    @Test
    void aSqlFeedIsATableOfItsQueryAndReadsBackTheSame() throws Exception {
        FeedDefinition f = FeedFileParser.parse(FILE, """
                {"feed_name": "daily_revenue", "feed_type": "table", "source": "sql",
                 "sql": "SELECT year, month, day, CURRENCY, sum(AMOUNT) AS revenue FROM transactions_secure GROUP BY ALL",
                 "schedule": "0 0 * * * ?"}
                """);
        assertThat(f.isSqlTable()).isTrue();
        assertThat(f.isKsqldbTable()).isFalse();
        assertThat(f.ksqldbSource()).isNull();
        assertThat(f.sourceName()).startsWith("SELECT year, month, day");
        assertThat(f.partitioning().type()).isEqualTo("version");
        assertThat(FeedFileParser.toJson(f).has("kafka_topic")).isFalse();
        assertThat(FeedFileParser.parse(FILE, FeedFileParser.toJson(f).toString())).isEqualTo(f);
    }

    @Test
    void brokenJsonNamesTheFileAndThePosition() {
        assertThatThrownBy(() -> FeedFileParser.parse(FILE, "{\n  \"feed_name\": \"x\",\n  \"feed_type\" \"stream\"\n}"))
                .isInstanceOf(FeedFileException.class)
                .hasMessageStartingWith(FILE + ": not valid JSON at line 3");
        assertThatThrownBy(() -> FeedFileParser.parse(FILE, "{\"feed_name\": \"x\", \"feed_name\": \"y\", \"feed_type\": \"stream\"}"))
                .hasMessageContaining("Duplicate field 'feed_name'");
        assertThatThrownBy(() -> FeedFileParser.parse(FILE, "[]")).hasMessageContaining("must hold one JSON object");
    }

    @Test
    void theShippedFeedFilesAllLoad() {
        FeedCatalog catalog = FeedCatalog.load(Path.of("feeds"));
        assertThat(catalog.problems()).isEmpty();
        List<String> names = catalog.feeds().stream().map(FeedDefinition::name).toList();
        assertThat(names).contains("transactions_secure", "transactions_usd", "user_spending_by_type",
                "spend_last_five_min_by_type", "transaction_stream", "transaction_flattened",
                "transaction_stream_anonymized", "transaction_stream_blacklisted", "user_transaction_summary",
                "user_transaction_summary_eur", "payment_method_totals", "product_purchase_counts");
        assertThat(catalog.feed("transaction_stream_anonymized").retentionDays()).isEqualTo(730);
        assertThat(catalog.feed("transactions_secure").kafkaTopic()).isEqualTo("TRANSACTIONS_SECURE");
        assertThat(catalog.feeds().stream().filter(FeedDefinition::isKafkaStream).count()).isEqualTo(9);
        assertThat(catalog.feed("daily_revenue").isSqlTable()).isTrue(); // the demo's gold layer
    }
}
