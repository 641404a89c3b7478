package org.cameldatalake.ksqldb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ksqlDB's v1 query response format, byte for byte. */
class KsqlQueryResponseTest {
    private static List<String> rows(String body) throws Exception {
        try (KsqlQueryResponse r = new KsqlQueryResponse(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)))) {
            List<String> out = new ArrayList<>();
            var row = r.nextRow();
            while (row != null) {
                out.add(row.toString());
                row = r.nextRow();
            }
            return out;
        }
    }

    @Test
    void readsTablePullStreamPullAndEmptyResults() throws Exception {
        assertThat(rows("[{\"header\":{\"queryId\":\"query_1645123456789\",\"schema\":\"`COUNT` BIGINT, `USERID` STRING KEY\"}},\n"
                + "{\"row\":{\"columns\":[1,\"USER_1\"]}}]")).containsExactly("[1,\"USER_1\"]");
        assertThat(rows("[{\"header\":{\"queryId\":\"transient_PAGEVIEWS_55\",\"schema\":\"`USERID` STRING\"}},\n"
                + "{\"row\":{\"columns\":[\"USER_1\"]}},\n{\"row\":{\"columns\":[\"USER_3\"]}},\n"
                + "{\"finalMessage\":\"Query Completed\"}]")).containsExactly("[\"USER_1\"]", "[\"USER_3\"]");
        assertThat(rows("[{\"header\":{\"queryId\":\"query_1\",\"schema\":\"`A` INTEGER KEY\"}}]")).isEmpty();
    }

    @Test
    void keepsDecimalsExact() throws Exception {
        assertThat(rows("[{\"header\":{\"queryId\":\"q\",\"schema\":\"`D` DECIMAL(20, 2)\"}},\n{\"row\":{\"columns\":[123456789012345678.90]}}]"))
                .containsExactly("[123456789012345678.90]");
    }

    @Test
    void neverTakesAPartialResponseForAWholeOne() {
        String header = "[{\"header\":{\"queryId\":\"q\",\"schema\":\"`A` INTEGER\"}},\n";
        assertThatThrownBy(() -> rows(header + "{\"row\":{\"columns\":[1]}},\n"))
                .isInstanceOf(KsqlDbException.class).hasMessageContaining("ended before its closing ']'");
        assertThatThrownBy(() -> rows(header + "{\"row\":{\"columns\":[1]}},\n{\"row\":{\"colu"))
                .isInstanceOf(KsqlDbException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> rows(header + "{\"errorMessage\":{\"@type\":\"generic_error\",\"error_code\":50000,\"message\":\"boom\"}},\n]"))
                .isInstanceOf(KsqlDbException.class).hasMessage("ksqlDB error 50000: boom");
        assertThatThrownBy(() -> rows("{\"queryId\":\"q\",\"columnNames\":[\"A\"],\"columnTypes\":[\"INTEGER\"]}\n[1]\n"))
                .isInstanceOf(KsqlDbException.class).hasMessageContaining("not a v1 JSON array");
        // a row that lost its columns used to read as the end of the response: the rows before it became a version
        assertThatThrownBy(() -> rows(header + "{\"row\":{\"columns\":[1]}},\n{\"row\":{}},\n{\"row\":{\"columns\":[2]}}]"))
                .isInstanceOf(KsqlDbException.class).hasMessage("element 3 of the response is a row without a columns array: {\"row\":{}}");
        assertThatThrownBy(() -> rows(header + "[1],\n{\"row\":{\"columns\":[2]}}]"))
                .isInstanceOf(KsqlDbException.class).hasMessage("element 2 of the response is not a JSON object: [1]");
    }

    @Test
    void emptyElementsAreSkippedHoweverManyThereAre() throws Exception {
        // each one used to cost a stack frame: 200,000 of them overflowed the stack
        assertThat(rows("[{\"header\":{\"queryId\":\"q\",\"schema\":\"`A` INTEGER\"}},\n" + ",\n".repeat(200_000)
                + "{\"row\":{\"columns\":[1]}}]")).containsExactly("[1]");
    }
}
