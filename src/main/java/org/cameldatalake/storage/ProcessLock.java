package org.cameldatalake.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A lock on a file that a process holds for as long as it lives: the kernel drops it when the process dies, however it
 * dies, so that what a dead process left (a temporary folder, a spool) can be told from what a live one uses.
 */
public final class ProcessLock {
    static final String FILE = ".lock";

    private ProcessLock() {
    }

    /** Takes the lock on {@code lockFile} (created if need be) and keeps it until the returned channel is closed. */
    static FileChannel take(Path lockFile) throws IOException {
        FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            ch.lock();
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Whether a live process (this one included) holds the lock on {@code lockFile}; true when it cannot tell. */
    public static boolean held(Path lockFile) {
        if (!Files.exists(lockFile)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) {
                return true; // another process holds it
            }
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // held by this JVM
        } catch (java.nio.file.NoSuchFileException e) {
            return false; // removed meanwhile
        } catch (IOException e) {
            return true; // cannot tell: leave it
        }
    }
}
