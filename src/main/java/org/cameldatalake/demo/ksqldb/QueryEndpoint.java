package org.cameldatalake.demo.ksqldb;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.cameldatalake.demo.ksqldb.InMemorySource.Change;
import org.cameldatalake.demo.ksqldb.InMemorySource.Row;
import org.cameldatalake.demo.ksqldb.ResponseFault.DropConnection;
import org.cameldatalake.demo.ksqldb.ResponseFault.ResponseEnded;

/**
 * {@code POST /query-stream}, {@code POST /query} (the migrated handler of ksqlDB 0.24+) and {@code POST /close-query}:
 * table and stream pull queries and push queries, streamed in the negotiated format.
 */
final class QueryEndpoint {
    private static final long PUSH_POLL_MS = 100;

    /** A running push query that {@code /close-query} can end. */
    private static final class PushQuery {
        final InMemorySource source;
        final InMemorySource.Cursor cursor;
        volatile boolean closeRequested;

        PushQuery(InMemorySource source, InMemorySource.Cursor cursor) {
            this.source = source;
            this.cursor = cursor;
        }
    }

    private final String serverName;
    private final Function<String, InMemorySource> sources;
    private final BooleanSupplier closed;
    private final Map<String, PushQuery> pushQueries = new ConcurrentHashMap<>();
    private final AtomicLong responseSeed = new AtomicLong();

    /** {@code closed}: whether the server is closing, which ends push queries by dropping their connections. */
    QueryEndpoint(String serverName, Function<String, InMemorySource> sources, BooleanSupplier closed) {
        this.serverName = serverName;
        this.sources = sources;
        this.closed = closed;
    }

    void handleQuery(HttpExchange exchange, byte[] body, ResponseFault fault, boolean queryStream) throws IOException {
        String path = queryStream ? "/query-stream" : "/query";
        MediaTypes.Negotiated negotiated = queryStream ? MediaTypes.queryStream(exchange) : MediaTypes.query(exchange);
        if (negotiated == null) {
            if (queryStream) {
                Exchanges.respond(exchange, 404, null, "Not Found", fault);
            } else {
                Exchanges.respond(exchange, 406, null, "", fault);
            }
            return;
        }
        try {
            if (queryStream && exchange.getProtocol().equals("HTTP/1.0")) {
                throw KsqlError.badRequest("This endpoint is only available when using HTTP1.1 or HTTP2")
                        .viaFailureHandler();
            }
            JsonNode request = Exchanges.parseRequest(body);
            String sql;
            JsonNode properties;
            if (queryStream) {
                sql = Exchanges.requiredText(request, "sql");
                properties = request.get("properties");
            } else {
                sql = Exchanges.optionalText(request, "ksql");
                if (sql.isBlank()) {
                    throw KsqlError.badRequest("\"ksql\" field must be populated");
                }
                properties = request.get("streamsProperties");
            }
            SelectQuery query = parseQuery(sql, queryStream);
            stream(exchange, query, negotiated, readsFromEarliest(properties), fault);
        } catch (KsqlError e) {
            Exchanges.respondError(exchange, path, e, fault);
        }
    }

    private SelectQuery parseQuery(String sql, boolean queryStream) {
        try {
            return SelectParser.parse(serverName, sql, sources);
        } catch (SelectParser.NotAQuery e) {
            if (queryStream) {
                throw KsqlError.badStatement(serverName + " runs only SELECT statements on /query-stream "
                        + "(PRINT is not emulated). Supported: " + SelectParser.SUPPORTED, sql);
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

    private void stream(HttpExchange exchange, SelectQuery query, MediaTypes.Negotiated negotiated, boolean earliest,
                        ResponseFault fault) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", negotiated.contentType());
        exchange.sendResponseHeaders(200, 0);
        ChunkedBody body = new ChunkedBody(exchange.getResponseBody(), responseSeed.incrementAndGet());
        byte[] replacement = fault.streamedBody();
        if (replacement != null) {
            body.append(replacement);
            body.flush();
            return;
        }
        ResultWriter writer = fault.writer(ResultWriter.create(negotiated.format(), body,
                query.kind == SelectQuery.Kind.TABLE_PULL));
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
        } catch (ResponseEnded e) {
            // the response has been terminated (after an in-band error)
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
                if (closed.getAsBoolean()) {
                    throw new DropConnection(serverName + " is closing");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DropConnection(serverName + " is closing");
        }
    }

    void handleCloseQuery(HttpExchange exchange, byte[] body, ResponseFault fault) throws IOException {
        try {
            String queryId = Exchanges.requiredText(Exchanges.parseRequest(body), "queryId");
            PushQuery query = pushQueries.get(queryId);
            if (query == null) {
                throw KsqlError.badRequest("No query with id " + queryId);
            }
            query.closeRequested = true;
            query.source.wakeUp();
            Exchanges.respond(exchange, 200, null, "", fault);
        } catch (KsqlError e) {
            Exchanges.respondError(exchange, "/close-query", e, fault);
        }
    }
}
