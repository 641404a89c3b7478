package org.cameldatalake.storage;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.io.InputFile;

/**
 * Where the lake's files live: a local disk ({@link LocalStorage}) or a Hadoop file system such as S3A
 * ({@link HadoopStorage}). Callers say what they need done; what differs between stores is a {@link Capability} they
 * may ask about, never a check of which store they hold.
 * <p>
 * Every path handed out or taken is checked to stay below the root (DESIGN.md §4.5). Files become visible whole or
 * not at all: a new file through {@link #create} and {@link PendingFile#commit}, a small file through
 * {@link #replace} or {@link #writeNew}.
 */
public interface Storage extends AutoCloseable {

    /** What a store can do beyond the common operations. */
    enum Capability {
        /** File and folder modes are kept: restricted feeds get 0640 files and 0750 folders. */
        POSIX_MODES,
        /** A file can be appended to. */
        APPEND,
        /** A lock on a file shows that the process holding it is alive (temporary files of dead runs can be told apart). */
        PROCESS_LOCKS
    }

    Set<Capability> capabilities();

    default boolean can(Capability capability) {
        return capabilities().contains(capability);
    }

    /** The lake root, qualified ({@code file:/…/data_lake}, {@code s3a://bucket/prefix}). */
    Path root();

    /**
     * The root as a folder of this machine where the store is one (a local disk), else null: for what only works on
     * local files (the embedded SQLite warehouse beside the lake, DuckDB reading the lake).
     */
    java.nio.file.Path localRoot();

    /** The Hadoop configuration of the lake's file system, for Parquet readers and writers. */
    Configuration conf();

    /** A path below the root made of checked segments; a segment may not be empty, "." or "..", nor hold '/' or '\'. */
    Path path(String... segments);

    /** Refuses a path that is not the root or below it; returns it otherwise. */
    Path checked(Path p);

    /** The path of {@code p} relative to the root, with '/' separators ("" for the root). */
    String relative(Path p);

    /**
     * Starts a new file that nobody sees until {@link PendingFile#commit} (or ever, after {@link PendingFile#abort} or a
     * crash). {@code folder} is the folder it will be committed into or below: a store that publishes by rename keeps
     * its temporary file on the same disk.
     */
    PendingFile create(Path folder) throws IOException;

    /**
     * Tells the store that this process writes files into {@code folder} until {@link #release} (a stream feed's
     * writer): a store that keeps temporary files beside the lake keeps its temporary area there, and where it can
     * ({@link Capability#PROCESS_LOCKS}) marks it so that other processes see it is in use.
     */
    void claim(Path folder) throws IOException;

    /** Ends a {@link #claim}; files still pending there are aborted. */
    void release(Path folder);

    /** Whether another live process has claimed {@code folder}; false where the store cannot tell. */
    boolean claimedByOthers(Path folder) throws IOException;

    /** The whole content of a (small) file. */
    byte[] read(Path p) throws IOException;

    /** A stream over a file, for downloads. */
    InputStream open(Path p) throws IOException;

    /** A Parquet input file, for reading footers and rows. */
    InputFile inputFile(FileStatus file) throws IOException;

    boolean exists(Path p) throws IOException;

    /** The status of a file or folder; {@link java.io.FileNotFoundException} when there is none. */
    FileStatus status(Path p) throws IOException;

    /** The files and folders directly in {@code dir}; empty when it does not exist. */
    List<FileStatus> list(Path dir) throws IOException;

    /** Every file below {@code dir}, recursively; empty when it does not exist. */
    List<FileStatus> listFiles(Path dir) throws IOException;

    void delete(Path p, boolean recursive) throws IOException;

    /** Removes a folder only if it is empty (a file published into it meanwhile keeps it). */
    void deleteIfEmpty(Path dir);

    /** Creates a folder and its parents (nothing to do where folders are implicit). */
    void mkdirs(Path dir) throws IOException;

    /** Replaces a small file (metadata) whole: readers see the old content or the new, never a mix or nothing. */
    void replace(Path dest, byte[] content) throws IOException;

    /** Writes a whole small file that must not exist yet; refuses to overwrite one. */
    void writeNew(Path dest, byte[] content) throws IOException;

    /** Appends one line to a file; only where {@link Capability#APPEND}. No torn line is left when it fails. */
    void appendLine(Path file, String line) throws IOException;

    /**
     * Gives a just-published file and the folders from {@code top} down to it the modes of a security level, so that
     * restricted data is never readable by others; nothing where the store keeps no modes.
     */
    void secure(Path file, Path top, short fileMode, short dirMode) throws IOException;

    /** The permission bits of a path, or -1 where the store keeps none. */
    short mode(Path p) throws IOException;

    /** Sets the permission bits of a path; nothing where the store keeps none. */
    void setMode(Path p, short mode) throws IOException;

    /**
     * Removes what crashed writers left below {@code folder} and can no longer finish: temporary files, uploads never
     * completed. {@code olderThanMillis}: what is younger may belong to a live writer of another process and stays
     * (unless the store can tell, {@link Capability#PROCESS_LOCKS}). Returns how many leftovers it removed.
     */
    int removeAbandoned(Path folder, long olderThanMillis) throws IOException;

    /**
     * Aborts the uploads below {@code folder} never completed, of files whose name {@code named} accepts, whatever
     * their age: their writer has lost them (the source partition they hold is now this process's), and is dead or
     * must not publish them any more. Nothing where files are published by rename (their temporary files are
     * {@link #removeAbandoned}'s). Returns how many it aborted.
     */
    int abortUploads(Path folder, java.util.function.Predicate<String> named) throws IOException;

    @Override
    void close() throws IOException;

    /** A file being written; it becomes visible only by {@link #commit}. Parquet writes into it as an output file. */
    interface PendingFile extends org.apache.parquet.io.OutputFile {
        /** Bytes handed to the store so far (what the writer no longer holds in memory). */
        long written();

        /**
         * Makes the complete file visible at {@code dest}, whole or not at all, and durable before it returns (an
         * offset commit may rely on it). Refuses to overwrite an existing file. Returns the file's size in bytes.
         */
        default long commit(Path dest) throws IOException {
            return commit(dest, null);
        }

        /**
         * {@link #commit(Path)}, with {@code lastCheck} run as the last step before the file becomes visible: its bytes
         * are already in the store (staged, or uploaded as the part of an upload not yet completed), and what is left
         * is one short request (a rename, or the completion of that upload) — so that a writer frozen after the check
         * cannot publish late what another has published meanwhile. When the check throws, nothing becomes visible.
         * {@code null}: no check, and the file is published the simplest way (one PUT for a small file on S3, which
         * leaves no incomplete upload behind when its writer dies).
         */
        long commit(Path dest, LastCheck lastCheck) throws IOException;

        /** Drops the file: nothing becomes visible and nothing is left behind. Never throws. */
        void abort();
    }

    /** A check that may refuse a file's publication at the last moment. */
    @FunctionalInterface
    interface LastCheck {
        void run() throws IOException;

        /** Runs {@code check}, if there is one. */
        static void runIfAny(LastCheck check) throws IOException {
            if (check != null) {
                check.run();
            }
        }
    }
}
