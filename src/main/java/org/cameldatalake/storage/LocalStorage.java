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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FSError;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.InputFile;

/**
 * A lake on a local disk (or any mounted file system), through Hadoop's raw local file system — its checksummed
 * default writes {@code .crc} side files into the lake and was measured 1.3–1.8× slower here — with java.nio for what
 * Hadoop does by forking processes or not at all: modes, folder fsync, file locks, symbolic links.
 * <p>
 * A new file is written as {@code <folder>/_temporary/<process>/<uuid>.parquet.tmp}, synced, and renamed into place,
 * and the rename is synced too before anything relies on it. Each
 * process's temporary folder holds a lock on its {@code .lock} file while in use: the kernel drops it when the process
 * dies, however it dies, so that what a dead process left can be told from what a live one is writing. Symbolic links
 * below the root are never followed: the lake writes none, and one could only point elsewhere.
 */
public final class LocalStorage extends FileSystemStorage {
    private static final String TEMPORARY = "_temporary";

    private final String process = UUID.randomUUID().toString();
    private final Map<String, TemporaryArea> areas = new HashMap<>();

    /** {@code hadoop}: Hadoop configuration keys for the lake's file system; they win over the defaults set here. */
    public LocalStorage(String root, Map<String, String> hadoop) throws IOException {
        this(Paths.get(root.startsWith("file:") ? URI.create(root).getPath() : root).toAbsolutePath().normalize().toUri(),
                Storages.configuration(hadoop, c -> {
                    c.set("fs.file.impl", RawLocalFileSystem.class.getName());
                    c.setBoolean("fs.file.impl.disable.cache", true);
                }));
    }

    private LocalStorage(URI root, Configuration conf) throws IOException {
        super(conf, FileSystem.get(root, conf), new Path(root));
        fs.mkdirs(root());
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.POSIX_MODES, Capability.APPEND, Capability.PROCESS_LOCKS);
    }

    @Override
    public java.nio.file.Path localRoot() {
        return local(root());
    }

    private java.nio.file.Path local(Path p) {
        return Paths.get(fs.makeQualified(checked(p)).toUri());
    }

    // --- new files -------------------------------------------------------------------------------------------------

    @Override
    public synchronized PendingFile create(Path folder) throws IOException {
        TemporaryArea area = area(folder);
        Path tmp = new Path(area.dir, UUID.randomUUID() + ".parquet.tmp");
        area.pending++;
        return new LocalPendingFile(this, folder, tmp);
    }

    @Override
    public synchronized void claim(Path folder) throws IOException {
        area(folder).claimed = true;
    }

    @Override
    public synchronized void release(Path folder) {
        TemporaryArea area = areas.remove(key(folder));
        if (area != null) {
            area.close(fs);
        }
    }

    @Override
    public boolean claimedByOthers(Path folder) throws IOException {
        for (FileStatus dir : list(new Path(checked(folder), TEMPORARY))) {
            if (dir.isDirectory() && !dir.getPath().getName().equals(process) && holderAlive(dir.getPath())) {
                return true;
            }
        }
        return false;
    }

    /** The temporary folder of this process below {@code folder}, created and locked on first use. */
    private TemporaryArea area(Path folder) throws IOException {
        TemporaryArea area = areas.get(key(folder));
        if (area == null) {
            Path dir = new Path(new Path(checked(folder), TEMPORARY), process);
            if (!fs.mkdirs(dir)) { // worded as Hadoop words a file it cannot create for want of its folder
                throw new IOException("Mkdirs failed to create " + relative(dir) + " in the lake " + root());
            }
            area = new TemporaryArea(dir, ProcessLock.take(local(new Path(dir, ProcessLock.FILE))));
            areas.put(key(folder), area);
        }
        return area;
    }

    private String key(Path folder) {
        return relative(folder);
    }

    /** A pending file of {@code folder} is done (committed or aborted): an unclaimed, empty temporary area goes. */
    synchronized void done(Path folder) {
        TemporaryArea area = areas.get(key(folder));
        if (area != null && --area.pending <= 0 && !area.claimed) {
            areas.remove(key(folder));
            area.close(fs);
        }
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
        int removed = 0;
        long cutoff = System.currentTimeMillis() - olderThanMillis;
        for (FileStatus dir : list(new Path(checked(folder), TEMPORARY))) {
            if (dir.getPath().getName().equals(process)) {
                continue;
            }
            java.nio.file.Path lock = local(new Path(dir.getPath(), ProcessLock.FILE));
            boolean abandoned = Files.exists(lock) ? !holderAlive(dir.getPath()) : newest(dir) < cutoff;
            if (abandoned) {
                fs.delete(dir.getPath(), true);
                removed++;
            }
        }
        return removed + removeLeftoverSiblings(checked(folder), folder);
    }

    /**
     * Whether the process named in a temporary sibling's name ({@code .<name>.<process>.<uuid>.tmp}) is this one or
     * holds its temporary folder below {@code claimed} (every process writing a feed claims its folder first).
     */
    private boolean writtenByLiveProcess(Path claimed, String tmpName) {
        String[] parts = tmpName.split("\\.");
        if (parts.length < 4) {
            return false;
        }
        String writer = parts[parts.length - 3];
        return writer.equals(process) || holderAlive(new Path(new Path(claimed, TEMPORARY), writer));
    }

    /** Whether the process that locked the temporary folder {@code dir} is alive. */
    private boolean holderAlive(Path dir) {
        return ProcessLock.held(local(new Path(dir, ProcessLock.FILE)));
    }

    private long newest(FileStatus dir) throws IOException {
        long newest = dir.getModificationTime();
        for (FileStatus f : listFiles(dir.getPath())) {
            newest = Math.max(newest, f.getModificationTime());
        }
        return newest;
    }

    /**
     * Deletes what {@link #replace} and {@link #writeNew} leave behind when the process dies mid-write
     * ({@code .<name>.<uuid>.tmp} files beside the file they were to become), anywhere below {@code dir} but in
     * temporary areas.
     */
    private int removeLeftoverSiblings(Path claimed, Path dir) throws IOException {
        int n = 0;
        for (FileStatus f : list(dir)) {
            String name = f.getPath().getName();
            if (f.isDirectory() && !name.equals(TEMPORARY)) {
                n += removeLeftoverSiblings(claimed, f.getPath());
            } else if (f.isFile() && name.startsWith(".") && name.endsWith(".tmp") && !writtenByLiveProcess(claimed, name)) {
                fs.delete(f.getPath(), false);
                n++;
            }
        }
        return n;
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
     * {@code content}, synced, in {@code .<name>.<process>.<uuid>.tmp} beside {@code dest}; nothing is left when that
     * fails. The process in its name tells a dead writer's leftover from a live one's write in progress.
     */
    private Path writeTemporarySibling(Path dest, byte[] content) throws IOException {
        checked(dest);
        fs.mkdirs(dest.getParent());
        Path tmp = new Path(dest.getParent(), "." + dest.getName() + "." + process + "." + UUID.randomUUID() + ".tmp");
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
        return !(f.isDirectory() && f.getPath().getName().equals(TEMPORARY)) && !Files.isSymbolicLink(local(f.getPath()));
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
    public synchronized void close() {
        areas.values().forEach(a -> a.close(fs));
        areas.clear();
    }
}
