package org.cameldatalake.demo.ksqldb;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * A chunked response body that sends whatever is flushed in pieces of random size, each as its own HTTP chunk. The
 * first piece of a flush always ends inside its first line, and no piece but the last of a flush ends next to a
 * newline, so a client that assumes one element (or whole lines) per chunk fails against this server.
 */
final class ChunkedBody {
    private static final int MAX_PIECE = 256;

    private final OutputStream out;
    private final Random random;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    /** {@code out}: the exchange's response body after {@code sendResponseHeaders(200, 0)}. */
    ChunkedBody(OutputStream out, long seed) {
        this.out = out;
        this.random = new Random(seed);
    }

    void append(String text) {
        pending.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    void append(byte[] bytes) {
        pending.writeBytes(bytes);
    }

    int pendingBytes() {
        return pending.size();
    }

    void flush() throws IOException {
        byte[] data = pending.toByteArray();
        pending.reset();
        // the first piece stops short of a trailing newline, so a single element always spans two chunks
        int firstPieceLimit = data.length - (data.length > 0 && data[data.length - 1] == '\n' ? 2 : 1);
        int position = 0;
        while (position < data.length) {
            int size = position == 0 && firstPieceLimit >= 1
                    ? 1 + random.nextInt(Math.min(firstPieceLimit, MAX_PIECE))
                    : Math.min(data.length - position, 1 + random.nextInt(MAX_PIECE));
            int end = position + size;
            while (end < data.length && (data[end - 1] == '\n' || data[end] == '\n')) {
                end++;
            }
            out.write(data, position, end - position);
            out.flush();
            position = end;
        }
    }
}
