package org.cameldatalake.source;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.cameldatalake.schema.KsqlType;
import org.cameldatalake.schema.KsqlType.KsqlColumn;

/**
 * Reads a query response in ksqlDB's v1 format ({@code Accept: application/vnd.ksql.v1+json},
 * research/ksqldb-rest-api.md §2.3) one element at a time, so that a table of any size streams through:
 * {@code [} header {@code ,\n} row {@code ,\n} … {@code ]}. Chunk boundaries are not assumed to align with
 * elements. A response that ends before its closing {@code ]} (a dropped connection), a line that is not JSON or an
 * in-band {@code errorMessage} is an error: a caller never mistakes a partial result for a complete one.
 */
public final class KsqlQueryResponse implements AutoCloseable {
    /** Decimals stay exact: ksqlDB sends DECIMAL values as plain JSON numbers. */
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true))
            .build();

    public record Header(String queryId, List<KsqlColumn> columns) {
    }

    private final BufferedReader in;
    private Header header;
    private boolean ended;
    private String finalMessage;

    public KsqlQueryResponse(InputStream body) {
        this.in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8), 1 << 16);
    }

    public Header header() throws IOException {
        if (header == null) {
            JsonNode first = nextElement(true);
            if (first == null || !first.has("header")) {
                throw new KsqlDbException(0, "the response does not start with a header element: " + abbreviate(String.valueOf(first)));
            }
            JsonNode h = first.get("header");
            try {
                header = new Header(h.path("queryId").asText(null), KsqlType.parseColumns(h.path("schema").asText()));
            } catch (IllegalArgumentException e) {
                throw new KsqlDbException(0, "the response header has a schema that cannot be read: " + e.getMessage());
            }
        }
        return header;
    }

    /** The next row's {@code columns} array, or null once the response has ended completely. */
    public JsonNode nextRow() throws IOException {
        header();
        while (true) {
            JsonNode e = nextElement(false);
            if (e == null) {
                return null;
            }
            if (e.has("row")) {
                JsonNode row = e.get("row");
                if (row.path("tombstone").asBoolean(false)) {
                    continue; // deletes only come from push queries on tables, which snapshots never run
                }
                return row.get("columns");
            }
            if (e.has("finalMessage")) {
                finalMessage = e.get("finalMessage").asText();
                continue;
            }
            if (e.has("errorMessage")) {
                JsonNode err = e.get("errorMessage");
                throw new KsqlDbException(err.path("error_code").asInt(), err.path("message").asText(err.toString()));
            }
            // continuationToken, consistencyToken and future elements carry nothing a snapshot needs
        }
    }

    public String finalMessage() {
        return finalMessage;
    }

    private JsonNode nextElement(boolean first) throws IOException {
        if (ended) {
            return null;
        }
        String line;
        do {
            try {
                line = in.readLine();
            } catch (java.net.SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                throw new KsqlDbException("the response was cut off (connection dropped?): " + e.getMessage(), e);
            }
            if (line == null) {
                throw new KsqlDbException(0, "the response ended before its closing ']' (connection dropped?)");
            }
        } while (line.isBlank());
        String t = line.strip();
        if (first) {
            if (!t.startsWith("[")) {
                throw new KsqlDbException(0, "the response is not a v1 JSON array: " + abbreviate(t));
            }
            t = t.substring(1);
        }
        if (t.endsWith("]")) {
            ended = true;
            t = t.substring(0, t.length() - 1);
        }
        if (t.endsWith(",")) {
            t = t.substring(0, t.length() - 1);
        }
        if (t.isBlank()) {
            return ended ? null : nextElement(false);
        }
        try {
            return JSON.readTree(t);
        } catch (IOException e) {
            throw new KsqlDbException(0, "the response holds a line that is not JSON: " + abbreviate(t));
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "…" : s;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
