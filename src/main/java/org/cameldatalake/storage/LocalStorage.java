package org.cameldatalake.storage;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FSError;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.InputFile;

/**
 * A lake on a local disk (or any mounted file system), through Hadoop's raw local file system — its checksummed
 * default writes {@code .crc} side files into the lake and was measured 1.3–1.8× slower here — with java.nio for what
 * Hadoop does by forking processes or not at all: modes (also those Hadoop sets itself, {@link ForklessLocalFileSystem}),
 * folder fsync, file locks, symbolic links.
 * <p>
 * A new file is written as {@code <folder>/_temporary/<process>/<uuid>.parquet.tmp}, synced, and renamed into place,
 * and the rename is synced too before anything relies on it. Each process's temporary folder ({@link TemporaryAreas})
 * holds a lock on its {@code .lock} file while in use: the kernel drops it when the process dies, however it dies, so
 * that what a dead process left can be told from what a live one is writing. Symbolic links below the root are never
 * followed: the lake writes none, and one could only point elsewhere.
 */
public final class LocalStorage extends FileSystemStorage {
    private final TemporaryAreas temporaries;

    /** {@code hadoop}: Hadoop configuration keys for the lake's file system; they win over the defaults set here. */
    public LocalStorage(String root, Map<String, String> hadoop) throws IOException {
        this(Paths.get(root.startsWith("file:") ? URI.create(root).getPath() : root).toAbsolutePath().normalize().toUri(),
                Storages.configuration(hadoop, c -> {
                    c.set("fs.file.impl", ForklessLocalFileSystem.class.getName());
                    c.setBoolean("fs.file.impl.disable.cache", true);
                }));
    }

    private LocalStorage(URI root, Configuration conf) throws IOException {
        super(conf, FileSystem.get(root, conf), new Path(root));
        fs.mkdirs(root());
        this.temporaries = new TemporaryAreas(this, fs);
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.POSIX_MODES, Capability.APPEND, Capability.PROCESS_LOCKS);
    }

    @Override
    public java.nio.file.Path localRoot() {
        return local(root());
    }

    java.nio.file.Path local(Path p) {
        return Paths.get(fs.makeQualified(checked(p)).toUri());
    }

    // --- new files -------------------------------------------------------------------------------------------------

    @Override
    public PendingFile create(Path folder) throws IOException {
        return new LocalPendingFile(this, folder, temporaries.newFile(folder));
    }

    @Override
    public void claim(Path folder) throws IOException {
        temporaries.claim(folder);
    }

    @Override
    public void release(Path folder) {
        temporaries.release(folder);
    }

    @Override
    public boolean claimedByOthers(Path folder) throws IOException {
        return temporaries.claimedByOthers(folder);
    }

    /** A pending file of {@code folder} is done (committed or aborted). */
    void done(Path folder) {
        temporaries.done(folder);
    }

    /** Renames a closed temporary file into place and makes the rename durable. */
    void publish(Path tmp, Path dest) throws IOException {
        checked(dest);
        Path parent = dest.getParent();
        boolean newFolder = !fs.exists(parent);
        mkdirs(parent);
        try {
            if (fs.exists(dest)) {
                throw new IOException("refusing to overwrite published file " + relative(dest));
            }
            rename(tmp, dest);
            try {
                syncFolder(parent);
            } catch (IOException | RuntimeException e) {
                deleteQuietly(dest, false); // not durable, so not published: its records come again
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            if (newFolder) {
                deleteIfEmpty(parent); // a new table version's folder must not stay behind empty
            }
            throw e;
        }
    }

    private void rename(Path from, Path to) throws IOException {
        if (!fs.rename(from, to)) {
            throw new IOException("could not rename " + relative(from) + " to " + relative(to));
        }
    }

    /** Makes a rename durable before anything (an offset commit) relies on it. */
    private void syncFolder(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(local(dir), StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    FSDataOutputStream createStream(Path tmp) throws IOException {
        return fs.create(tmp, false);
    }

    long length(Path p) throws IOException {
        return fs.getFileStatus(p).getLen();
    }

    void deleteQuietly(Path p, boolean recursive) {
        try {
            fs.delete(p, recursive);
        } catch (IOException | RuntimeException e) {
            // left under a temporary name: invisible to readers, removed at the next start
        }
    }

    @Override
    public int removeAbandoned(Path folder, long olderThanMillis) throws IOException {
        return temporaries.removeAbandoned(folder, olderThanMillis);
    }

    /** Nothing: a file is published by rename, and a dead writer's temporary files are told by their lock. */
    @Override
    public int abortUploads(Path folder, java.util.function.Predicate<String> named) {
        checked(folder);
        return 0;
    }

    // --- small files -----------------------------------------------------------------------------------------------

    @Override
    public void replace(Path dest, byte[] content) throws IOException {
        Path tmp = writeTemporarySibling(dest, content);
        try {
            if (!fs.rename(tmp, dest)) {
                throw new IOException("could not replace " + relative(dest));
            }
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp, false);
            throw e;
        }
    }

    @Override
    public void writeNew(Path dest, byte[] content) throws IOException {
        Path tmp = writeTemporarySibling(dest, content);
        try {
            if (fs.exists(dest)) {
                throw new IOException("refusing to overwrite published file " + relative(dest));
            }
            rename(tmp, dest);
            syncFolder(dest.getParent());
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp, false);
            throw e;
        }
    }

    /**
     * {@code content}, synced, in a {@link TemporaryAreas#siblingOf temporary sibling} of {@code dest}; nothing is
     * left when that fails.
     */
    private Path writeTemporarySibling(Path dest, byte[] content) throws IOException {
        checked(dest);
        fs.mkdirs(dest.getParent());
        Path tmp = temporaries.siblingOf(dest);
        try (FSDataOutputStream out = fs.create(tmp, true)) {
            out.write(content);
            out.hsync();
        } catch (IOException | FSError e) {
            deleteQuietly(tmp, false);
            throw Failures.writeFailure(relative(tmp), e);
        }
        return tmp;
    }

    @Override
    public synchronized void appendLine(Path file, String line) throws IOException {
        checked(file);
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        fs.mkdirs(file.getParent());
        long before = fs.exists(file) ? fs.getFileStatus(file).getLen() : -1;
        try (FSDataOutputStream out = before >= 0 ? fs.append(file) : fs.create(file, false)) {
            out.write(bytes);
        } catch (IOException | FSError e) {
            try {
                if (before >= 0) {
                    fs.truncate(file, before);
                } else {
                    fs.delete(file, false);
                }
            } catch (IOException | UnsupportedOperationException cannotCut) {
                // the torn line stays: nothing more can be done from here
            }
            throw Failures.writeFailure(relative(file), e);
        }
    }

    // --- reading and listing ---------------------------------------------------------------------------------------

    /** Opens a regular file reached without a symbolic link below the root; {@link FileNotFoundException} otherwise. */
    @Override
    public InputStream open(Path p) throws IOException {
        java.nio.file.Path file = local(p);
        java.nio.file.Path rootDir = local(root());
        java.nio.file.Path expected = rootDir.toRealPath().resolve(rootDir.relativize(file));
        if (!Files.exists(file) || !file.toRealPath().equals(expected) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileNotFoundException(relative(p));
        }
        return Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public InputFile inputFile(FileStatus file) throws IOException {
        return HadoopInputFile.fromStatus(file, conf);
    }

    /** Neither a symbolic link nor the temporary folders of writes in progress. */
    @Override
    protected boolean shown(FileStatus f) {
        return !(f.isDirectory() && f.getPath().getName().equals(TemporaryAreas.FOLDER)) && !Files.isSymbolicLink(local(f.getPath()));
    }

    /**
     * Folder by folder: the local file system's recursive listing makes a LocatedFileStatus of each file, which forks
     * a process to read its permissions (about 5 ms a file: a restart read a 1,700-file feed for 10 s).
     */
    @Override
    public List<FileStatus> listFiles(Path dir) throws IOException {
        List<FileStatus> out = new ArrayList<>();
        listFiles(checked(dir), out);
        return out;
    }

    private void listFiles(Path dir, List<FileStatus> out) throws IOException {
        for (FileStatus f : list(dir)) {
            if (f.isDirectory()) {
                listFiles(f.getPath(), out);
            } else {
                out.add(f);
            }
        }
    }

    /** Hadoop only says false when it cannot (an unwritable lake root). */
    @Override
    public void mkdirs(Path dir) throws IOException {
        if (!fs.mkdirs(checked(dir))) {
            throw new IOException("could not create the folder " + relative(dir) + " in the lake " + root());
        }
    }

    // --- modes -----------------------------------------------------------------------------------------------------

    /** java.nio: Hadoop's raw local file system forks chmod/ls for modes. */
    @Override
    public short mode(Path p) throws IOException {
        int m = 0;
        for (PosixFilePermission perm : Files.getPosixFilePermissions(local(p))) {
            m |= 1 << (8 - perm.ordinal());
        }
        return (short) m;
    }

    @Override
    public void setMode(Path p, short mode) throws IOException {
        Files.setPosixFilePermissions(local(p), PosixFilePermissions.fromString(new FsPermission(mode).toString()));
    }

    @Override
    public void close() {
        temporaries.closeAll();
    }
}
