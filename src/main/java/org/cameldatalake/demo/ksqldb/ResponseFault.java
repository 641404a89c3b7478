package org.cameldatalake.demo.ksqldb;

import java.io.IOException;
import java.io.OutputStream;

/**
 * What happens to one response on its way out, for a server that sabotages responses to test its clients
 * ({@link KsqlDbServer#received}). Each method is called at the point where such a fault strikes; the defaults, as in
 * {@link #NONE}, answer normally.
 */
public interface ResponseFault {

    ResponseFault NONE = new ResponseFault() {
    };

    /** A status and body to answer with instead of handling the request. */
    record Answer(int status, String body) {
    }

    /** The answer instead of handling the request, or null to handle it. */
    default Answer answer() {
        return null;
    }

    /** A whole (not streamed) body about to be announced: the bytes to announce and send instead. */
    default byte[] body(byte[] body) {
        return body;
    }

    /** Sends the announced whole body; may send part of it and throw {@link DropConnection}. */
    default void send(OutputStream out, byte[] body) throws IOException {
        out.write(body);
    }

    /** A streamed result: the bytes to send instead of the query's result (the query is still checked), or null. */
    default byte[] streamedBody() {
        return null;
    }

    /** A streamed result: the writer the query's result goes through. */
    default ResultWriter writer(ResultWriter writer) {
        return writer;
    }

    /** The connection must be closed now, without finishing the response. */
    final class DropConnection extends RuntimeException {
        public DropConnection(String message) {
            super(message, null, false, false);
        }
    }

    /** The response was ended early (after an in-band error); the query must stop. */
    final class ResponseEnded extends RuntimeException {
        public ResponseEnded(String message) {
            super(message, null, false, false);
        }
    }
}
