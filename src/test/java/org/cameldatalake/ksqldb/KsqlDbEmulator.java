package org.cameldatalake.ksqldb;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.cameldatalake.ksqldb.EmulatedSource.Change;
import org.cameldatalake.ksqldb.EmulatedSource.Row;
import org.cameldatalake.ksqldb.FaultInjectingWriter.DropConnection;
import org.cameldatalake.ksqldb.FaultInjectingWriter.QueryEnded;
import org.cameldatalake.ksqldb.ResultWriter.Format;

/**
 * A strict emulator of the ksqlDB 0.29 / CP 7.x REST API on a real HTTP/1.1 server, following
 * {@code /work/shared/research/ksqldb-rest-api.md}: {@code /query-stream}, {@code /query} (migrated handler),
 * {@code /close-query}, {@code /ksql}, {@code /info}, {@code /healthcheck}. Streams and tables live in memory; faults
 * can be injected per request.
 */
public final class KsqlDbEmulator implements AutoCloseable {

    /** A stream or table created on the emulator. */
    public interface Source {
        String name();

        /**
         * Stream: appends a row with this ROWTIME (epoch ms). Table: upserts by key (replaces the row with the same
         * key values). {@code values}: one per declared column: String, Integer, Long (BIGINT; an Integer is widened),
         * Double, Boolean, BigDecimal (at most the column's scale), Instant (TIMESTAMP), LocalDate (DATE), LocalTime
         * (TIME), byte[] (BYTES), List (ARRAY), Map with String keys (MAP; STRUCT, keyed by field name), or null.
         * A value of the wrong type throws IllegalArgumentException.
         */
        void insert(long rowtime, Object... values);

        /**
         * Windowed table: upsert of the row for (key values, windowStart). TUMBLING/HOPPING: windowEnd must be
         * windowStart + size; SESSION: any end.
         */
        void insertWindow(long rowtime, long windowStart, long windowEnd, Object... values);

        /** Tables: removes the row (windowed tables: every window) with these key values. */
        void delete(Object... keyValues);

        int size();
    }

    /** A request as received (when its body had arrived): header names in lower case. */
    public record RecordedRequest(String method, String path, Map<String, String> headers, String body,
                                  java.time.Instant receivedAt) {
    }

    static final String V1_JSON = "application/vnd.ksql.v1+json";
    static final String DELIMITED = "application/vnd.ksqlapi.delimited.v1";
    static final String JSON = "application/json";

    private static final Set<String> FAULT_PATHS =
            Set.of("/query-stream", "/query", "/ksql", "/info", "/healthcheck", "/close-query", "/");
    private static final Set<String> STREAMED_PATHS = Set.of("/query-stream", "/query");
    private static final long PUSH_POLL_MS = 100;

    private static final String INFO = "{\"KsqlServerInfo\":{\"version\":\"0.29.0\","
            + "\"kafkaClusterId\":\"j3tOi6E_RtO_TMH3gBmK7A\",\"ksqlServiceId\":\"default_\",\"serverStatus\":\"RUNNING\"}}";
    private static final String HEALTHCHECK = "{\"isHealthy\":true,\"details\":{\"metastore\":{\"isHealthy\":true},"
            + "\"kafka\":{\"isHealthy\":true},\"commandRunner\":{\"isHealthy\":true}},\"serverState\":\"READY\"}";

    private sealed interface Fault permits Fail, Drop, Malformed, ErrorMidStream, Stall, Raw {
    }

    private record Fail(int status, String body) implements Fault {
    }

    private record Drop(int rows) implements Fault {
    }

    private record Malformed() implements Fault {
    }

    private record ErrorMidStream(int rows) implements Fault {
    }

    private record Stall(int rows, long millis) implements Fault {
    }

    private record Raw(byte[] body) implements Fault {
    }

    private record Negotiated(Format format, String contentType) {
    }

    /** A running push query that {@code /close-query} can end. */
    private static final class PushQuery {
        final EmulatedSource source;
        final EmulatedSource.Cursor cursor;
        volatile boolean closeRequested;

        PushQuery(EmulatedSource source, EmulatedSource.Cursor cursor) {
            this.source = source;
            this.cursor = cursor;
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, EmulatedSource> sources = new ConcurrentHashMap<>();
    private final KsqlStatements statements = new KsqlStatements(sources::get, sources::values);
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Deque<Long>> delays = new HashMap<>();
    private final Map<String, Deque<Fault>> faults = new HashMap<>();
    private final Map<String, PushQuery> pushQueries = new ConcurrentHashMap<>();
    private final AtomicLong responseSeed = new AtomicLong();
    private final AtomicInteger sourceSequence = new AtomicInteger();
    private volatile boolean closed;

    private KsqlDbEmulator() throws IOException {
        AtomicInteger threads = new AtomicInteger();
        executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "ksqldb-emulator-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Starts on 127.0.0.1 on a free port. */
    public static KsqlDbEmulator start() throws IOException {
        return new KsqlDbEmulator();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Stops the server: running responses are cut off and connections are refused afterwards. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        sources.values().forEach(EmulatedSource::wakeUpForever);
        server.stop(0);
        executor.shutdownNow();
    }

    // ---- data ----

    public Source createStream(String name, String topic, List<String> columns, List<String> keyColumns) {
        return create(name, topic, EmulatedSource.Kind.STREAM, null, 0, columns, keyColumns);
    }

    public Source createTable(String name, String topic, List<String> columns, List<String> keyColumns) {
        return create(name, topic, EmulatedSource.Kind.TABLE, null, 0, columns, keyColumns);
    }

    /** {@code windowType}: TUMBLING, HOPPING or SESSION; {@code windowSizeMs}: the size (SESSION: the gap). */
    public Source createWindowedTable(String name, String topic, String windowType, long windowSizeMs,
                                      List<String> columns, List<String> keyColumns) {
        EmulatedSource.WindowType type = EmulatedSource.WindowType.valueOf(windowType.toUpperCase(Locale.ROOT));
        if (windowSizeMs <= 0) {
            throw new IllegalArgumentException("Window size must be positive");
        }
        return create(name, topic, EmulatedSource.Kind.TABLE, type, windowSizeMs, columns, keyColumns);
    }

    private Source create(String name, String topic, EmulatedSource.Kind kind, EmulatedSource.WindowType windowType,
                          long windowSizeMs, List<String> columns, List<String> keyColumns) {
        String sourceName = EmulatedSource.identifier(name);
        EmulatedSource source = new EmulatedSource(sourceName, topic, kind, windowType, windowSizeMs, columns,
                keyColumns, sourceSequence.getAndIncrement());
        if (sources.putIfAbsent(sourceName, source) != null) {
            throw new IllegalArgumentException("Cannot add " + kind.name().toLowerCase(Locale.ROOT) + " '" + sourceName
                    + "': a source with the same name already exists");
        }
        return source;
    }

    public void drop(String name) {
        String sourceName = EmulatedSource.identifier(name);
        if (sources.remove(sourceName) == null) {
            throw new IllegalArgumentException("No source " + sourceName);
        }
    }

    // ---- faults: each applies to the next request to the path only ----

    /** Answers the next request to {@code path} with this status and body. */
    public void failNext(String path, int httpStatus, String errorJson) {
        addFault(path, new Fail(httpStatus, errorJson));
    }

    /**
     * Streamed responses: sends the headers, the header element and {@code rows} rows, then closes the connection
     * without terminating the body. Other responses: sends the headers and half the body, then closes.
     */
    public void dropNextAfterRows(String path, int rows) {
        requireNonNegative(rows);
        addFault(path, new Drop(rows));
    }

    /**
     * Waits this long before answering the next request to {@code path} (calls add up: two calls delay the next two
     * requests). Combines with the other faults.
     */
    public void delayNext(String path, long millis) {
        requireFaultPath(path);
        requireNonNegative(millis);
        enqueue(delays, path, millis);
    }

    /**
     * Streamed responses: sends the headers, the header element and {@code rows} rows, then goes silent for
     * {@code millis} before going on normally: a response that is slow mid-stream, as when ksqlDB or the network
     * stalls.
     */
    public void stallNextAfterRows(String path, int rows, long millis) {
        if (!STREAMED_PATHS.contains(path)) {
            throw new IllegalArgumentException("Only /query-stream and /query stream rows: " + path);
        }
        requireNonNegative(rows);
        requireNonNegative(millis);
        addFault(path, new Stall(rows, millis));
    }

    /**
     * Streamed responses: the element after the header is cut-off JSON (the rest follows normally). Other responses:
     * the body is cut in half.
     */
    public void malformedNext(String path) {
        addFault(path, new Malformed());
    }

    /** HTTP 200, {@code rowsBefore} rows, then ksqlDB's in-band error element (error_code 50000). */
    public void errorMidStreamNext(String path, int rowsBefore) {
        if (!STREAMED_PATHS.contains(path)) {
            throw new IllegalArgumentException("Only /query-stream and /query stream rows: " + path);
        }
        requireNonNegative(rowsBefore);
        addFault(path, new ErrorMidStream(rowsBefore));
    }

    /**
     * Streamed responses: HTTP 200 with the negotiated content type, then exactly {@code body} (in chunks of random
     * size) instead of the query's result, as a server or proxy gone wrong would send. The query is still checked.
     */
    public void answerNextWith(String path, byte[] body) {
        if (!STREAMED_PATHS.contains(path)) {
            throw new IllegalArgumentException("Only /query-stream and /query stream rows: " + path);
        }
        addFault(path, new Raw(body.clone()));
    }

    private void addFault(String path, Fault fault) {
        requireFaultPath(path);
        enqueue(faults, path, fault);
    }

    private static <T> void enqueue(Map<String, Deque<T>> queues, String path, T item) {
        synchronized (queues) {
            queues.computeIfAbsent(path, p -> new ArrayDeque<>()).add(item);
        }
    }

    /** The next item queued for {@code path}, or null. */
    private static <T> T dequeue(Map<String, Deque<T>> queues, String path) {
        synchronized (queues) {
            Deque<T> queue = queues.get(path);
            return queue == null ? null : queue.poll();
        }
    }

    private static void requireFaultPath(String path) {
        if (!FAULT_PATHS.contains(path)) {
            throw new IllegalArgumentException("Not an emulated path: " + path + " (one of " + FAULT_PATHS + ")");
        }
    }

    private static void requireNonNegative(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("Must not be negative: " + value);
        }
    }

    // ---- observation ----

    /** Every request received so far, in arrival order. */
    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    // ---- HTTP ----

    private void handle(HttpExchange exchange) throws IOException {
        boolean dropConnection = false;
        try {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            requests.add(record(exchange, path, body, java.time.Instant.now()));
            Long delay = dequeue(delays, path);
            if (delay != null) {
                Thread.sleep(delay);
            }
            Fault fault = dequeue(faults, path);
            if (fault instanceof Fail fail) {
                respond(exchange, fail.status(), errorContentType(path, null), fail.body(), null);
            } else {
                route(exchange, path, body, fault);
            }
        } catch (DropConnection | InterruptedException e) {
            dropConnection = true;
            // the JDK server closes the connection when a handler throws, leaving the response unfinished
            throw new IOException("KsqlDbEmulator dropped the connection", e);
        } catch (RuntimeException e) {
            if (exchange.getResponseCode() != -1) {
                dropConnection = true;
                throw e;
            }
            e.printStackTrace();
            respond(exchange, 500, JSON, Json.write(KsqlError.genericBody(KsqlError.SERVER_ERROR,
                    "KsqlDbEmulator internal error: " + e)), null);
        } finally {
            if (!dropConnection) {
                exchange.close();
            }
        }
    }

    private static RecordedRequest record(HttpExchange exchange, String path, byte[] body, java.time.Instant at) {
        Map<String, String> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) ->
                headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
        return new RecordedRequest(exchange.getRequestMethod(), path, Collections.unmodifiableMap(headers),
                new String(body, StandardCharsets.UTF_8), at);
    }

    private void route(HttpExchange exchange, String path, byte[] body, Fault fault) throws IOException {
        String method = exchange.getRequestMethod();
        switch (path) {
            case "/query-stream", "/query", "/ksql", "/close-query" -> {
                if (!method.equals("POST")) {
                    respond(exchange, 405, null, "", fault);
                } else if (path.equals("/ksql")) {
                    handleKsql(exchange, body, fault);
                } else if (path.equals("/close-query")) {
                    handleCloseQuery(exchange, body, fault);
                } else {
                    handleQuery(exchange, body, fault, path.equals("/query-stream"));
                }
            }
            case "/info", "/healthcheck", "/" -> {
                if (!method.equals("GET")) {
                    respond(exchange, 405, null, "", fault);
                } else if (path.equals("/")) {
                    exchange.getResponseHeaders().set("location", "/info");
                    respond(exchange, 307, null, "", fault);
                } else if (!acceptsJson(exchange)) {
                    respond(exchange, 406, null, "", fault);
                } else {
                    respond(exchange, 200, JSON, path.equals("/info") ? INFO : HEALTHCHECK, fault);
                }
            }
            default -> respond(exchange, 404, null, "Not Found", fault);
        }
    }

    /** Errors from the old API's response path carry application/json; /query-stream's failure handler sets none. */
    private static String errorContentType(String path, KsqlError error) {
        boolean failureHandler = path.equals("/query-stream") || path.equals("/close-query")
                || error != null && error.viaFailureHandler;
        return failureHandler ? null : JSON;
    }

    private void respond(HttpExchange exchange, int status, String contentType, String body, Fault fault)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (fault instanceof Malformed && bytes.length > 1) {
            bytes = Arrays.copyOf(bytes, bytes.length / 2);
        }
        if (contentType != null) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
        }
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        OutputStream out = exchange.getResponseBody();
        if (fault instanceof Drop) {
            out.write(bytes, 0, bytes.length / 2);
            out.flush();
            throw new DropConnection();
        }
        out.write(bytes);
    }

    private void respondError(HttpExchange exchange, String path, KsqlError error, Fault fault) throws IOException {
        respond(exchange, error.status, errorContentType(path, error), Json.write(error.body), fault);
    }

    // ---- /query-stream and /query ----

    private void handleQuery(HttpExchange exchange, byte[] body, Fault fault, boolean queryStream) throws IOException {
        String path = queryStream ? "/query-stream" : "/query";
        Negotiated negotiated = queryStream ? negotiateQueryStream(exchange) : negotiateQuery(exchange);
        if (negotiated == null) {
            if (queryStream) {
                respond(exchange, 404, null, "Not Found", fault);
            } else {
                respond(exchange, 406, null, "", fault);
            }
            return;
        }
        try {
            if (queryStream && exchange.getProtocol().equals("HTTP/1.0")) {
                throw KsqlError.badRequest("This endpoint is only available when using HTTP1.1 or HTTP2")
                        .viaFailureHandler();
            }
            JsonNode request = parseRequest(body);
            String sql;
            JsonNode properties;
            if (queryStream) {
                sql = requiredText(request, "sql");
                properties = request.get("properties");
            } else {
                sql = optionalText(request, "ksql");
                if (sql.isBlank()) {
                    throw KsqlError.badRequest("\"ksql\" field must be populated");
                }
                properties = request.get("streamsProperties");
            }
            SelectQuery query = parseQuery(sql, queryStream);
            stream(exchange, query, negotiated, readsFromEarliest(properties), fault);
        } catch (KsqlError e) {
            respondError(exchange, path, e, fault);
        }
    }

    private SelectQuery parseQuery(String sql, boolean queryStream) {
        try {
            return SelectQuery.parse(sql, sources::get);
        } catch (SelectQuery.NotAQuery e) {
            if (queryStream) {
                throw KsqlError.badStatement("KsqlDbEmulator runs only SELECT statements on /query-stream "
                        + "(PRINT is not emulated). Supported: " + SelectQuery.SUPPORTED, sql);
            }
            // ksqlDB's own message, which names the wrapper class rather than the statement type
            throw KsqlError.badRequest("Statement type `io.confluent.ksql.parser.KsqlParser$PreparedStatement' "
                    + "not supported for this resource");
        }
    }

    private static boolean readsFromEarliest(JsonNode properties) {
        if (properties == null || !properties.isObject()) {
            return false;
        }
        for (String key : List.of("auto.offset.reset", "ksql.streams.auto.offset.reset")) {
            JsonNode value = properties.get(key);
            if (value != null && value.isTextual() && value.asText().equals("earliest")) {
                return true;
            }
        }
        return false;
    }

    private void stream(HttpExchange exchange, SelectQuery query, Negotiated negotiated, boolean earliest, Fault fault)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", negotiated.contentType());
        exchange.sendResponseHeaders(200, 0);
        ChunkedBody body = new ChunkedBody(exchange.getResponseBody(), responseSeed.incrementAndGet());
        if (fault instanceof Raw raw) {
            body.append(raw.body());
            body.flush();
            return;
        }
        ResultWriter writer = ResultWriter.create(negotiated.format(), body, query.kind == SelectQuery.Kind.TABLE_PULL);
        if (fault instanceof Drop drop) {
            writer = new FaultInjectingWriter(writer, FaultInjectingWriter.Mode.DROP, drop.rows());
        } else if (fault instanceof ErrorMidStream error) {
            writer = new FaultInjectingWriter(writer, FaultInjectingWriter.Mode.ERROR, error.rows());
        } else if (fault instanceof Malformed) {
            writer = new FaultInjectingWriter(writer, FaultInjectingWriter.Mode.MALFORMED, -1);
        } else if (fault instanceof Stall stall) {
            writer = new FaultInjectingWriter(writer, FaultInjectingWriter.Mode.STALL, stall.rows(), stall.millis());
        }
        String queryId = query.newQueryId();
        // a push query is running before its header is sent: rows inserted once the client has the header are seen
        PushQuery push = query.pull() ? null : new PushQuery(query.source, query.source.openCursor(earliest));
        if (push != null) {
            pushQueries.put(queryId, push);
        }
        try {
            writer.header(queryId, query);
            switch (query.kind) {
                case TABLE_PULL -> runTablePull(query, writer);
                case STREAM_PULL -> runStreamPull(query, writer);
                case PUSH -> runPush(query, writer, push);
            }
        } catch (QueryEnded e) {
            // the injected error element has been written and the body terminated
        } finally {
            pushQueries.remove(queryId);
        }
    }

    private static void runTablePull(SelectQuery query, ResultWriter writer) throws IOException {
        int emitted = 0;
        for (Row row : query.source.snapshot()) {
            if (query.limit != null && emitted >= query.limit) {
                break;
            }
            if (query.matches(row)) {
                writer.row(query.project(row, false), false);
                emitted++;
            }
        }
        writer.end();
    }

    private static void runStreamPull(SelectQuery query, ResultWriter writer) throws IOException {
        int emitted = 0;
        boolean hitLimit = query.limit != null && query.limit == 0;
        for (Row row : query.source.snapshot()) {
            if (hitLimit) {
                break;
            }
            if (query.matches(row)) {
                writer.row(query.project(row, false), false);
                emitted++;
                hitLimit = query.limit != null && emitted >= query.limit;
            }
        }
        writer.finalMessage(hitLimit ? "Limit Reached" : "Query Completed");
        writer.end();
    }

    private void runPush(SelectQuery query, ResultWriter writer, PushQuery push) throws IOException {
        if (query.limit != null && query.limit == 0) {
            writer.finalMessage("Limit Reached");
            writer.end();
            return;
        }
        int emitted = 0;
        try {
            while (true) {
                for (Change change : query.source.poll(push.cursor, PUSH_POLL_MS)) {
                    if (!change.tombstone() && !query.matches(change.row())) {
                        continue;
                    }
                    writer.row(query.project(change.row(), change.tombstone()), change.tombstone());
                    emitted++;
                    if (query.limit != null && emitted >= query.limit) {
                        writer.finalMessage("Limit Reached");
                        writer.end();
                        return;
                    }
                }
                if (push.closeRequested) {
                    writer.end();
                    return;
                }
                if (closed) {
                    throw new DropConnection();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DropConnection();
        }
    }

    // ---- /close-query ----

    private void handleCloseQuery(HttpExchange exchange, byte[] body, Fault fault) throws IOException {
        try {
            String queryId = requiredText(parseRequest(body), "queryId");
            PushQuery query = pushQueries.get(queryId);
            if (query == null) {
                throw KsqlError.badRequest("No query with id " + queryId);
            }
            query.closeRequested = true;
            query.source.wakeUp();
            respond(exchange, 200, null, "", fault);
        } catch (KsqlError e) {
            respondError(exchange, "/close-query", e, fault);
        }
    }

    // ---- /ksql ----

    private void handleKsql(HttpExchange exchange, byte[] body, Fault fault) throws IOException {
        if (!acceptsJson(exchange)) {
            respond(exchange, 406, null, "", fault);
            return;
        }
        try {
            String ksql = optionalText(parseRequest(body), "ksql");
            if (ksql.isBlank()) {
                throw KsqlError.badRequest("\"ksql\" field must be populated");
            }
            respond(exchange, 200, JSON, Json.write(statements.execute(ksql)), fault);
        } catch (KsqlError e) {
            respondError(exchange, "/ksql", e, fault);
        }
    }

    // ---- request bodies ----

    /** The JSON request object; ksqlDB ignores unknown fields. Failures are reported like Vert.x's body decoding. */
    private static JsonNode parseRequest(byte[] body) {
        if (new String(body, StandardCharsets.UTF_8).isBlank()) {
            throw KsqlError.badRequest("Invalid JSON in request: No content to map due to end-of-input")
                    .viaFailureHandler();
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw KsqlError.badRequest("Invalid JSON in request: " + e.getOriginalMessage()).viaFailureHandler();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        if (!node.isObject()) {
            throw KsqlError.badRequest("Invalid JSON in request: Cannot deserialize value from " + node.getNodeType()
                    + " value (expected a JSON object)").viaFailureHandler();
        }
        return node;
    }

    private static String requiredText(JsonNode request, String field) {
        JsonNode value = request.get(field);
        if (value == null || value.isNull()) {
            throw KsqlError.badRequest("Invalid JSON in request: Missing required creator property '" + field + "'")
                    .viaFailureHandler();
        }
        return text(value, field);
    }

    private static String optionalText(JsonNode request, String field) {
        JsonNode value = request.get(field);
        return value == null || value.isNull() ? "" : text(value, field);
    }

    private static String text(JsonNode value, String field) {
        if (!value.isValueNode()) {
            throw KsqlError.badRequest("Invalid JSON in request: Cannot deserialize value of type `java.lang.String` "
                    + "from " + value.getNodeType() + " value (property '" + field + "')").viaFailureHandler();
        }
        return value.asText();
    }

    // ---- content negotiation (§2.2, §3.2) ----

    private static Negotiated negotiateQueryStream(HttpExchange exchange) {
        List<String> accepted = accepted(exchange);
        if (accepted == null) {
            return new Negotiated(Format.DELIMITED, DELIMITED);
        }
        for (String type : accepted) {
            switch (type) {
                case DELIMITED, "*/*", "application/*" -> {
                    return new Negotiated(Format.DELIMITED, DELIMITED);
                }
                case JSON -> {
                    return new Negotiated(Format.JSON_ARRAY, JSON);
                }
                case V1_JSON -> {
                    return new Negotiated(Format.V1, V1_JSON);
                }
                default -> {
                }
            }
        }
        return null;
    }

    private static Negotiated negotiateQuery(HttpExchange exchange) {
        List<String> accepted = accepted(exchange);
        if (accepted == null) {
            return new Negotiated(Format.V1, V1_JSON);
        }
        for (String type : accepted) {
            switch (type) {
                case V1_JSON, JSON, "application/*" -> {
                    return new Negotiated(Format.V1, V1_JSON);
                }
                case DELIMITED, "*/*" -> {
                    return new Negotiated(Format.DELIMITED, DELIMITED);
                }
                default -> {
                }
            }
        }
        return null;
    }

    /** /ksql, /info, /healthcheck always answer application/json, but refuse clients that do not accept it. */
    private static boolean acceptsJson(HttpExchange exchange) {
        List<String> accepted = accepted(exchange);
        return accepted == null || accepted.stream().anyMatch(Set.of(V1_JSON, JSON, "*/*", "application/*")::contains);
    }

    /** The media types of the Accept header, most preferred first, without parameters; null if there is none. */
    private static List<String> accepted(HttpExchange exchange) {
        List<String> headers = exchange.getRequestHeaders().get("Accept");
        if (headers == null || headers.stream().allMatch(String::isBlank)) {
            return null;
        }
        record MediaRange(String type, double quality) {
        }
        List<MediaRange> ranges = new ArrayList<>();
        for (String header : headers) {
            for (String part : header.split(",")) {
                String[] pieces = part.split(";");
                String type = pieces[0].trim().toLowerCase(Locale.ROOT);
                double quality = 1.0;
                for (int i = 1; i < pieces.length; i++) {
                    String parameter = pieces[i].trim();
                    if (parameter.startsWith("q=")) {
                        try {
                            quality = Double.parseDouble(parameter.substring(2));
                        } catch (NumberFormatException e) {
                            quality = 0;
                        }
                    }
                }
                if (!type.isEmpty() && quality > 0) {
                    ranges.add(new MediaRange(type, quality));
                }
            }
        }
        ranges.sort(Comparator.comparingDouble(MediaRange::quality).reversed());
        return ranges.stream().map(MediaRange::type).toList();
    }
}
