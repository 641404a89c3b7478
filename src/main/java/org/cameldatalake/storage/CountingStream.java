package org.cameldatalake.storage;

import java.io.IOException;
import java.io.OutputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FSError;
import org.apache.parquet.io.PositionOutputStream;

/**
 * A Parquet output stream over a Hadoop stream that counts the bytes handed to the file system (what the writer no
 * longer holds in memory), names the file in every failure, and with {@code syncOnClose} hsyncs before it reports
 * itself closed: the rename that publishes the file must not outlive its bytes. Closing twice closes once.
 */
final class CountingStream extends PositionOutputStream {
    private final FSDataOutputStream out;
    private final String name;
    private final boolean syncOnClose;
    private volatile long written;
    private boolean closed;

    CountingStream(FSDataOutputStream out, String name, boolean syncOnClose) {
        this.out = out;
        this.name = name;
        this.syncOnClose = syncOnClose;
    }

    long written() {
        return written;
    }

    FSDataOutputStream stream() {
        return out;
    }

    @Override
    public long getPos() throws IOException {
        return out.getPos();
    }

    @Override
    public void write(int b) throws IOException {
        try {
            out.write(b);
        } catch (IOException | FSError e) {
            throw Failures.writeFailure(name, e);
        }
        written++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        try {
            out.write(b, off, len);
        } catch (IOException | FSError e) {
            throw Failures.writeFailure(name, e);
        }
        written += len;
    }

    @Override
    public void flush() throws IOException {
        try {
            out.flush();
        } catch (IOException | FSError e) {
            throw Failures.writeFailure(name, e);
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try (OutputStream o = out) {
            if (syncOnClose) {
                out.hsync();
            }
        } catch (IOException | FSError e) {
            throw Failures.writeFailure(name, e);
        }
    }

    void closeQuietly() {
        try {
            close();
        } catch (IOException | RuntimeException ignored) {
            // the file is dropped
        }
    }
}
