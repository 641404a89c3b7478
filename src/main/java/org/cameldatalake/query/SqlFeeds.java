package org.cameldatalake.query;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Function;
import org.apache.camel.Exchange;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.sink.ResultSetRows;
import org.cameldatalake.sink.SnapshotWriter;
import org.cameldatalake.storage.Storage;

/**
 * The steps of the {@code sql-snapshot} route (routes/sql.yaml): a SQL feed's query runs in DuckDB over the lake's
 * feeds as views ({@link LakeViews}, every feed readable: the service is the lake's owner), and its answer streams
 * into the feed's {@link SnapshotWriter} as a new version ({@link ResultSetRows}). A query that fails — a feed it names has no data or does
 * not exist, a column is unknown, a value does not fit — publishes nothing: the current version stays current and
 * {@code _metadata.json} says why ({@code last_error}).
 */
public final class SqlFeeds {
    public static final String FEED_HEADER = "datalakeFeed";

    private final Storage storage;
    private final Path feedsDir;
    private final Function<String, SnapshotWriter> writers;
    private final String memoryLimit;

    /** {@code writers}: the registered snapshot writer of a table feed by name (null when it does not run). */
    public SqlFeeds(Storage storage, Path feedsDir, Function<String, SnapshotWriter> writers, String memoryLimit) {
        this.storage = storage;
        this.feedsDir = feedsDir;
        this.writers = writers;
        this.memoryLimit = memoryLimit;
    }

    /** A SQL feed's failed snapshot, with a reason fit for one log or console line. */
    public static final class SqlFeedException extends IllegalStateException {
        public SqlFeedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Runs the feed's query and publishes its answer as the feed's next version. */
    public SnapshotWriter.Snapshot snapshot(Exchange exchange) throws Exception {
        SnapshotWriter writer = writer(exchange);
        FeedDefinition feed = writer.feed();
        Path root = storage.localRoot();
        if (root == null) {
            throw new SqlFeedException("SQL feeds need a local lake root, not " + storage.root()
                    + ": they read the lake with DuckDB, which reads local files only here (no httpfs extension)", null);
        }
        LakeViews views = LakeViews.of(root, feedsDir, memoryLimit);
        try (LakeViews.Session session = views.open(QueryAccess.owner());
             Statement statement = session.connection().createStatement()) {
            try (ResultSet rs = statement.executeQuery(feed.sql())) {
                SnapshotWriter.Snapshot s = writer.write(new ResultSetRows(feed.name(), rs));
                exchange.getMessage().setBody(s);
                return s;
            } catch (SQLException e) {
                throw new SqlFeedException(session.reason(e), e);
            } catch (IOException e) {
                throw new SqlFeedException(e.getCause() instanceof SQLException q ? session.reason(q) : e.getMessage(), e);
            }
        }
    }

    /**
     * After a failed snapshot (the route's onException): records why in the log, {@code _metadata.json} and the export
     * log, and makes the exception the caller gets (the command line, the scheduled route) a one-line reason.
     */
    public void failed(Exchange exchange) {
        Exception cause = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        SqlFeedException e = cause instanceof SqlFeedException s ? s
                : new SqlFeedException(cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause);
        SnapshotWriter writer = writers.apply(exchange.getMessage().getHeader(FEED_HEADER, String.class));
        if (writer != null) {
            writer.recordFailure(e, 1);
        }
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, e);
    }

    private SnapshotWriter writer(Exchange exchange) {
        String feed = exchange.getMessage().getHeader(FEED_HEADER, String.class);
        SnapshotWriter w = writers.apply(feed);
        if (w == null || !w.feed().isSqlTable()) {
            throw new SqlFeedException("no SQL table feed named " + feed + " runs", null);
        }
        return w;
    }
}
