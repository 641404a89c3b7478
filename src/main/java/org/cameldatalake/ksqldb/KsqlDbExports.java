package org.cameldatalake.ksqldb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.cameldatalake.decode.KsqlRowDecoder;
import org.cameldatalake.sink.AppendWriter;
import org.cameldatalake.sink.AppendWriters;
import org.cameldatalake.sink.SnapshotWriter;
import org.cameldatalake.schema.KsqlRowSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of the {@code ksqldb-snapshot} and {@code ksqldb-stream-poll} routes: build the pull query of a table
 * feed (a stream feed), stream the response into the feed's {@link SnapshotWriter} ({@link AppendWriter}), tell
 * the retry policy which failures are worth retrying, and turn the last failure into one clear message (recorded in
 * the feed's metadata).
 * The query goes to {@code POST /query-stream} with {@code sql}/{@code properties} (not {@code ksql}/
 * {@code streamsProperties}, which that endpoint ignores) and an explicit {@code Accept} (research §3).
 */
public final class KsqlDbExports {
    private static final Logger LOG = LoggerFactory.getLogger(KsqlDbExports.class);
    public static final String FEED_HEADER = "datalakeFeed";
    public static final String V1_JSON = "application/vnd.ksql.v1+json";
    /** Rows of a stream poll handed to the writer at once (more when a ROWTIME tie runs past them). */
    static final int POLL_BATCH_ROWS = 5_000;

    private final Map<String, SnapshotWriter> snapshots = new ConcurrentHashMap<>();
    private final AppendWriters streams;
    private final String ksqldbUrl;
    private final java.time.Clock clock;
    private final long pollBuffer;
    private final java.nio.file.Path pollSpillDir;

    /**
     * {@code pollBuffer}: bytes of a stream poll's rows held in memory to be sorted by ROWTIME; beyond them sorted
     * runs go to temporary files in {@code pollSpillDir}.
     */
    public KsqlDbExports(String ksqldbUrl, AppendWriters streams, java.time.Clock clock, long pollBuffer,
                         java.nio.file.Path pollSpillDir) {
        this.ksqldbUrl = ksqldbUrl;
        this.streams = streams;
        this.clock = clock;
        this.pollBuffer = pollBuffer;
        this.pollSpillDir = pollSpillDir;
    }

    public void register(SnapshotWriter writer) {
        snapshots.put(writer.feed().name(), writer);
    }

    public SnapshotWriter remove(String feed) {
        return snapshots.remove(feed);
    }

    public SnapshotWriter snapshotWriter(String feed) {
        return snapshots.get(feed);
    }

    /** Sets the request: a pull query over the whole table. */
    public void tableQuery(Exchange exchange) {
        SnapshotWriter w = writer(exchange);
        // ksqldb_source is validated as an identifier: unquoted, ksqlDB upper-cases it as it does in the seeds' queries
        request(exchange, "SELECT * FROM " + w.feed().ksqldbSource() + ";");
    }

    /** A query for {@code POST /query-stream}: {@code sql}/{@code properties}, and an explicit Accept (research §3). */
    private static void request(Exchange exchange, String sql) {
        ObjectNode body = KsqlQueryResponse.JSON.createObjectNode();
        body.put("sql", sql);
        body.putObject("properties");
        exchange.getMessage().setBody(body.toString());
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, V1_JSON);
        exchange.getMessage().setHeader("Accept", V1_JSON);
    }

    /**
     * Sets the request of an incremental stream poll: the rows after the ROWTIME watermark the lake holds. A pull
     * query on a stream reads the topic up to the end offsets seen at its start and then completes; unlike
     * {@code EMIT CHANGES}, it ends.
     */
    public void streamQuery(Exchange exchange) throws java.io.IOException {
        AppendWriter w = streamWriter(exchange);
        // what the lake holds is read afresh: another instance may have polled since this one last did
        w.reset(java.util.List.of(new org.apache.kafka.common.TopicPartition(positionName(w.feed()), 0)));
        long watermark = w.polled().watermark(positionName(w.feed()));
        request(exchange, "SELECT ROWTIME, * FROM " + w.feed().ksqldbSource()
                + (watermark >= 0 ? " WHERE ROWTIME > " + watermark : "") + ";");
    }

    /**
     * Appends the rows of a complete stream poll in ROWTIME order and publishes them; the ROWTIME range is in the
     * file names, so the next poll (even after a crash) starts after what the lake holds and repeats nothing.
     * The rows are sorted in bounded memory ({@link RowtimeSort}: {@code datalake.ksqldb.poll-buffer} bytes, the rest
     * in temporary files) and appended in batches that never split a ROWTIME tie.
     */
    public String appendStreamPoll(Exchange exchange) throws Exception {
        AppendWriter w = streamWriter(exchange);
        checkContentType(exchange);
        try (KsqlQueryResponse response = new KsqlQueryResponse(exchange.getMessage().getBody(InputStream.class));
             RowtimeSort sort = new RowtimeSort(pollBuffer, pollSpillDir)) {
            KsqlQueryResponse.Header header = response.header();
            int rowtime = -1;
            for (int i = 0; i < header.columns().size(); i++) {
                if (header.columns().get(i).name().equals("ROWTIME")) {
                    rowtime = i;
                }
            }
            if (rowtime < 0) {
                throw new KsqlDbException(0, "the stream poll's response has no ROWTIME column");
            }
            JsonNode row;
            while ((row = response.nextRow()) != null) {
                if (row.size() <= rowtime || !row.get(rowtime).canConvertToLong()) {
                    throw new KsqlDbException(0, "a row of the stream poll has no ROWTIME: " + row);
                }
                sort.add(row.get(rowtime).longValue(), row);
            }
            String position = positionName(w.feed());
            KsqlRowSchema schema = new KsqlRowSchema(w.feed().name(), header.columns());
            long[] landed = new long[3]; // written, rejected, skipped
            List<KsqlRowDecoder.Row> batch = new ArrayList<>();
            RowtimeSort.Cursor sorted = sort.sorted();
            for (RowtimeSort.Row r = sorted.next(); r != null; r = sorted.next()) {
                // a batch ends only where the ROWTIME changes: the decoder keeps a tie in one file within a batch
                if (batch.size() >= POLL_BATCH_ROWS && batch.get(batch.size() - 1).offset() != r.rowtime()) {
                    append(w, schema, batch, landed);
                    batch = new ArrayList<>();
                }
                batch.add(new KsqlRowDecoder.Row(position, 0, r.rowtime(), r.rowtime(), r.columns()));
            }
            append(w, schema, batch, landed);
            w.publishAll();
            if (sort.rows() > 0) {
                // only now is every row up to this ROWTIME in the lake; a poll that fails earlier is repeated whole,
                // and the ROWTIME ranges in file names keep what it had published from landing twice
                w.polled().advanceWatermark(position, sort.maxRowtime());
            }
            w.polled().recordSuccess();
            String summary = landed[0] + " rows landed, " + landed[1] + " rejected, " + landed[2]
                    + " already in the lake; watermark ROWTIME " + w.polled().watermark(position)
                    + (sort.spilledRuns() > 0 ? " (sorted on disk in " + sort.spilledRuns() + " runs)" : "");
            exchange.getMessage().setBody(summary);
            return summary;
        }
    }

    private static void append(AppendWriter w, KsqlRowSchema schema, List<KsqlRowDecoder.Row> batch, long[] landed)
            throws java.io.IOException {
        if (batch.isEmpty()) {
            return;
        }
        AppendWriter.BatchResult result = w.appendDeclared(schema, batch);
        landed[0] += result.written();
        landed[1] += result.rejected();
        landed[2] += result.skipped();
    }

    /** Streams and ROWTIME ranges of ksqlDB stream feeds are named after the ksqlDB source, as ksqlDB stores it. */
    static String positionName(org.cameldatalake.feed.FeedDefinition feed) {
        return feed.ksqldbSource().toUpperCase(java.util.Locale.ROOT);
    }

    private AppendWriter streamWriter(Exchange exchange) {
        String feed = exchange.getMessage().getHeader(FEED_HEADER, String.class);
        AppendWriter w = streams.byFeed(feed);
        if (w == null) {
            throw new IllegalArgumentException("no ksqlDB stream feed named " + feed);
        }
        return w;
    }

    private static void checkContentType(Exchange exchange) {
        String type = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
        if (type == null || !type.startsWith(V1_JSON)) {
            throw new KsqlDbException(0, "ksqlDB answered with content type " + type + " instead of " + V1_JSON);
        }
    }

    /** Streams the response body into a new table version. */
    public SnapshotWriter.Snapshot writeSnapshot(Exchange exchange) throws Exception {
        SnapshotWriter w = writer(exchange);
        checkContentType(exchange);
        try (KsqlQueryResponse response = new KsqlQueryResponse(exchange.getMessage().getBody(InputStream.class))) {
            SnapshotWriter.Snapshot s = w.write(new KsqlSnapshotRows(response, w.feed().name(), w.feed().ksqldbSource(),
                    clock.millis()));
            exchange.getMessage().setBody(s);
            return s;
        }
    }

    /**
     * Whether ksqlDB refused the query itself (HTTP 4xx or an error element with a 4xxxx code: unknown or unqueryable
     * source, bad statement, forbidden): the same query gets the same answer, so it is not retried. Timeouts (408)
     * and pull-query rate limits (429) are retried like server errors, dropped connections and malformed responses.
     */
    public boolean permanent(Exchange exchange) {
        for (Throwable t = caught(exchange); t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof HttpOperationFailedException h) {
                return refused(h.getStatusCode());
            }
            if (t instanceof KsqlDbException k && k.errorCode() > 0) {
                return refused(k.errorCode() / 100); // error_code = HTTP status × 100 + n
            }
        }
        return false;
    }

    private static boolean refused(int status) {
        return status >= 400 && status < 500 && status != 408 && status != 429;
    }

    /** Each failed attempt of an export that will be retried (the route's onExceptionOccurred): one WARN line. */
    public void attemptFailed(Exchange exchange) {
        Integer max = exchange.getMessage().getHeader(Exchange.REDELIVERY_MAX_COUNTER, Integer.class);
        int attempt = exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 1, Integer.class);
        if (max != null && attempt <= max) {
            LOG.warn("{}: attempt {} of {} failed, retrying: {}", exchange.getMessage().getHeader(FEED_HEADER),
                    attempt, max + 1, describe(caught(exchange)));
        }
    }

    /**
     * After the last attempt (the route's onException): records why the export failed and makes the exception the
     * caller gets (the command line, the scheduled route) a one-line reason.
     */
    public void failed(Exchange exchange) {
        Exception cause = caught(exchange);
        KsqlDbExportException e = new KsqlDbExportException(describe(cause), cause);
        // the failure processor has taken one off the counter: it holds the redeliveries made
        int attempts = 1 + exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class);
        String feed = exchange.getMessage().getHeader(FEED_HEADER, String.class);
        SnapshotWriter w = snapshots.get(feed);
        if (w != null) {
            w.recordFailure(e, attempts);
        } else if (streams.byFeed(feed) != null) {
            streams.byFeed(feed).polled().recordFailure("poll failed" + (attempts > 1 ? " after " + attempts + " attempts" : "")
                    + ", the watermark stays: " + e.getMessage(), attempts);
        }
        // not handled: once this handler is done, Camel's RedeliveryErrorHandler fails the exchange with the
        // EXCEPTION_CAUGHT property, so this one-line reason is what the caller gets
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, e);
    }

    private static Exception caught(Exchange exchange) {
        return exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
    }

    /** One line saying why an export failed, from the first cause in the chain that explains it. */
    String describe(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof HttpOperationFailedException h) {
                String body = h.getResponseBody();
                try {
                    JsonNode err = KsqlQueryResponse.JSON.readTree(body);
                    return "ksqlDB answered HTTP " + h.getStatusCode() + ", error " + err.path("error_code").asInt() + ": "
                            + err.path("message").asText();
                } catch (Exception notJson) {
                    return "ksqlDB answered HTTP " + h.getStatusCode() + ": " + (body == null ? h.getStatusText() : body.strip());
                }
            }
            if (t instanceof ConnectException) {
                // HttpClient's HttpHostConnectException says "Connect to <url> failed: <reason>": keep the reason
                String reason = String.valueOf(t.getMessage()).replaceFirst("^Connect to \\S+ failed: ", "");
                return "ksqlDB is unreachable at " + ksqldbUrl + ": " + reason;
            }
            if (t instanceof SocketTimeoutException) {
                return "ksqlDB at " + ksqldbUrl + " did not answer in time: " + t.getMessage();
            }
            if (t instanceof KsqlDbException) {
                return t.getMessage();
            }
        }
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }

    private SnapshotWriter writer(Exchange exchange) {
        String feed = exchange.getMessage().getHeader(FEED_HEADER, String.class);
        SnapshotWriter w = snapshots.get(feed);
        if (w == null) {
            throw new IllegalArgumentException("no table feed named " + feed);
        }
        return w;
    }

    /** An export that did not happen, with a reason fit for one log or console line. */
    public static final class KsqlDbExportException extends RuntimeException {
        public KsqlDbExportException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
