package org.cameldatalake.ksqldb;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.cameldatalake.schema.KsqlType;
import org.cameldatalake.schema.KsqlType.KsqlColumn;

/**
 * Reads a query response in ksqlDB's v1 format ({@code Accept: application/vnd.ksql.v1+json})
 * one element at a time, so that a table of any size streams through:
 * {@code [} header {@code ,\n} row {@code ,\n} … {@code ]}. Chunk boundaries are not assumed to align with
 * elements. A response that ends before its closing {@code ]} (a dropped connection), bytes that are not UTF-8, a
 * line that is not JSON (or has a duplicate key), an element that is not one of §2.3's, a row without its
 * {@code columns} array, a line longer than {@link #MAX_ELEMENT_CHARS} or an in-band {@code errorMessage} is an
 * error: a caller never mistakes a partial or altered result for a complete one.
 */
public final class KsqlQueryResponse implements AutoCloseable {
    /** Decimals stay exact: ksqlDB sends DECIMAL values as plain JSON numbers. */
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .nodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true))
            .build();
    /** One element (one row) at most; a longer line (a server or proxy gone wrong) fails rather than fill the heap. */
    public static final int MAX_ELEMENT_CHARS = 16 << 20;
    /** Elements that carry nothing a snapshot or a poll needs (§2.3); any other kind is refused. */
    private static final Set<String> IGNORED_ELEMENTS = Set.of("finalMessage", "continuationToken", "consistencyToken");

    public record Header(String queryId, List<KsqlColumn> columns) {
    }

    private final Reader in;
    private final char[] buffer = new char[1 << 16];
    private int position;
    private int limit;
    private Header header;
    private boolean ended;
    private String finalMessage;
    private long rows;
    private long elements;

    public KsqlQueryResponse(InputStream body) {
        // malformed bytes are an error, not a silent U+FFFD in the lake
        this.in = new InputStreamReader(body, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
    }

    public Header header() throws IOException {
        if (header == null) {
            JsonNode first = nextElement(true);
            if (first == null || !first.path("header").isObject()) {
                throw new KsqlDbException(0, "the response does not start with a header element: " + abbreviate(String.valueOf(first)));
            }
            JsonNode h = first.get("header");
            if (!h.path("schema").isTextual()) {
                throw new KsqlDbException(0, "the response header has no schema: " + abbreviate(h.toString()));
            }
            List<KsqlColumn> columns;
            try {
                columns = KsqlType.parseColumns(h.get("schema").textValue());
            } catch (IllegalArgumentException e) {
                throw new KsqlDbException(0, "the response header has a schema that cannot be read: " + e.getMessage());
            }
            if (columns.isEmpty()) {
                throw new KsqlDbException(0, "the response header declares no column");
            }
            header = new Header(h.path("queryId").asText(null), columns);
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
            if (!e.isObject()) {
                throw new KsqlDbException(0, "element " + elements + " of the response is not a JSON object: " + abbreviate(e.toString()));
            }
            if (e.has("row")) {
                JsonNode row = e.get("row");
                if (!row.path("columns").isArray()) {
                    throw new KsqlDbException(0, "element " + elements + " of the response is a row without a columns array: "
                            + abbreviate(e.toString()));
                }
                rows++;
                if (row.path("tombstone").asBoolean(false)) {
                    continue; // deletes only come from push queries on tables, which snapshots never run
                }
                return row.get("columns");
            }
            if (e.has("errorMessage")) {
                JsonNode err = e.get("errorMessage");
                throw new KsqlDbException(err.path("error_code").asInt(), err.path("message").asText(err.toString()));
            }
            if (e.has("finalMessage")) {
                finalMessage = e.get("finalMessage").asText();
            }
            if (e.size() != 1 || !IGNORED_ELEMENTS.contains(e.fieldNames().next())) {
                // a row that lost its key, a second header: skipping it would publish a table without its rows
                throw new KsqlDbException(0, "element " + elements + " of the response is not a ksqlDB element: "
                        + abbreviate(e.toString()));
            }
        }
    }

    public String finalMessage() {
        return finalMessage;
    }

    private JsonNode nextElement(boolean first) throws IOException {
        while (!ended) {
            String line;
            try {
                line = readLine();
            } catch (java.net.SocketTimeoutException e) {
                throw e;
            } catch (CharacterCodingException e) {
                throw new KsqlDbException("the response is not UTF-8 (" + e + ") after " + rows + " rows", e);
            } catch (IOException e) {
                throw new KsqlDbException("the response was cut off (connection dropped?): " + e.getMessage(), e);
            }
            if (line == null) {
                throw new KsqlDbException(0, "the response ended before its closing ']' (connection dropped?)");
            }
            String t = line.strip();
            if (t.isEmpty()) {
                continue;
            }
            if (first) {
                if (!t.startsWith("[")) {
                    throw new KsqlDbException(0, "the response is not a v1 JSON array: " + abbreviate(t));
                }
                t = t.substring(1);
                first = false;
            }
            if (t.endsWith("]")) {
                ended = true;
                t = t.substring(0, t.length() - 1);
            }
            if (t.endsWith(",")) {
                t = t.substring(0, t.length() - 1);
            }
            if (t.isBlank()) {
                continue;
            }
            elements++;
            try {
                return JSON.readTree(t);
            } catch (IOException e) {
                String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
                throw new KsqlDbException(0, "the response holds a line that is not JSON (" + abbreviate(firstLine(why))
                        + "): " + abbreviate(t));
            }
        }
        return null;
    }

    /** The next line without its {@code \n}, or null at the end of the body; elements never hold a raw newline. */
    private String readLine() throws IOException {
        StringBuilder line = null;
        while (true) {
            if (position == limit) {
                int n = in.read(buffer, 0, buffer.length);
                if (n < 0) {
                    return line == null ? null : line.toString();
                }
                position = 0;
                limit = n;
            }
            int start = position;
            while (position < limit && buffer[position] != '\n') {
                position++;
            }
            if (position - start + (line == null ? 0 : line.length()) > MAX_ELEMENT_CHARS) {
                throw new KsqlDbException(0, "element " + (elements + 1) + " of the response is longer than "
                        + MAX_ELEMENT_CHARS + " characters");
            }
            boolean complete = position < limit;
            String piece = new String(buffer, start, position - start);
            if (complete) {
                position++; // past the newline
            }
            if (line == null && complete) {
                return piece;
            }
            line = line == null ? new StringBuilder(piece) : line.append(piece);
            if (complete) {
                return line.toString();
            }
        }
    }

    private static String firstLine(String s) {
        int nl = s == null ? -1 : s.indexOf('\n');
        return s == null ? "" : nl < 0 ? s : s.substring(0, nl);
    }

    private static String abbreviate(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "…" : s;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
