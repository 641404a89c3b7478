package org.cameldatalake.demo.ksqldb;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's stand-in for a ksqlDB server, started only by the {@code demo} command: a {@link KsqlDbServer} (the
 * ksqlDB REST API, as strict as the tests' emulator) serving seed 000's four streams and four tables, derived from
 * the demo's Kafka topics as ksqlDB would derive them ({@link TransactionViews}). It is not a ksqlDB: it runs no
 * statements of its own and keeps everything in memory, each stream's newest {@value #STREAM_ROWS_KEPT} rows.
 */
public final class SimulatedKsqlDb implements AutoCloseable {
    /** Per stream: about a tenth of a gigabyte in all for the four streams, and more than the demo's first burst. */
    public static final int STREAM_ROWS_KEPT = 30_000;
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedKsqlDb.class);

    private final KsqlDbServer server;
    private final TopicFollower topics;

    private SimulatedKsqlDb(KsqlDbServer server, TopicFollower topics) {
        this.server = server;
        this.topics = topics;
    }

    /**
     * Starts serving on 127.0.0.1 on a free port and follows the transaction topics of the broker at
     * {@code bootstrapServers} from their beginning; the topics must exist.
     */
    public static SimulatedKsqlDb start(String bootstrapServers) throws IOException {
        KsqlDbServer server = KsqlDbServer.start("simulated ksqlDB");
        try {
            TransactionViews views = new TransactionViews(server, STREAM_ROWS_KEPT);
            TopicFollower topics = TopicFollower.start(bootstrapServers, Map.of(
                    TransactionViews.TRANSACTIONS_TOPIC, views::transaction,
                    TransactionViews.BLACKLISTED_TOPIC, views::blacklisted), "simulated-ksqldb-topics");
            LOG.info("demo: simulated ksqlDB on {} — not a real ksqlDB: seed 000's 4 streams and 4 tables, derived in "
                    + "memory from {} and {}", server.url(), TransactionViews.TRANSACTIONS_TOPIC,
                    TransactionViews.BLACKLISTED_TOPIC);
            return new SimulatedKsqlDb(server, topics);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    public String url() {
        return server.url();
    }

    /**
     * Waits until the streams and tables reflect every record that was in the topics when this was called; false
     * if that took longer than {@code timeout}.
     */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return topics.awaitCaughtUp(timeout);
    }

    /** Records of the topics that were skipped: not JSON objects, or values that do not fit their columns. */
    public long recordsSkipped() {
        return topics.skipped();
    }

    @Override
    public void close() throws InterruptedException {
        try {
            topics.close();
        } finally {
            server.close();
        }
    }
}
