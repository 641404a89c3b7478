package org.cameldatalake.storage;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * This process's folder of local files that wait to be uploaded whole. It holds a lock on its {@code .lock} file for
 * as long as the process lives, so that a process starting later can tell the folders of dead processes (lock free)
 * from those of live ones, and removes the former: a killed process leaves no spooled data behind for long.
 * The folder and its files are readable by the owner only (they may hold restricted data).
 */
final class Spool implements Closeable {
    static final String LOCK = ProcessLock.FILE;
    /** The name of a spool folder whose process has not taken its lock yet. */
    private static final String STARTING = ".starting-";
    /** A starting folder this young may be one whose process is about to take its lock. */
    private static final Duration SETTLING = Duration.ofMinutes(1);

    private final Path dir;
    private final FileChannel lock;

    private Spool(Path dir, FileChannel lock) {
        this.dir = dir;
        this.lock = lock;
    }

    /**
     * A new spool folder below {@code parent}, after removing the folders there whose process is dead. It is made
     * under a {@value #STARTING} name and takes its final name once locked: a folder with a spool name and a free lock
     * is a dead process's, however young.
     */
    static Spool open(Path parent) throws IOException {
        Files.createDirectories(parent);
        removeDead(parent);
        String name = "spool-" + ProcessHandle.current().pid() + "-";
        Path starting = Files.createTempDirectory(parent, STARTING + name);
        FileChannel channel = ProcessLock.take(starting.resolve(LOCK));
        try {
            // the lock is on the file, not its name: it holds across the move
            Path dir = Files.move(starting, parent.resolve(starting.getFileName().toString().substring(STARTING.length())));
            return new Spool(dir, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            try {
                deleteTree(starting);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    Path dir() {
        return dir;
    }

    /** A new empty file in the spool. */
    Path newFile() throws IOException {
        return Files.createTempFile(dir, "upload-", ".spool");
    }

    /** Removes the spool folders below {@code parent} that no live process holds; returns how many. */
    static int removeDead(Path parent) throws IOException {
        int removed = 0;
        Instant settled = Instant.now().minus(SETTLING);
        List<Path> dirs;
        try (Stream<Path> s = Files.list(parent)) {
            dirs = s.filter(Files::isDirectory).toList();
        }
        for (Path d : dirs) {
            try {
                if (d.getFileName().toString().startsWith(STARTING)
                        && Files.getLastModifiedTime(d).compareTo(FileTime.from(settled)) > 0) {
                    continue;
                }
                if (!ProcessLock.held(d.resolve(LOCK))) {
                    deleteTree(d);
                    removed++;
                }
            } catch (NoSuchFileException gone) {
                // removed meanwhile by another starting process
            }
        }
        return removed;
    }

    private static void deleteTree(Path d) throws IOException {
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public void close() throws IOException {
        try (FileChannel held = lock) {
            deleteTree(dir);
        }
    }
}
