package org.cameldatalake.ksqldb;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Checks the emulator over real HTTP against the bytes ksqlDB's REST API sends. */
class KsqlDbEmulatorTest {
    private static final String V1 = "application/vnd.ksql.v1+json";
    private static final String DELIMITED = "application/vnd.ksqlapi.delimited.v1";
    private static final String JSON = "application/json";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private KsqlDbEmulator ksql;
    private KsqlDbEmulator.Source pageviews;
    private KsqlDbEmulator.Source aggTable;

    @BeforeEach
    void start() throws IOException {
        ksql = KsqlDbEmulator.start();
        pageviews = ksql.createStream("pageviews", "pageviews",
                List.of("USERID STRING", "PAGEID STRING", "VIEWTIME BIGINT"), List.of("USERID"));
        pageviews.insert(1000, "USER_1", "PAGE_1", 1L);
        pageviews.insert(2000, "USER_2", "PAGE_2", 2L);
        pageviews.insert(3000, "USER_3", "PAGE_5", 7L);
        aggTable = ksql.createTable("AGG_TABLE", "AGG_TABLE", List.of("USERID STRING", "COUNT BIGINT"),
                List.of("USERID"));
        aggTable.insert(1000, "USER_1", 1L);
        aggTable.insert(1001, "USER_2", 2L);
        aggTable.insert(1002, "USER_1", 3L);
    }

    @AfterEach
    void stop() {
        ksql.close();
    }

    // ---- /query (v1 format, §2.3/2.4) ----

    @Test
    void tablePullQueryMarksKeysAndHasNoFinalMessage() throws Exception {
        HttpResponse<String> response = post("/query", V1, "{\"ksql\":\"SELECT * FROM AGG_TABLE;\",\"streamsProperties\":{}}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(contentType(response)).isEqualTo(V1);
        assertThat(response.headers().firstValue("transfer-encoding")).hasValue("chunked");
        assertThat(response.headers().firstValue("content-length")).isEmpty();
        assertThat(withQueryId(response.body(), "query_\\d+")).isEqualTo("""
                [{"header":{"queryId":"<ID>","schema":"`USERID` STRING KEY, `COUNT` BIGINT"}},
                {"row":{"columns":["USER_1",3]}},
                {"row":{"columns":["USER_2",2]}}]""");
    }

    @Test
    void emptyTablePullIsJustTheHeader() throws Exception {
        ksql.createTable("EMPTY", "empty", List.of("K STRING"), List.of("K"));
        HttpResponse<String> response = post("/query", V1, "{\"ksql\":\"select * from empty;\"}");

        assertThat(withQueryId(response.body(), "query_\\d+"))
                .isEqualTo("[{\"header\":{\"queryId\":\"<ID>\",\"schema\":\"`K` STRING KEY\"}}]");
    }

    @Test
    void explicitColumnsKeepTheirOrderAndKeyMarkers() throws Exception {
        HttpResponse<String> response = post("/query", V1,
                "{\"ksql\":\"SELECT COUNT, USERID FROM AGG_TABLE LIMIT 1;\"}");

        assertThat(withQueryId(response.body(), "query_\\d+")).isEqualTo("""
                [{"header":{"queryId":"<ID>","schema":"`COUNT` BIGINT, `USERID` STRING KEY"}},
                {"row":{"columns":[3,"USER_1"]}}]""");
    }

    @Test
    void streamPullQueryEndsWithQueryCompleted() throws Exception {
        HttpResponse<String> response = post("/query", JSON, "{\"ksql\":\"SELECT * FROM PAGEVIEWS;\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(contentType(response)).isEqualTo(V1);
        assertThat(withQueryId(response.body(), "transient_PAGEVIEWS_\\d+")).isEqualTo("""
                [{"header":{"queryId":"<ID>","schema":"`USERID` STRING, `PAGEID` STRING, `VIEWTIME` BIGINT"}},
                {"row":{"columns":["USER_1","PAGE_1",1]}},
                {"row":{"columns":["USER_2","PAGE_2",2]}},
                {"row":{"columns":["USER_3","PAGE_5",7]}},
                {"finalMessage":"Query Completed"}]""");
    }

    @Test
    void pushQueryWithLimitEndsWithLimitReached() throws Exception {
        HttpResponse<String> response = post("/query", V1, "{\"ksql\":\"SELECT * FROM PAGEVIEWS EMIT CHANGES LIMIT 2;\","
                + "\"streamsProperties\":{\"ksql.streams.auto.offset.reset\":\"earliest\"}}");

        assertThat(contentType(response)).isEqualTo(V1);
        assertThat(withQueryId(response.body(), "transient_PAGEVIEWS_\\d+")).isEqualTo("""
                [{"header":{"queryId":"<ID>","schema":"`USERID` STRING, `PAGEID` STRING, `VIEWTIME` BIGINT"}},
                {"row":{"columns":["USER_1","PAGE_1",1]}},
                {"row":{"columns":["USER_2","PAGE_2",2]}},
                {"finalMessage":"Limit Reached"}]""");
    }

    @Test
    void pushQueryStartsAtLatestUnlessEarliestIsAsked() throws Exception {
        HttpResponse<InputStream> response = postStreaming("/query-stream", DELIMITED,
                "{\"sql\":\"SELECT PAGEID FROM PAGEVIEWS EMIT CHANGES LIMIT 1;\"}");
        BufferedReader lines = reader(response);
        String metadata = lines.readLine();
        assertThat(metadata).matches(
                "\\{\"queryId\":\"transient_PAGEVIEWS_\\d+\",\"columnNames\":\\[\"PAGEID\"],\"columnTypes\":\\[\"STRING\"]}");

        pageviews.insert(4000, "USER_4", "PAGE_9", 9L);

        assertThat(lines.readLine()).isEqualTo("[\"PAGE_9\"]");
        assertThat(lines.readLine()).isNull();
    }

    @Test
    void tablePushQueryStreamsUpsertsAndTombstones() throws Exception {
        HttpResponse<InputStream> response = postStreaming("/query", V1, "{\"ksql\":\"SELECT * FROM AGG_TABLE EMIT CHANGES;\","
                + "\"streamsProperties\":{\"auto.offset.reset\":\"earliest\"}}");
        BufferedReader lines = reader(response);

        assertThat(lines.readLine()).matches(
                "\\[\\{\"header\":\\{\"queryId\":\"transient_AGG_TABLE_\\d+\",\"schema\":\"`USERID` STRING, `COUNT` BIGINT\"}},");
        assertThat(lines.readLine()).isEqualTo("{\"row\":{\"columns\":[\"USER_1\",3]}},");
        assertThat(lines.readLine()).isEqualTo("{\"row\":{\"columns\":[\"USER_2\",2]}},");
        aggTable.delete("USER_1");
        assertThat(lines.readLine()).isEqualTo("{\"row\":{\"columns\":[\"USER_1\",null],\"tombstone\":true}},");
        aggTable.insert(5000, "USER_3", 1L);
        assertThat(lines.readLine()).isEqualTo("{\"row\":{\"columns\":[\"USER_3\",1]}},");
        response.body().close();
    }

    @Test
    void closeQueryEndsAPushQuery() throws Exception {
        HttpResponse<InputStream> response = postStreaming("/query-stream", DELIMITED,
                "{\"sql\":\"SELECT * FROM PAGEVIEWS EMIT CHANGES;\"}");
        BufferedReader lines = reader(response);
        String queryId = MAPPER.readTree(lines.readLine()).get("queryId").asText();

        HttpResponse<String> close = post("/close-query", null, "{\"queryId\":\"" + queryId + "\"}");

        assertThat(close.statusCode()).isEqualTo(200);
        assertThat(close.body()).isEmpty();
        assertThat(lines.readLine()).isNull();
        HttpResponse<String> again = post("/close-query", null, "{\"queryId\":\"" + queryId + "\"}");
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(again.body()).isEqualTo(
                "{\"@type\":\"generic_error\",\"error_code\":40000,\"message\":\"No query with id " + queryId + "\"}");
    }

    @Test
    void windowedTablePullAddsWindowBoundsAsKeys() throws Exception {
        KsqlDbEmulator.Source clicks = ksql.createWindowedTable("CLICKS", "clicks", "TUMBLING", 1000,
                List.of("ID STRING", "CNT BIGINT"), List.of("ID"));
        clicks.insertWindow(12500, 12000, 13000, "10", 1L);
        assertThatThrownBy(() -> clicks.insertWindow(0, 0, 5, "10", 1L)).isInstanceOf(IllegalArgumentException.class);

        HttpResponse<String> pull = post("/query", V1, "{\"ksql\":\"SELECT * FROM CLICKS;\"}");
        HttpResponse<String> push = post("/query", V1, "{\"ksql\":\"SELECT * FROM CLICKS EMIT CHANGES LIMIT 1;\","
                + "\"streamsProperties\":{\"auto.offset.reset\":\"earliest\"}}");

        assertThat(withQueryId(pull.body(), "query_\\d+")).isEqualTo("""
                [{"header":{"queryId":"<ID>","schema":"`ID` STRING KEY, `WINDOWSTART` BIGINT KEY, `WINDOWEND` BIGINT KEY, `CNT` BIGINT"}},
                {"row":{"columns":["10",12000,13000,1]}}]""");
        assertThat(withQueryId(push.body(), "transient_CLICKS_\\d+")).isEqualTo("""
                [{"header":{"queryId":"<ID>","schema":"`ID` STRING, `WINDOWSTART` BIGINT, `WINDOWEND` BIGINT, `CNT` BIGINT"}},
                {"row":{"columns":["10",12000,13000,1]}},
                {"finalMessage":"Limit Reached"}]""");
    }

    @Test
    void rowtimeFiltersAndProjection() throws Exception {
        assertThat(rowsOf("SELECT ROWTIME, VIEWTIME FROM PAGEVIEWS WHERE ROWTIME > 1000;"))
                .containsExactly("[2000,2]", "[3000,7]");
        assertThat(rowsOf("SELECT VIEWTIME FROM PAGEVIEWS WHERE ROWTIME >= 2000 AND ROWTIME < 3000;"))
                .containsExactly("[2]");
        assertThat(rowsOf("SELECT VIEWTIME FROM PAGEVIEWS WHERE ROWTIME >= '1970-01-01T00:00:02';"))
                .containsExactly("[2]", "[7]");
        assertThat(rowsOf("SELECT VIEWTIME FROM PAGEVIEWS LIMIT 1;")).containsExactly("[1]");

        HttpResponse<String> response = post("/query-stream", DELIMITED,
                "{\"sql\":\"SELECT ROWTIME, * FROM pageviews WHERE rowtime > 2000;\"}");
        assertThat(withQueryId(response.body(), "transient_PAGEVIEWS_\\d+")).isEqualTo(
                "{\"queryId\":\"<ID>\",\"columnNames\":[\"ROWTIME\",\"USERID\",\"PAGEID\",\"VIEWTIME\"],"
                        + "\"columnTypes\":[\"BIGINT\",\"STRING\",\"STRING\",\"BIGINT\"]}\n"
                        + "[3000,\"USER_3\",\"PAGE_5\",7]\n");
    }

    // ---- /query-stream formats (§3) ----

    @Test
    void queryStreamDefaultsToTheDelimitedFormat() throws Exception {
        String expected = "{\"queryId\":\"<ID>\",\"columnNames\":[\"USERID\",\"COUNT\"],\"columnTypes\":[\"STRING\",\"BIGINT\"]}\n"
                + "[\"USER_1\",3]\n[\"USER_2\",2]\n";
        for (String accept : new String[] {null, "*/*", DELIMITED}) {
            HttpResponse<String> response = post("/query-stream", accept, "{\"sql\":\"SELECT * FROM AGG_TABLE;\"}");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(contentType(response)).isEqualTo(DELIMITED);
            assertThat(withQueryId(response.body(), "query_\\d+")).isEqualTo(expected);
        }
    }

    @Test
    void queryStreamJsonIsOneArray() throws Exception {
        HttpResponse<String> response = post("/query-stream", JSON, "{\"sql\":\"SELECT * FROM PAGEVIEWS;\"}");

        assertThat(contentType(response)).isEqualTo(JSON);
        assertThat(withQueryId(response.body(), "transient_PAGEVIEWS_\\d+")).isEqualTo(
                "[{\"queryId\":\"<ID>\",\"columnNames\":[\"USERID\",\"PAGEID\",\"VIEWTIME\"],"
                        + "\"columnTypes\":[\"STRING\",\"STRING\",\"BIGINT\"]},"
                        + "[\"USER_1\",\"PAGE_1\",1],[\"USER_2\",\"PAGE_2\",2],[\"USER_3\",\"PAGE_5\",7]]");
    }

    @Test
    void queryStreamV1IsTheQueryFormat() throws Exception {
        HttpResponse<String> response = post("/query-stream", V1,
                "{\"sql\":\"SELECT * FROM AGG_TABLE;\",\"properties\":{},\"sessionVariables\":{}}");

        assertThat(contentType(response)).isEqualTo(V1);
        assertThat(withQueryId(response.body(), "query_\\d+")).isEqualTo("""
                [{"header":{"queryId":"<ID>","schema":"`USERID` STRING KEY, `COUNT` BIGINT"}},
                {"row":{"columns":["USER_1",3]}},
                {"row":{"columns":["USER_2",2]}}]""");
    }

    @Test
    void everyTypeIsEncodedAsKsqlDbDoes() throws Exception {
        KsqlDbEmulator.Source types = ksql.createStream("TYPES", "types", List.of("ID STRING", "I INTEGER", "BI BIGINT",
                "D DOUBLE", "DEC DECIMAL(10, 2)", "BOOL BOOLEAN", "TS TIMESTAMP", "DT DATE", "TM TIME", "BYT BYTES",
                "ARR ARRAY<STRING>", "M MAP<STRING, INTEGER>",
                "S STRUCT<`CITY` STRING, zip INTEGER, `AMOUNT` DECIMAL(4, 2), `RAW` BYTES, `ATS` TIMESTAMP>", "N STRING"),
                List.of("ID"));
        Map<String, Object> struct = new LinkedHashMap<>();
        struct.put("CITY", "Paris");
        struct.put("ZIP", 75001);
        struct.put("AMOUNT", new BigDecimal("1.1"));
        struct.put("RAW", new byte[] {0x21});
        struct.put("ATS", Instant.ofEpochMilli(1000));
        types.insert(1, "k", 7, 9007199254740993L, 1.0E10, new BigDecimal("12.3"), true, Instant.ofEpochMilli(1),
                LocalDate.of(2024, 2, 29), LocalTime.of(4, 40, 34, 500_000_000), new byte[] {0, 1, 2},
                List.of("a", "b"), Map.of("x", 1), struct, null);
        types.insert(2, "z", -1, 5L, 34.43, new BigDecimal("-0.05"), false, Instant.parse("2024-05-06T07:08:09.123456Z"),
                LocalDate.of(1970, 1, 1), LocalTime.MIDNIGHT, new byte[0], List.of(), Map.of(), null, "n");

        HttpResponse<String> response = post("/query-stream", DELIMITED, "{\"sql\":\"SELECT * FROM TYPES;\"}");

        assertThat(withQueryId(response.body(), "transient_TYPES_\\d+")).isEqualTo("{\"queryId\":\"<ID>\","
                + "\"columnNames\":[\"ID\",\"I\",\"BI\",\"D\",\"DEC\",\"BOOL\",\"TS\",\"DT\",\"TM\",\"BYT\",\"ARR\",\"M\",\"S\",\"N\"],"
                + "\"columnTypes\":[\"STRING\",\"INTEGER\",\"BIGINT\",\"DOUBLE\",\"DECIMAL(10, 2)\",\"BOOLEAN\",\"TIMESTAMP\","
                + "\"DATE\",\"TIME\",\"BYTES\",\"ARRAY<STRING>\",\"MAP<STRING, INTEGER>\","
                + "\"STRUCT<`CITY` STRING, `ZIP` INTEGER, `AMOUNT` DECIMAL(4, 2), `RAW` BYTES, `ATS` TIMESTAMP>\",\"STRING\"]}\n"
                + "[\"k\",7,9007199254740993,1.0E10,12.30,true,\"1970-01-01T00:00:00.001\",\"2024-02-29\",\"04:40:34\","
                + "\"AAEC\",[\"a\",\"b\"],{\"x\":1},{\"CITY\":\"Paris\",\"ZIP\":75001,\"AMOUNT\":1.10,\"RAW\":\"IQ==\","
                + "\"ATS\":1000},null]\n"
                + "[\"z\",-1,5,34.43,-0.05,false,\"2024-05-06T07:08:09.123\",\"1970-01-01\",\"00:00\",\"\",[],{},null,\"n\"]\n");
        assertThatThrownBy(() -> types.insert(3, "bad", "not an int", 1L, 1.0, null, null, null, null, null, null, null,
                null, null, null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TYPES.I");
        assertThatThrownBy(() -> types.insert(3, "bad", 1, 1L, 1.0, new BigDecimal("1.234"), null, null, null, null,
                null, null, null, null, null)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- /ksql (§4) ----

    @Test
    void showStreamsAndTables() throws Exception {
        HttpResponse<String> response = post("/ksql", V1, "{\"ksql\":\"SHOW STREAMS; list tables;\",\"streamsProperties\":{}}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(contentType(response)).isEqualTo(JSON);
        assertThat(response.body()).isEqualTo("[{\"@type\":\"streams\",\"statementText\":\"SHOW STREAMS;\",\"streams\":["
                + "{\"type\":\"STREAM\",\"name\":\"PAGEVIEWS\",\"topic\":\"pageviews\",\"keyFormat\":\"KAFKA\","
                + "\"valueFormat\":\"JSON\",\"isWindowed\":false}],\"warnings\":[]},"
                + "{\"@type\":\"tables\",\"statementText\":\"list tables;\",\"tables\":["
                + "{\"type\":\"TABLE\",\"name\":\"AGG_TABLE\",\"topic\":\"AGG_TABLE\",\"keyFormat\":\"KAFKA\","
                + "\"valueFormat\":\"JSON\",\"isWindowed\":false}],\"warnings\":[]}]");
    }

    @Test
    void showTopics() throws Exception {
        HttpResponse<String> response = post("/ksql", null, "{\"ksql\":\"SHOW TOPICS;\"}");

        assertThat(response.body()).isEqualTo("[{\"@type\":\"kafka_topics\",\"statementText\":\"SHOW TOPICS;\",\"topics\":["
                + "{\"name\":\"AGG_TABLE\",\"replicaInfo\":[1]},{\"name\":\"pageviews\",\"replicaInfo\":[1]}],\"warnings\":[]}]");
    }

    @Test
    void describeExtendedOfAWindowedTable() throws Exception {
        ksql.createWindowedTable("CLICKS_PER_MIN", "clicks_per_min", "TUMBLING", 60000, List.of("USERID STRING",
                "CNT BIGINT", "AMOUNT DECIMAL(4, 2)", "TAGS ARRAY<STRING>", "LOC STRUCT<`CITY` STRING>",
                "ATTRS MAP<STRING, INTEGER>"), List.of("USERID"));

        HttpResponse<String> response = post("/ksql", V1, "{\"ksql\":\"DESCRIBE CLICKS_PER_MIN EXTENDED;\"}");

        String statement = "CREATE TABLE CLICKS_PER_MIN WITH (KAFKA_TOPIC='clicks_per_min', KEY_FORMAT='KAFKA', "
                + "PARTITIONS=1, REPLICAS=1, VALUE_FORMAT='JSON') AS SELECT USERID, LATEST_BY_OFFSET(CNT) CNT, "
                + "LATEST_BY_OFFSET(AMOUNT) AMOUNT, LATEST_BY_OFFSET(TAGS) TAGS, LATEST_BY_OFFSET(LOC) LOC, "
                + "LATEST_BY_OFFSET(ATTRS) ATTRS FROM CLICKS_PER_MIN_SOURCE WINDOW TUMBLING (SIZE 60000 MILLISECONDS) "
                + "GROUP BY USERID EMIT CHANGES;";
        assertThat(contentType(response)).isEqualTo(JSON);
        assertThat(response.body()).isEqualTo("[{\"@type\":\"sourceDescription\","
                + "\"statementText\":\"DESCRIBE CLICKS_PER_MIN EXTENDED;\",\"sourceDescription\":{"
                + "\"name\":\"CLICKS_PER_MIN\",\"windowType\":\"TUMBLING\",\"readQueries\":[],\"writeQueries\":["
                + "{\"queryString\":\"" + statement + "\",\"sinks\":[\"CLICKS_PER_MIN\"],"
                + "\"sinkKafkaTopics\":[\"clicks_per_min\"],\"id\":\"CTAS_CLICKS_PER_MIN_2\",\"statusCount\":{\"RUNNING\":1},"
                + "\"queryType\":\"PERSISTENT\",\"state\":\"RUNNING\"}],\"fields\":["
                + "{\"name\":\"USERID\",\"schema\":{\"type\":\"STRING\",\"fields\":null,\"memberSchema\":null},\"type\":\"KEY\"},"
                + "{\"name\":\"CNT\",\"schema\":{\"type\":\"BIGINT\",\"fields\":null,\"memberSchema\":null}},"
                + "{\"name\":\"AMOUNT\",\"schema\":{\"type\":\"DECIMAL\",\"fields\":null,\"memberSchema\":null,"
                + "\"parameters\":{\"precision\":4,\"scale\":2}}},"
                + "{\"name\":\"TAGS\",\"schema\":{\"type\":\"ARRAY\",\"fields\":null,\"memberSchema\":"
                + "{\"type\":\"STRING\",\"fields\":null,\"memberSchema\":null}}},"
                + "{\"name\":\"LOC\",\"schema\":{\"type\":\"STRUCT\",\"fields\":[{\"name\":\"CITY\",\"schema\":"
                + "{\"type\":\"STRING\",\"fields\":null,\"memberSchema\":null}}],\"memberSchema\":null}},"
                + "{\"name\":\"ATTRS\",\"schema\":{\"type\":\"MAP\",\"fields\":null,\"memberSchema\":"
                + "{\"type\":\"INTEGER\",\"fields\":null,\"memberSchema\":null}}}],"
                + "\"type\":\"TABLE\",\"timestamp\":\"\",\"statistics\":\"\",\"errorStats\":\"\",\"extended\":true,"
                + "\"keyFormat\":\"KAFKA\",\"valueFormat\":\"JSON\",\"topic\":\"clicks_per_min\",\"partitions\":1,"
                + "\"replication\":1,\"statement\":\"" + statement + "\",\"queryOffsetSummaries\":[],"
                + "\"sourceConstraints\":[],\"clusterStatistics\":[],\"clusterErrorStats\":[]},\"warnings\":[]}]");
    }

    @Test
    void describeOfAStreamShowsItsCreateStatement() throws Exception {
        JsonNodeAssert description = new JsonNodeAssert(post("/ksql", null, "{\"ksql\":\"DESCRIBE pageviews;\"}").body());

        assertThat(description.at("/0/sourceDescription/statement")).isEqualTo("CREATE STREAM PAGEVIEWS "
                + "(USERID STRING KEY, PAGEID STRING, VIEWTIME BIGINT) WITH (KAFKA_TOPIC='pageviews', KEY_FORMAT='KAFKA', "
                + "PARTITIONS=1, VALUE_FORMAT='JSON');");
        assertThat(description.at("/0/sourceDescription/windowType")).isEqualTo("null");
        assertThat(description.at("/0/sourceDescription/extended")).isEqualTo("false");
    }

    @Test
    void ksqlEndpointErrors() throws Exception {
        HttpResponse<String> select = post("/ksql", V1, "{\"ksql\":\"SELECT * FROM PAGEVIEWS;\"}");
        assertThat(select.statusCode()).isEqualTo(400);
        assertThat(contentType(select)).isEqualTo(JSON);
        assertThat(select.body()).isEqualTo("{\"@type\":\"statement_error\",\"error_code\":40002,\"message\":"
                + "\"The following statement types should be issued to the websocket endpoint '/query':\\n\\t* PRINT\\n\\t* SELECT\","
                + "\"statementText\":\"SELECT * FROM PAGEVIEWS;\",\"entities\":[]}");

        HttpResponse<String> unknown = post("/ksql", V1, "{\"ksql\":\"SHOW STREAMS; DESCRIBE FOO;\"}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(contentType(unknown)).isEqualTo(JSON);
        JsonNodeAssert error = new JsonNodeAssert(unknown.body());
        assertThat(error.at("/@type")).isEqualTo("statement_error");
        assertThat(error.at("/error_code")).isEqualTo("40001");
        assertThat(error.at("/message")).isEqualTo("Could not find STREAM/TABLE 'FOO' in the Metastore");
        assertThat(error.at("/statementText")).isEqualTo("DESCRIBE FOO;");
        assertThat(error.at("/entities/0/@type")).isEqualTo("streams");

        HttpResponse<String> create = post("/ksql", V1, "{\"ksql\":\"CREATE STREAM X (A INT) WITH (KAFKA_TOPIC='x');\"}");
        assertThat(create.statusCode()).isEqualTo(400);
        assertThat(new JsonNodeAssert(create.body()).at("/message")).startsWith("KsqlDbEmulator does not support");
    }

    // ---- request errors (§3.1, §3.5, §6) ----

    @Test
    void missingSqlIsABadRequest() throws Exception {
        String missingSql = "{\"@type\":\"generic_error\",\"error_code\":40000,"
                + "\"message\":\"Invalid JSON in request: Missing required creator property 'sql'\"}";
        HttpResponse<String> missing = post("/query-stream", DELIMITED, "{\"properties\":{}}");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(contentType(missing)).isNull();
        assertThat(missing.body()).isEqualTo(missingSql);

        HttpResponse<String> oldFields = post("/query-stream", V1,
                "{\"ksql\":\"SELECT * FROM PAGEVIEWS;\",\"streamsProperties\":{}}");
        assertThat(oldFields.statusCode()).isEqualTo(400);
        assertThat(oldFields.body()).isEqualTo(missingSql);

        HttpResponse<String> malformed = post("/query-stream", null, "{\"sql\":");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).startsWith(
                "{\"@type\":\"generic_error\",\"error_code\":40000,\"message\":\"Invalid JSON in request: ");

        HttpResponse<String> noKsql = post("/query", V1, "{\"sql\":\"SELECT * FROM PAGEVIEWS;\"}");
        assertThat(noKsql.statusCode()).isEqualTo(400);
        assertThat(contentType(noKsql)).isEqualTo(JSON);
        assertThat(noKsql.body()).isEqualTo(
                "{\"@type\":\"generic_error\",\"error_code\":40000,\"message\":\"\\\"ksql\\\" field must be populated\"}");
    }

    @Test
    void statementErrors() throws Exception {
        HttpResponse<String> unknown = post("/query-stream", DELIMITED, "{\"sql\":\"SELECT * FROM FOO;\"}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).isEqualTo("{\"@type\":\"statement_error\",\"error_code\":40001,"
                + "\"message\":\"Exception while preparing statement: FOO does not exist.\","
                + "\"statementText\":\"SELECT * FROM FOO;\",\"entities\":[]}");

        assertThat(errorMessage("/query", "SELECT * FROM PAGEVIEWS")).startsWith("line 1:24: Syntax Error\nExpecting ';'");
        assertThat(errorMessage("/query", "SELECT ROWOFFSET, VIEWTIME FROM PAGEVIEWS;"))
                .isEqualTo("Pull queries don't support the following columns in SELECT clauses: `ROWOFFSET`");
        assertThat(errorMessage("/query-stream", "SELECT * FROM PAGEVIEWS WHERE ROWPARTITION = 1;"))
                .isEqualTo("Pull queries don't support the following columns in WHERE clauses: `ROWPARTITION`");
        assertThat(errorMessage("/query", "SELECT USERID FROM PAGEVIEWS GROUP BY USERID;")).isEqualTo(
                "Pull queries don't support GROUP BY clauses. See https://cnfl.io/queries for more info.\n"
                        + "Add EMIT CHANGES if you intended to issue a push query.");
        assertThat(errorMessage("/query", "SELECT USERID, COUNT(*) FROM PAGEVIEWS GROUP BY USERID EMIT CHANGES;"))
                .startsWith("KsqlDbEmulator does not support expressions in SELECT, GROUP BY.");
        assertThat(errorMessage("/query", "SELECT NOPE FROM PAGEVIEWS;"))
                .isEqualTo("line 1:8: SELECT column 'NOPE' cannot be resolved.");
        assertThat(errorMessage("/query", "SELECT * FROM PAGEVIEWS; SELECT * FROM AGG_TABLE;"))
                .isEqualTo("Expected exactly one KSQL statement; found 2 instead");
    }

    @Test
    void queryStreamRefusesHttp10() throws Exception {
        String body = "{\"sql\":\"SELECT * FROM PAGEVIEWS;\"}";
        try (Socket socket = new Socket("127.0.0.1", ksql.port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("POST /query-stream HTTP/1.0\r\nContent-Length: " + body.length()
                    + "\r\n\r\n" + body).getBytes(UTF_8));
            String response = new String(socket.getInputStream().readAllBytes(), UTF_8);
            assertThat(response).startsWith("HTTP/1.1 400 Bad Request\r\n").endsWith("\r\n\r\n"
                    + "{\"@type\":\"generic_error\",\"error_code\":40000,"
                    + "\"message\":\"This endpoint is only available when using HTTP1.1 or HTTP2\"}");
        }
    }

    @Test
    void unsupportedAcceptHeaders() throws Exception {
        HttpResponse<String> queryStream = post("/query-stream", "text/html", "{\"sql\":\"SELECT * FROM PAGEVIEWS;\"}");
        assertThat(queryStream.statusCode()).isEqualTo(404);
        HttpResponse<String> query = post("/query", "text/html", "{\"ksql\":\"SELECT * FROM PAGEVIEWS;\"}");
        assertThat(query.statusCode()).isEqualTo(406);
        assertThat(query.body()).isEmpty();
        HttpResponse<String> preferred = post("/query", "text/html, application/vnd.ksqlapi.delimited.v1;q=0.5",
                "{\"ksql\":\"SELECT * FROM AGG_TABLE;\"}");
        assertThat(contentType(preferred)).isEqualTo(DELIMITED);
    }

    // ---- server endpoints (§1, §5) ----

    @Test
    void infoHealthcheckRedirectAndUnknownPaths() throws Exception {
        HttpResponse<String> info = get("/info");
        assertThat(info.statusCode()).isEqualTo(200);
        assertThat(contentType(info)).isEqualTo(JSON);
        assertThat(info.body()).isEqualTo("{\"KsqlServerInfo\":{\"version\":\"0.29.0\",\"kafkaClusterId\":"
                + "\"j3tOi6E_RtO_TMH3gBmK7A\",\"ksqlServiceId\":\"default_\",\"serverStatus\":\"RUNNING\"}}");

        HttpResponse<String> health = get("/healthcheck");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(contentType(health)).isEqualTo(JSON);
        assertThat(health.body()).isEqualTo("{\"isHealthy\":true,\"details\":{\"metastore\":{\"isHealthy\":true},"
                + "\"kafka\":{\"isHealthy\":true},\"commandRunner\":{\"isHealthy\":true}},\"serverState\":\"READY\"}");

        HttpResponse<String> root = get("/");
        assertThat(root.statusCode()).isEqualTo(307);
        assertThat(root.headers().firstValue("location")).hasValue("/info");

        HttpResponse<String> unknown = get("/nope");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).isEqualTo("Not Found");
        assertThat(contentType(unknown)).isNull();

        assertThat(get("/query-stream").statusCode()).isEqualTo(405);
        assertThat(post("/info", null, "{}").statusCode()).isEqualTo(405);
    }

    @Test
    void recordsEveryRequest() throws Exception {
        post("/ksql", V1, "{\"ksql\":\"SHOW STREAMS;\"}");
        get("/nope");

        List<KsqlDbEmulator.RecordedRequest> requests = ksql.requests();
        assertThat(requests).hasSize(2);
        assertThat(requests.get(0).method()).isEqualTo("POST");
        assertThat(requests.get(0).path()).isEqualTo("/ksql");
        assertThat(requests.get(0).body()).isEqualTo("{\"ksql\":\"SHOW STREAMS;\"}");
        assertThat(requests.get(0).headers()).containsEntry("accept", V1).containsEntry("content-type", V1);
        assertThat(requests.get(1).path()).isEqualTo("/nope");
    }

    @Test
    void closingRefusesConnections() throws Exception {
        HttpResponse<InputStream> push = postStreaming("/query-stream", DELIMITED,
                "{\"sql\":\"SELECT * FROM PAGEVIEWS EMIT CHANGES;\"}");
        BufferedReader lines = reader(push);
        lines.readLine();

        ksql.close();

        assertThatThrownBy(() -> drain(lines)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> get("/info")).isInstanceOf(ConnectException.class);
    }

    // ---- chunking ----

    @Test
    void chunksDoNotAlignWithElements() throws Exception {
        for (int i = 0; i < 40; i++) {
            aggTable.insert(2000 + i, "USER_X" + i, (long) i);
        }
        RawResponse pull = raw("/query-stream", DELIMITED, "{\"sql\":\"SELECT * FROM AGG_TABLE;\"}");
        assertThat(pull.complete()).isTrue();
        assertThat(pull.chunks().size()).isGreaterThan(2);
        for (int i = 0; i < pull.chunks().size() - 1; i++) {
            assertThat(new String(pull.chunks().get(i), UTF_8)).doesNotEndWith("\n");
        }

        RawResponse push = raw("/query", V1, "{\"ksql\":\"SELECT * FROM PAGEVIEWS EMIT CHANGES LIMIT 3;\","
                + "\"streamsProperties\":{\"auto.offset.reset\":\"earliest\"}}");
        String body = push.body();
        List<Integer> boundaries = new ArrayList<>();
        int offset = 0;
        for (byte[] chunk : push.chunks()) {
            offset += chunk.length;
            boundaries.add(offset);
        }
        int lineStart = 0;
        for (String line : body.split("\n")) {
            int start = lineStart;
            int end = start + line.getBytes(UTF_8).length;
            assertThat(boundaries).as("a chunk boundary inside %s", line).anyMatch(b -> b > start && b < end);
            lineStart = end + 1;
        }
    }

    // ---- faults ----

    @Test
    void droppedConnectionIsAPrematureEnd() throws Exception {
        ksql.dropNextAfterRows("/query-stream", 1);
        RawResponse raw = raw("/query-stream", DELIMITED, "{\"sql\":\"SELECT * FROM PAGEVIEWS;\"}");
        assertThat(raw.complete()).isFalse();
        assertThat(withQueryId(raw.body(), "transient_PAGEVIEWS_\\d+")).isEqualTo(
                "{\"queryId\":\"<ID>\",\"columnNames\":[\"USERID\",\"PAGEID\",\"VIEWTIME\"],"
                        + "\"columnTypes\":[\"STRING\",\"STRING\",\"BIGINT\"]}\n[\"USER_1\",\"PAGE_1\",1]\n");

        ksql.dropNextAfterRows("/query", 1);
        assertThatThrownBy(() -> post("/query", V1, "{\"ksql\":\"SELECT * FROM AGG_TABLE;\"}"))
                .isInstanceOf(IOException.class);
        ksql.dropNextAfterRows("/query", 0);
        RawResponse tablePull = raw("/query", V1, "{\"ksql\":\"SELECT * FROM AGG_TABLE;\"}");
        assertThat(withQueryId(tablePull.body(), "query_\\d+"))
                .isEqualTo("[{\"header\":{\"queryId\":\"<ID>\",\"schema\":\"`USERID` STRING KEY, `COUNT` BIGINT\"}},\n");

        assertThat(post("/query", V1, "{\"ksql\":\"SELECT * FROM AGG_TABLE;\"}").statusCode()).isEqualTo(200);
    }

    @Test
    void delayedResponse() throws Exception {
        ksql.delayNext("/info", 300);
        ksql.delayNext("/info", 300); // delays queue up: the next two requests are slow

        for (int i = 0; i < 2; i++) {
            long start = System.nanoTime();
            assertThat(get("/info").statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        }
        long start = System.nanoTime();
        get("/info");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(300));
    }

    @Test
    void stalledResponseGoesSilentMidStreamThenCompletes() throws Exception {
        ksql.stallNextAfterRows("/query-stream", 1, 600);
        HttpResponse<InputStream> response = postStreaming("/query-stream", V1, "{\"sql\":\"SELECT * FROM PAGEVIEWS;\"}");
        try (BufferedReader lines = reader(response)) {
            assertThat(lines.readLine()).startsWith("[{\"header\"");
            assertThat(lines.readLine()).isEqualTo("{\"row\":{\"columns\":[\"USER_1\",\"PAGE_1\",1]}},");
            long start = System.nanoTime(); // the silence began a little earlier, when the server sent USER_1
            assertThat(lines.readLine()).isEqualTo("{\"row\":{\"columns\":[\"USER_2\",\"PAGE_2\",2]}},");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(450));
            List<String> rest = lines.lines().toList();
            assertThat(rest).last().isEqualTo("{\"finalMessage\":\"Query Completed\"}]");
        }
        // once only
        long start = System.nanoTime();
        assertThat(post("/query-stream", V1, "{\"sql\":\"SELECT * FROM PAGEVIEWS;\"}").body()).endsWith("Completed\"}]");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(600));
    }

    @Test
    void requestsAreRecordedWithTheirArrivalTime() throws Exception {
        Instant before = Instant.now();
        get("/info");
        get("/healthcheck");
        List<KsqlDbEmulator.RecordedRequest> requests = ksql.requests();
        assertThat(requests).extracting(KsqlDbEmulator.RecordedRequest::path).containsExactly("/info", "/healthcheck");
        assertThat(requests.get(0).receivedAt()).isBetween(before, requests.get(1).receivedAt());
        assertThat(requests.get(1).receivedAt()).isBeforeOrEqualTo(Instant.now());
    }

    @Test
    void failedResponseOnce() throws Exception {
        String error = "{\"@type\":\"generic_error\",\"error_code\":50302,\"message\":\"KSQL is not yet ready to serve requests.\"}";
        ksql.failNext("/query", 503, error);

        HttpResponse<String> failed = post("/query", V1, "{\"ksql\":\"SELECT * FROM AGG_TABLE;\"}");
        assertThat(failed.statusCode()).isEqualTo(503);
        assertThat(failed.body()).isEqualTo(error);
        assertThat(post("/query", V1, "{\"ksql\":\"SELECT * FROM AGG_TABLE;\"}").statusCode()).isEqualTo(200);
    }

    @Test
    void malformedSecondLine() throws Exception {
        ksql.malformedNext("/query-stream");
        List<String> lines = post("/query-stream", DELIMITED, "{\"sql\":\"SELECT * FROM PAGEVIEWS;\"}").body().lines().toList();
        assertThat(parses(lines.get(0))).isTrue();
        assertThat(parses(lines.get(1))).isFalse();
        assertThat(lines.get(2)).isEqualTo("[\"USER_1\",\"PAGE_1\",1]");

        ksql.malformedNext("/query");
        List<String> v1 = post("/query", V1, "{\"ksql\":\"SELECT * FROM AGG_TABLE;\"}").body().lines().toList();
        assertThat(parses(stripV1(v1.get(0)))).isTrue();
        assertThat(parses(stripV1(v1.get(1)))).isFalse();

        ksql.malformedNext("/ksql");
        assertThat(parses(post("/ksql", V1, "{\"ksql\":\"SHOW STREAMS;\"}").body())).isFalse();
    }

    @Test
    void errorInTheMiddleOfTheStream() throws Exception {
        String error = "{\"@type\":\"generic_error\",\"error_code\":50000,\"message\":\"" + FaultInjectingWriter.INJECTED_ERROR + "\"}";

        ksql.errorMidStreamNext("/query", 1);
        assertThat(withQueryId(post("/query", V1, "{\"ksql\":\"SELECT * FROM PAGEVIEWS;\"}").body(), "transient_PAGEVIEWS_\\d+"))
                .isEqualTo("[{\"header\":{\"queryId\":\"<ID>\",\"schema\":\"`USERID` STRING, `PAGEID` STRING, `VIEWTIME` BIGINT\"}},\n"
                        + "{\"row\":{\"columns\":[\"USER_1\",\"PAGE_1\",1]}},\n{\"errorMessage\":" + error + "},\n]");

        ksql.errorMidStreamNext("/query", 1);
        HttpResponse<String> tablePull = post("/query", V1, "{\"ksql\":\"SELECT * FROM AGG_TABLE;\"}");
        assertThat(tablePull.statusCode()).isEqualTo(200);
        assertThat(withQueryId(tablePull.body(), "query_\\d+"))
                .isEqualTo("[{\"header\":{\"queryId\":\"<ID>\",\"schema\":\"`USERID` STRING KEY, `COUNT` BIGINT\"}},\n"
                        + "{\"row\":{\"columns\":[\"USER_1\",3]}},\n{\"errorMessage\":" + error + "}]");

        ksql.errorMidStreamNext("/query-stream", 2);
        HttpResponse<String> delimited = post("/query-stream", DELIMITED, "{\"sql\":\"SELECT VIEWTIME FROM PAGEVIEWS;\"}");
        assertThat(delimited.statusCode()).isEqualTo(200);
        assertThat(withQueryId(delimited.body(), "transient_PAGEVIEWS_\\d+")).isEqualTo(
                "{\"queryId\":\"<ID>\",\"columnNames\":[\"VIEWTIME\"],\"columnTypes\":[\"BIGINT\"]}\n[1]\n[2]\n" + error + "\n");
    }

    // ---- helpers ----

    private HttpResponse<String> post(String path, String accept, String body) throws IOException, InterruptedException {
        return HTTP.send(request(path, accept, body), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<InputStream> postStreaming(String path, String accept, String body)
            throws IOException, InterruptedException {
        return HTTP.send(request(path, accept, body), HttpResponse.BodyHandlers.ofInputStream());
    }

    private HttpRequest request(String path, String accept, String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(ksql.url() + path))
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", V1)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (accept != null) {
            builder.header("Accept", accept);
        }
        return builder.build();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(ksql.url() + path)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String contentType(HttpResponse<?> response) {
        return response.headers().firstValue("content-type").orElse(null);
    }

    private static BufferedReader reader(HttpResponse<InputStream> response) {
        assertThat(response.statusCode()).isEqualTo(200);
        return new BufferedReader(new InputStreamReader(response.body(), UTF_8));
    }

    private static void drain(BufferedReader lines) throws IOException {
        while (lines.readLine() != null) {
            // reading until the end or a failure
        }
    }

    /** Checks that the one queryId in the body matches {@code idPattern} and replaces it with {@code <ID>}. */
    private static String withQueryId(String body, String idPattern) {
        Matcher matcher = Pattern.compile("\"queryId\":\"([^\"]*)\"").matcher(body);
        assertThat(matcher.find()).as("a queryId in %s", body).isTrue();
        assertThat(matcher.group(1)).matches(idPattern);
        return body.substring(0, matcher.start(1)) + "<ID>" + body.substring(matcher.end(1));
    }

    private List<String> rowsOf(String sql) throws Exception {
        String body = post("/query-stream", DELIMITED, "{\"sql\":\"" + sql + "\"}").body();
        List<String> lines = body.lines().toList();
        return lines.subList(1, lines.size());
    }

    private String errorMessage(String path, String sql) throws Exception {
        String field = path.equals("/query") ? "ksql" : "sql";
        HttpResponse<String> response = post(path, V1, MAPPER.writeValueAsString(Map.of(field, sql)));
        assertThat(response.statusCode()).as(sql).isEqualTo(400);
        JsonNodeAssert error = new JsonNodeAssert(response.body());
        assertThat(error.at("/@type")).isEqualTo("statement_error");
        assertThat(error.at("/error_code")).isEqualTo("40001");
        assertThat(error.at("/statementText")).isEqualTo(sql);
        return error.at("/message");
    }

    private static boolean parses(String json) {
        try {
            MAPPER.readTree(json);
            return true;
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    /** What ksqlDB's own client does with a v1 line: strip a leading '[' and a trailing ',' or ']'. */
    private static String stripV1(String line) {
        String element = line.startsWith("[") ? line.substring(1) : line;
        return element.endsWith(",") || element.endsWith("]") ? element.substring(0, element.length() - 1) : element;
    }

    private record JsonNodeAssert(String json) {
        String at(String pointer) throws JsonProcessingException {
            return MAPPER.readTree(json).at(pointer).asText();
        }
    }

    private record RawResponse(String head, List<byte[]> chunks, boolean complete) {
        String body() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            chunks.forEach(out::writeBytes);
            return out.toString(UTF_8);
        }
    }

    /** A request over a plain socket, keeping the chunks of a chunked response as they came. */
    private RawResponse raw(String path, String accept, String body) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", ksql.port())) {
            socket.setSoTimeout(5000);
            byte[] content = body.getBytes(UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: " + accept + "\r\nContent-Type: " + V1
                    + "\r\nContent-Length: " + content.length + "\r\nConnection: close\r\n\r\n").getBytes(UTF_8));
            out.write(content);
            out.flush();
            InputStream in = socket.getInputStream();
            String head = readUntil(in, "\r\n\r\n");
            assertThat(head.toLowerCase(Locale.ROOT)).contains("transfer-encoding: chunked");
            List<byte[]> chunks = new ArrayList<>();
            while (true) {
                String sizeLine = readUntil(in, "\r\n");
                if (sizeLine == null) {
                    return new RawResponse(head, chunks, false);
                }
                int size = Integer.parseInt(sizeLine.trim(), 16);
                if (size == 0) {
                    return new RawResponse(head, chunks, "".equals(readUntil(in, "\r\n")));
                }
                byte[] chunk = in.readNBytes(size);
                if (chunk.length < size) {
                    return new RawResponse(head, chunks, false);
                }
                chunks.add(chunk);
                readUntil(in, "\r\n");
            }
        }
    }

    /** The text before {@code terminator}, or null at end of stream. */
    private static String readUntil(InputStream in, String terminator) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            out.write(b);
            String text = out.toString(UTF_8);
            if (text.endsWith(terminator)) {
                return text.substring(0, text.length() - terminator.length());
            }
        }
    }
}
