package org.cameldatalake.storage;

import java.io.IOException;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.io.PositionOutputStream;

/** A new file of a {@link LocalStorage}: written and synced under a temporary name, then renamed into place. */
final class LocalPendingFile implements Storage.PendingFile {
    private final LocalStorage storage;
    private final Path folder;
    private final Path tmp;
    private CountingStream stream;
    private boolean done;

    LocalPendingFile(LocalStorage storage, Path folder, Path tmp) {
        this.storage = storage;
        this.folder = folder;
        this.tmp = tmp;
    }

    @Override
    public long written() {
        return stream == null ? 0 : stream.written();
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) throws IOException {
        return open();
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
        return open();
    }

    private PositionOutputStream open() throws IOException {
        if (stream != null) {
            throw new IOException("file " + tmp + " is already being written");
        }
        FSDataOutputStream out;
        try {
            out = storage.createStream(tmp);
        } catch (IOException | org.apache.hadoop.fs.FSError e) {
            throw Failures.writeFailure(storage.relative(tmp), e);
        }
        stream = new CountingStream(out, storage.relative(tmp), true);
        return stream;
    }

    @Override
    public boolean supportsBlockSize() {
        return false;
    }

    @Override
    public long defaultBlockSize() {
        return 0;
    }

    @Override
    public String getPath() {
        return tmp.toString();
    }

    @Override
    public long commit(Path dest, Storage.LastCheck lastCheck) throws IOException {
        if (done) {
            throw new IllegalStateException("file " + tmp + " was already committed or aborted");
        }
        try {
            if (stream == null) {
                throw new IOException("nothing was written to " + storage.relative(tmp));
            }
            stream.close();
            long length = storage.length(tmp);
            Storage.LastCheck.runIfAny(lastCheck);
            storage.publish(tmp, dest);
            return length;
        } catch (IOException | RuntimeException e) {
            storage.deleteQuietly(tmp, false);
            throw e;
        } finally {
            done = true;
            storage.done(folder);
        }
    }

    @Override
    public void abort() {
        if (done) {
            return;
        }
        done = true;
        if (stream != null) {
            stream.closeQuietly();
        }
        storage.deleteQuietly(tmp, false);
        storage.done(folder);
    }
}
