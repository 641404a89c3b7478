package org.cameldatalake.storage;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.io.PositionOutputStream;

/**
 * A {@link Storage.PendingFile} of {@link HadoopStorage}: written to a staging place that nobody reads, then
 * published whole by {@link #commit}. {@link Spooled} stages on the local disk and uploads; {@link Renamed} stages in a
 * hidden file of the lake and renames it.
 */
abstract sealed class StagedFile implements Storage.PendingFile {
    final Publisher publisher;
    private volatile CountingStream stream;
    private Runnable whenDone = () -> { };

    StagedFile(Publisher publisher) {
        this.publisher = publisher;
    }

    /** Opens the staging file for writing. */
    abstract FSDataOutputStream openStage() throws IOException;

    /** Whether closing the staging file syncs it to disk (a rename will publish it). */
    abstract boolean syncOnClose();

    /**
     * Publishes the closed staging file at {@code dest}, {@code lastCheck} allowing, and removes it; returns the size
     * published.
     */
    abstract long publish(Path dest, Storage.LastCheck lastCheck) throws IOException;

    /** Removes the staging file; never throws. */
    abstract void discard();

    /** Runs {@code action} once the file is committed or aborted. */
    void whenDone(Runnable action) {
        this.whenDone = action;
    }

    @Override
    public long written() {
        CountingStream s = stream;
        return s == null ? 0 : s.written();
    }

    @Override
    public synchronized long commit(Path dest, Storage.LastCheck lastCheck) throws IOException {
        publisher.checked(dest);
        if (stream != null) {
            stream.close();
        }
        long size = publish(dest, lastCheck);
        whenDone.run();
        return size;
    }

    @Override
    public synchronized void abort() {
        if (stream != null) {
            stream.closeQuietly();
        }
        discard();
        whenDone.run();
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) throws IOException {
        return createOrOverwrite(blockSizeHint);
    }

    @Override
    public synchronized PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
        if (stream != null) {
            throw new IOException("pending file " + getPath() + " is already open");
        }
        stream = new CountingStream(openStage(), getPath(), syncOnClose());
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

    /** Staged in this process's spool folder; committed by an upload under the final name. */
    static final class Spooled extends StagedFile {
        private final java.nio.file.Path local;

        Spooled(Publisher publisher, java.nio.file.Path local) {
            super(publisher);
            this.local = local;
        }

        @Override
        FSDataOutputStream openStage() throws IOException {
            return new FSDataOutputStream(new BufferedOutputStream(Files.newOutputStream(local), 1 << 16), null);
        }

        @Override
        boolean syncOnClose() {
            return false; // uploaded, not renamed: a crash before the upload loses nothing published
        }

        @Override
        long publish(Path dest, Storage.LastCheck lastCheck) throws IOException {
            long size = publisher.upload(dest, local, lastCheck);
            discard();
            return size;
        }

        @Override
        void discard() {
            try {
                Files.deleteIfExists(local);
            } catch (IOException e) {
                // the spool folder goes when this process ends
            }
        }

        @Override
        public String getPath() {
            return local.toString();
        }
    }

    /** Staged in a hidden file of the lake, synced, and renamed into place. */
    static final class Renamed extends StagedFile {
        private final Path tmp;
        private final boolean overwrite;

        Renamed(Publisher publisher, Path tmp, boolean overwrite) {
            super(publisher);
            this.tmp = tmp;
            this.overwrite = overwrite;
        }

        @Override
        FSDataOutputStream openStage() throws IOException {
            return publisher.fs().create(tmp, false);
        }

        @Override
        boolean syncOnClose() {
            return true; // the rename that publishes this file must not outlive its bytes
        }

        @Override
        long publish(Path dest, Storage.LastCheck lastCheck) throws IOException {
            Storage.LastCheck.runIfAny(lastCheck);
            publisher.rename(tmp, dest, overwrite);
            publisher.landed(tmp);
            return publisher.fs().getFileStatus(dest).getLen();
        }

        @Override
        void discard() {
            publisher.deleteQuietly(tmp);
            publisher.landed(tmp);
        }

        @Override
        public String getPath() {
            return tmp.toString();
        }
    }
}
