package org.cameldatalake.jdbc;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.cameldatalake.decode.DecodedRecord;
import org.cameldatalake.decode.SourceRecord;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.feed.JdbcSource;
import org.cameldatalake.schema.RowSchema;
import org.cameldatalake.sink.AppendWriter;
import org.cameldatalake.sink.AppendWriters;
import org.cameldatalake.sink.SnapshotWriter;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The steps of the {@code jdbc-export} route (routes/jdbc.yaml), around Camel's {@code sql} component, which runs the
 * query and streams the rows ({@link JdbcRowMappers}): {@link #query} builds the feed's query and names its data
 * source; {@link #land} lands the rows — a stream feed's new and changed rows by its incremental column, exactly once
 * ({@link JdbcCursor}), or a table feed's whole table as a new version; {@link #failed} records why an export failed.
 * A stream poll holds its rows in memory until they land, as ksqlDB polls do: poll often enough to keep it modest.
 */
public final class JdbcFeeds {
    public static final String FEED_HEADER = "datalakeFeed";
    public static final String DATA_SOURCE_HEADER = "datalakeJdbcDataSource";
    private static final String MASK = "****";

    private final CamelContext ctx;
    private final AppendWriters streams;
    private final Function<String, SnapshotWriter> tables;
    private final Clock clock;
    private final ZoneId zone;
    private final Map<String, Registered> dataSources = new ConcurrentHashMap<>();

    private record Registered(JdbcSource source, String name, String password) {
    }

    public JdbcFeeds(CamelContext ctx, AppendWriters streams, Function<String, SnapshotWriter> tables, Clock clock,
                     ZoneId zone) {
        this.ctx = ctx;
        this.streams = streams;
        this.tables = tables;
        this.clock = clock;
        this.zone = zone;
    }

    /** An export that did not happen, with a reason fit for one log or console line (no password in it). */
    public static final class JdbcFeedException extends IllegalStateException {
        public JdbcFeedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Sets the query of the feed named by the header: a table feed reads the whole table; a stream feed reads from its
     * cursor ({@code >=} the value it reached, see {@link JdbcCursor}), up to the pending poll's bound when one is to be
     * repeated, in the order of the incremental column, repeated last as {@link JdbcRowMappers#POSITION_COLUMN}.
     */
    public void query(Exchange exchange) throws IOException {
        FeedDefinition feed = feed(exchange);
        JdbcSource jdbc = feed.jdbc();
        exchange.getMessage().setHeader(DATA_SOURCE_HEADER, dataSource(feed));
        if (feed.type() == FeedDefinition.FeedType.TABLE) {
            exchange.getMessage().setBody("SELECT * FROM " + jdbc.table());
            return;
        }
        String column = "t." + jdbc.incrementalColumn();
        JdbcCursor cursor = cursor(stream(feed));
        List<String> where = new ArrayList<>();
        where.add(column + " IS NOT NULL");
        if (cursor.value() != null) {
            where.add(column + " >= :?datalakeFrom");
            exchange.getMessage().setHeader("datalakeFrom", cursor.value().bindable());
        }
        if (cursor.pending() != null) {
            where.add(column + " <= :?datalakeTo");
            exchange.getMessage().setHeader("datalakeTo", cursor.pending().to().bindable());
        }
        exchange.getMessage().setBody("SELECT t.*, " + column + " AS " + JdbcRowMappers.POSITION_COLUMN + " FROM "
                + jdbc.table() + " t WHERE " + String.join(" AND ", where) + " ORDER BY " + column);
    }

    /** Lands the rows the {@code sql} endpoint streamed (the body: an iterator of {@link JdbcRow}). */
    public String land(Exchange exchange) throws Exception {
        FeedDefinition feed = feed(exchange);
        Iterator<?> rows = exchange.getMessage().getMandatoryBody(Iterator.class);
        try {
            if (feed.type() == FeedDefinition.FeedType.TABLE) {
                SnapshotWriter.Snapshot s = table(feed).write(new JdbcSnapshotRows(feed.name(), rows));
                String summary = "version v" + s.version() + " (" + s.records() + " rows) in " + s.path();
                exchange.getMessage().setBody(s);
                return summary;
            }
            List<JdbcRow> read = new ArrayList<>();
            rows.forEachRemaining(r -> read.add((JdbcRow) r));
            String summary = poll(feed, stream(feed), read);
            exchange.getMessage().setBody(summary);
            return summary;
        } finally {
            if (rows instanceof Closeable c) {
                c.close();
            }
        }
    }

    private String poll(FeedDefinition feed, AppendWriter writer, List<JdbcRow> read) throws IOException {
        String position = position(feed);
        JdbcCursor cursor = cursor(writer);
        Map<String, Integer> landedAtValue = counts(cursor.keys());
        Map<String, Integer> allowedAtTo = cursor.pending() == null ? null : counts(cursor.pending().keys());
        List<JdbcRow> fresh = new ArrayList<>();
        for (JdbcRow r : read) {
            String key = JdbcCursor.key(r.raw());
            if (r.position().equals(cursor.value()) && take(landedAtValue, key)) {
                continue; // landed by an earlier poll at exactly the value the cursor holds
            }
            if (cursor.pending() != null && r.position().equals(cursor.pending().to()) && !take(allowedAtTo, key)) {
                continue; // committed after the pending poll read its rows: the next poll takes it
            }
            fresh.add(r);
        }
        if (cursor.pending() == null) {
            if (fresh.isEmpty()) {
                writer.polled().recordSuccess();
                return "0 rows landed, 0 rejected, 0 already in the lake; nothing new in " + feed.jdbc().table();
            }
            JdbcCursor.Value to = fresh.get(fresh.size() - 1).position();
            List<String> keys = new ArrayList<>(to.equals(cursor.value()) ? cursor.keys() : List.of());
            fresh.stream().filter(r -> r.position().equals(to)).forEach(r -> keys.add(JdbcCursor.key(r.raw())));
            String columns = fresh.get(0).schema().columnsText();
            int version = columns.equals(cursor.columns()) ? cursor.schemaVersion() : cursor.schemaVersion() + 1;
            cursor = cursor.withSchema(version, columns)
                    .withPending(new JdbcCursor.Pending(cursor.poll() + 1, to, List.copyOf(keys), clock.millis()));
            writer.polled().saveCursor(position, cursor.toJson()); // what this poll lands, before any of it lands
        }
        AppendWriter.BatchResult result = writer.appendConverted(decoded(feed, cursor, fresh));
        writer.publishAll();
        JdbcCursor moved = cursor.advanced();
        writer.polled().saveCursor(position, moved.toJson());
        writer.polled().recordSuccess();
        return result.written() + " rows landed, " + result.rejected() + " rejected, " + result.skipped()
                + " already in the lake; " + feed.jdbc().incrementalColumn() + " reached " + moved.value().text();
    }

    /** The rows of the pending poll as records at the poll's position, dated by their incremental column if a time. */
    private List<DecodedRecord> decoded(FeedDefinition feed, JdbcCursor cursor, List<JdbcRow> rows) {
        JdbcCursor.Pending p = cursor.pending();
        LocalDate pollDay = Instant.ofEpochMilli(p.atMillis()).atZone(zone).toLocalDate();
        Map<Schema, RowSchema> schemas = new HashMap<>();
        List<DecodedRecord> out = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            JdbcRow r = rows.get(i);
            SourceRecord source = new SourceRecord(feed.jdbc().table(), 0, p.poll(), p.atMillis(), null,
                    r.raw().toString().getBytes(StandardCharsets.UTF_8));
            if (r.record() == null) {
                out.add(DecodedRecord.rejected(source, r.problem()));
                continue;
            }
            LocalDate day = r.position().day(zone);
            RowSchema schema = schemas.computeIfAbsent(r.schema().avro(), s -> new JdbcRowSchema(cursor.schemaVersion(), s));
            // every row of a poll shares its position: they stay in one file per day (not splittable but the last)
            out.add(new DecodedRecord(source, day == null ? pollDay : day, schema, r.record(), null, null, i == rows.size() - 1));
        }
        return out;
    }

    private record JdbcRowSchema(int version, Schema avro) implements RowSchema {
    }

    private static Map<String, Integer> counts(List<String> keys) {
        Map<String, Integer> out = new HashMap<>();
        keys.forEach(k -> out.merge(k, 1, Integer::sum));
        return out;
    }

    /** Takes one occurrence of {@code key}; false when there is none left. */
    private static boolean take(Map<String, Integer> counts, String key) {
        Integer n = counts.get(key);
        if (n == null || n == 0) {
            return false;
        }
        counts.put(key, n - 1);
        return true;
    }

    /**
     * After a failed export (the route's onException): records why in the feed's metadata and the log, and makes the
     * exception the caller gets a one-line reason without the database password.
     */
    public void failed(Exchange exchange) {
        Exception cause = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String feedName = exchange.getMessage().getHeader(FEED_HEADER, String.class);
        Registered reg = feedName == null ? null : dataSources.get(feedName);
        String reason = masked(reg, describe(cause));
        JdbcFeedException e = new JdbcFeedException(reason, null);
        AppendWriter stream = streams.byFeed(feedName);
        SnapshotWriter table = tables.apply(feedName);
        if (stream != null) {
            stream.polled().recordFailure("poll failed, the cursor stays: " + reason, 1);
        } else if (table != null) {
            table.recordFailure(e, 1);
        }
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, e);
    }

    private static String describe(Throwable cause) {
        Throwable t = cause;
        while (t.getCause() != null && t.getCause() != t && (t.getMessage() == null
                || t instanceof org.springframework.dao.DataAccessException)) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    private static String masked(Registered reg, String text) {
        if (reg == null || text == null || reg.password() == null || reg.password().length() < 3) {
            return text;
        }
        return text.replace(reg.password(), MASK);
    }

    /**
     * The registry name of the feed's data source, bound on first use and again when its {@code jdbc} block changed.
     * Placeholders in url, user and password ({@code {{env:SHOP_PASSWORD}}}) are resolved here, never logged.
     */
    private String dataSource(FeedDefinition feed) {
        Registered reg = dataSources.compute(feed.name(), (name, old) -> {
            if (old != null && old.source().equals(feed.jdbc())) {
                return old;
            }
            JdbcSource j = feed.jdbc();
            String password = resolve(j.password());
            String bean = "datalakeJdbc-" + name;
            ctx.getRegistry().bind(bean, new DriverManagerDataSource(resolve(j.url()), resolve(j.user()), password));
            return new Registered(j, bean, password);
        });
        return reg.name();
    }

    private String resolve(String text) {
        return text == null ? null : ctx.resolvePropertyPlaceholders(text);
    }

    private static String position(FeedDefinition feed) {
        return "jdbc:" + feed.jdbc().table();
    }

    private JdbcCursor cursor(AppendWriter writer) throws IOException {
        return JdbcCursor.fromJson(writer.polled().cursor(position(writer.feed())));
    }

    private FeedDefinition feed(Exchange exchange) {
        String name = exchange.getMessage().getHeader(FEED_HEADER, String.class);
        AppendWriter s = streams.byFeed(name);
        if (s != null && s.feed().isJdbc()) {
            return s.feed();
        }
        SnapshotWriter t = tables.apply(name);
        if (t != null && t.feed().isJdbc()) {
            return t.feed();
        }
        throw new JdbcFeedException("no JDBC feed named " + name + " runs", null);
    }

    private AppendWriter stream(FeedDefinition feed) {
        return streams.byFeed(feed.name());
    }

    private SnapshotWriter table(FeedDefinition feed) {
        return tables.apply(feed.name());
    }
}
