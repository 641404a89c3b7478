package org.cameldatalake.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** A process's temporary folder below one lake folder of a local disk, and the lock that tells others it is alive. */
final class TemporaryArea {
    final Path dir;
    private final FileChannel lock;
    int pending;
    boolean claimed;

    TemporaryArea(Path dir, FileChannel lock) {
        this.dir = dir;
        this.lock = lock;
    }

    /** Removes the folder and drops the lock. */
    void close(FileSystem fs) {
        try {
            fs.delete(dir, true);
        } catch (IOException | RuntimeException e) {
            // removed by the next start, once this process is gone
        }
        try {
            lock.close();
        } catch (IOException ignored) {
            // the lock goes with the process anyway
        }
    }
}
