package org.cameldatalake.ksqldb;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import org.cameldatalake.demo.ksqldb.KsqlError;
import org.cameldatalake.demo.ksqldb.ResponseFault.DropConnection;
import org.cameldatalake.demo.ksqldb.ResponseFault.ResponseEnded;
import org.cameldatalake.demo.ksqldb.ResultWriter;
import org.cameldatalake.demo.ksqldb.SelectQuery;

/** Sabotages a streamed response after a number of rows, as configured by the emulator's fault methods. */
final class FaultInjectingWriter implements ResultWriter {

    enum Mode { DROP, ERROR, MALFORMED, STALL }

    /** The element after the header in a response sabotaged by {@link KsqlDbEmulator#malformedNext}: cut-off JSON. */
    private static final String MALFORMED_V1 = "{\"row\":{\"columns\":[\"malformed";
    private static final String MALFORMED_ROW = "[\"malformed";

    static final String INJECTED_ERROR = "java.lang.RuntimeException: Failure in processing (injected by KsqlDbEmulator)";

    private final ResultWriter inner;
    private final Mode mode;
    private final int rowsBefore;
    private final long stallMillis;
    private int rows;
    private boolean stalled;

    FaultInjectingWriter(ResultWriter inner, Mode mode, int rowsBefore) {
        this(inner, mode, rowsBefore, 0);
    }

    /** {@link Mode#STALL}: after {@code rowsBefore} rows, sends what it has and goes silent for {@code stallMillis}. */
    FaultInjectingWriter(ResultWriter inner, Mode mode, int rowsBefore, long stallMillis) {
        this.inner = inner;
        this.mode = mode;
        this.rowsBefore = rowsBefore;
        this.stallMillis = stallMillis;
    }

    @Override
    public Format format() {
        return inner.format();
    }

    @Override
    public void header(String queryId, SelectQuery query) throws IOException {
        inner.header(queryId, query);
        if (mode == Mode.MALFORMED) {
            inner.rawElement(inner.format() == Format.V1 ? MALFORMED_V1 : MALFORMED_ROW);
        }
        maybeStrike();
    }

    @Override
    public void row(ArrayNode values, boolean tombstone) throws IOException {
        inner.row(values, tombstone);
        rows++;
        maybeStrike();
    }

    @Override
    public void finalMessage(String message) throws IOException {
        strikeIfPending();
        inner.finalMessage(message);
    }

    @Override
    public void error(ObjectNode error) throws IOException {
        inner.error(error);
    }

    @Override
    public void rawElement(String text) throws IOException {
        inner.rawElement(text);
    }

    @Override
    public void end() throws IOException {
        strikeIfPending();
        inner.end();
    }

    @Override
    public void flush() throws IOException {
        inner.flush();
    }

    private void maybeStrike() throws IOException {
        if (rows == rowsBefore) {
            strikeIfPending();
        }
    }

    /** A query that ends before reaching the row count gets the fault instead of its normal ending. */
    private void strikeIfPending() throws IOException {
        if (mode == Mode.DROP) {
            inner.flush();
            throw new DropConnection("connection dropped by KsqlDbEmulator");
        }
        if (mode == Mode.ERROR) {
            inner.error(KsqlError.genericBody(KsqlError.SERVER_ERROR, INJECTED_ERROR));
            inner.end();
            throw new ResponseEnded("query ended by KsqlDbEmulator");
        }
        if (mode == Mode.STALL && !stalled) {
            stalled = true;
            inner.flush();
            try {
                Thread.sleep(stallMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DropConnection("connection dropped by KsqlDbEmulator"); // the emulator is closing
            }
            // then the response goes on as if nothing happened (a client that gave up has closed the connection)
        }
    }
}
