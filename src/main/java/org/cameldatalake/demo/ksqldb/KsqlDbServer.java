package org.cameldatalake.demo.ksqldb;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.cameldatalake.demo.ksqldb.ResponseFault.DropConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server that speaks the ksqlDB 0.29 / CP 7.x REST API on real HTTP/1.1, with streams and tables held in memory:
 * {@code /query-stream}, {@code /query} (migrated handler), {@code /close-query}, {@code /ksql}, {@code /info},
 * {@code /healthcheck}. It answers exactly as ksqlDB does (status codes, content types, the bytes of each format,
 * errors), and refuses, saying so, what ksqlDB would run but it cannot. It is strict rather than forgiving: the
 * demo serves its simulated ksqlDB with it, and the tests' emulator extends it to sabotage responses
 * ({@link #received}).
 */
public class KsqlDbServer implements AutoCloseable {

    /** A stream or table created on the server. */
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
         * As {@link #insert}, with the values of a record of a {@code VALUE_FORMAT='JSON'} topic read as ksqlDB reads
         * them: each column from the field of the same name (case-insensitively), absent fields null. A value that
         * does not fit its column throws IllegalArgumentException.
         */
        void insertJson(long rowtime, JsonNode value);

        /**
         * Windowed table: upsert of the row for (key values, windowStart). TUMBLING/HOPPING: windowEnd must be
         * windowStart + size; SESSION: any end.
         */
        void insertWindow(long rowtime, long windowStart, long windowEnd, Object... values);

        /** Tables: removes the row (windowed tables: every window) with these key values. */
        void delete(Object... keyValues);

        int size();

        /**
         * Keeps only the newest {@code changes} rows of a stream (of a table: of the change log its push queries
         * follow), as a topic with size-based retention keeps only its newest records. Unbounded by default.
         */
        void keepNewest(int changes);
    }

    /** A request as received (when its body had arrived): header names in lower case. */
    public record RecordedRequest(String method, String path, Map<String, String> headers, String body,
                                  Instant receivedAt) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(KsqlDbServer.class);
    private static final String INFO = "{\"KsqlServerInfo\":{\"version\":\"0.29.0\","
            + "\"kafkaClusterId\":\"j3tOi6E_RtO_TMH3gBmK7A\",\"ksqlServiceId\":\"default_\",\"serverStatus\":\"RUNNING\"}}";
    private static final String HEALTHCHECK = "{\"isHealthy\":true,\"details\":{\"metastore\":{\"isHealthy\":true},"
            + "\"kafka\":{\"isHealthy\":true},\"commandRunner\":{\"isHealthy\":true}},\"serverState\":\"READY\"}";

    private final String name;
    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, InMemorySource> sources = new ConcurrentHashMap<>();
    private final KsqlStatements statements;
    private final QueryEndpoint queries;
    private final AtomicInteger sourceSequence = new AtomicInteger();
    private volatile boolean closed;

    /**
     * Binds 127.0.0.1 on a free port; {@link #serve()} starts answering. {@code name} says what the server is in its
     * messages ("KsqlDbEmulator does not support …") and names its threads.
     */
    protected KsqlDbServer(String name) throws IOException {
        this.name = name;
        this.statements = new KsqlStatements(name, sources::get, sources::values);
        this.queries = new QueryEndpoint(name, sources::get, () -> closed);
        AtomicInteger threads = new AtomicInteger();
        String threadPrefix = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-") + "-";
        executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, threadPrefix + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
    }

    /** Starts a server named {@code name} on 127.0.0.1 on a free port. */
    public static KsqlDbServer start(String name) throws IOException {
        KsqlDbServer server = new KsqlDbServer(name);
        server.serve();
        return server;
    }

    /** Starts answering requests; a subclass calls it once it is fully constructed. */
    protected final void serve() {
        server.start();
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
        sources.values().forEach(InMemorySource::wakeUpForever);
        server.stop(0);
        executor.shutdownNow();
    }

    /**
     * Called with each request once its body has arrived, before it is handled, on the request's thread: what
     * happens to its response. Answers normally; the tests' emulator records requests, delays and sabotages them.
     */
    protected ResponseFault received(RecordedRequest request) throws InterruptedException {
        return ResponseFault.NONE;
    }

    // ---- data ----

    public Source createStream(String name, String topic, List<String> columns, List<String> keyColumns) {
        return create(name, topic, InMemorySource.Kind.STREAM, null, 0, columns, keyColumns);
    }

    public Source createTable(String name, String topic, List<String> columns, List<String> keyColumns) {
        return create(name, topic, InMemorySource.Kind.TABLE, null, 0, columns, keyColumns);
    }

    /** {@code windowType}: TUMBLING, HOPPING or SESSION; {@code windowSizeMs}: the size (SESSION: the gap). */
    public Source createWindowedTable(String name, String topic, String windowType, long windowSizeMs,
                                      List<String> columns, List<String> keyColumns) {
        InMemorySource.WindowType type = InMemorySource.WindowType.valueOf(windowType.toUpperCase(Locale.ROOT));
        if (windowSizeMs <= 0) {
            throw new IllegalArgumentException("Window size must be positive");
        }
        return create(name, topic, InMemorySource.Kind.TABLE, type, windowSizeMs, columns, keyColumns);
    }

    private Source create(String name, String topic, InMemorySource.Kind kind, InMemorySource.WindowType windowType,
                          long windowSizeMs, List<String> columns, List<String> keyColumns) {
        String sourceName = InMemorySource.identifier(name);
        InMemorySource source = new InMemorySource(sourceName, topic, kind, windowType, windowSizeMs, columns,
                keyColumns, sourceSequence.getAndIncrement());
        if (sources.putIfAbsent(sourceName, source) != null) {
            throw new IllegalArgumentException("Cannot add " + kind.name().toLowerCase(Locale.ROOT) + " '" + sourceName
                    + "': a source with the same name already exists");
        }
        return source;
    }

    public void drop(String name) {
        String sourceName = InMemorySource.identifier(name);
        if (sources.remove(sourceName) == null) {
            throw new IllegalArgumentException("No source " + sourceName);
        }
    }

    // ---- HTTP ----

    private void handle(HttpExchange exchange) throws IOException {
        boolean dropConnection = false;
        try {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            ResponseFault fault = received(record(exchange, path, body, Instant.now()));
            ResponseFault.Answer answer = fault.answer();
            if (answer != null) {
                Exchanges.respond(exchange, answer.status(), Exchanges.errorContentType(path, null), answer.body(),
                        ResponseFault.NONE);
            } else {
                route(exchange, path, body, fault);
            }
        } catch (DropConnection | InterruptedException e) {
            dropConnection = true;
            // the JDK server closes the connection when a handler throws, leaving the response unfinished
            throw new IOException(name + " dropped the connection", e);
        } catch (RuntimeException e) {
            if (exchange.getResponseCode() != -1) {
                dropConnection = true;
                throw e;
            }
            LOG.error("{}: internal error answering {}", name, exchange.getRequestURI(), e);
            Exchanges.respond(exchange, 500, MediaTypes.JSON, Json.write(KsqlError.genericBody(KsqlError.SERVER_ERROR,
                    name + " internal error: " + e)), ResponseFault.NONE);
        } finally {
            if (!dropConnection) {
                exchange.close();
            }
        }
    }

    private static RecordedRequest record(HttpExchange exchange, String path, byte[] body, Instant at) {
        Map<String, String> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((header, values) ->
                headers.put(header.toLowerCase(Locale.ROOT), String.join(",", values)));
        return new RecordedRequest(exchange.getRequestMethod(), path, Collections.unmodifiableMap(headers),
                new String(body, StandardCharsets.UTF_8), at);
    }

    private void route(HttpExchange exchange, String path, byte[] body, ResponseFault fault) throws IOException {
        String method = exchange.getRequestMethod();
        switch (path) {
            case "/query-stream", "/query", "/ksql", "/close-query" -> {
                if (!method.equals("POST")) {
                    Exchanges.respond(exchange, 405, null, "", fault);
                } else if (path.equals("/ksql")) {
                    handleKsql(exchange, body, fault);
                } else if (path.equals("/close-query")) {
                    queries.handleCloseQuery(exchange, body, fault);
                } else {
                    queries.handleQuery(exchange, body, fault, path.equals("/query-stream"));
                }
            }
            case "/info", "/healthcheck", "/" -> {
                if (!method.equals("GET")) {
                    Exchanges.respond(exchange, 405, null, "", fault);
                } else if (path.equals("/")) {
                    exchange.getResponseHeaders().set("location", "/info");
                    Exchanges.respond(exchange, 307, null, "", fault);
                } else if (!MediaTypes.acceptsJson(exchange)) {
                    Exchanges.respond(exchange, 406, null, "", fault);
                } else {
                    Exchanges.respond(exchange, 200, MediaTypes.JSON, path.equals("/info") ? INFO : HEALTHCHECK, fault);
                }
            }
            default -> Exchanges.respond(exchange, 404, null, "Not Found", fault);
        }
    }

    private void handleKsql(HttpExchange exchange, byte[] body, ResponseFault fault) throws IOException {
        if (!MediaTypes.acceptsJson(exchange)) {
            Exchanges.respond(exchange, 406, null, "", fault);
            return;
        }
        try {
            String ksql = Exchanges.optionalText(Exchanges.parseRequest(body), "ksql");
            if (ksql.isBlank()) {
                throw KsqlError.badRequest("\"ksql\" field must be populated");
            }
            Exchanges.respond(exchange, 200, MediaTypes.JSON, Json.write(statements.execute(ksql)), fault);
        } catch (KsqlError e) {
            Exchanges.respondError(exchange, "/ksql", e, fault);
        }
    }
}
