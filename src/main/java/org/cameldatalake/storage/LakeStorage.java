package org.cameldatalake.storage;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FSError;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.cameldatalake.feed.FeedDefinition;

/**
 * The lake root on Hadoop's {@link FileSystem} API, so that {@code hdfs:} and {@code s3a:} roots can follow.
 * {@code file:} roots use the raw local file system: Hadoop's default checksummed one writes {@code .crc} side files
 * into the lake and was measured 1.3–1.8× slower here.
 * <p>
 * Every path handed out is checked to stay below the root (DESIGN.md §4.5).
 */
public final class LakeStorage {
    private final Configuration conf;
    private final FileSystem fs;
    private final Path root;
    private final String rootPrefix;

    public LakeStorage(String root) throws IOException {
        this(root, Map.of());
    }

    /** {@code hadoop}: Hadoop configuration keys for the lake's file system; they win over the defaults set here. */
    public LakeStorage(String root, Map<String, String> hadoop) throws IOException {
        URI uri;
        if (root.matches("^[a-zA-Z][a-zA-Z0-9+.-]+:.*") && !root.startsWith("file:")) {
            uri = URI.create(root); // hdfs://…, s3a://…
        } else {
            String local = root.startsWith("file:") ? URI.create(root).getPath() : root;
            uri = Paths.get(local).toAbsolutePath().normalize().toUri();
        }
        this.conf = new Configuration();
        // under `camel run` the dependencies live in their own class loader, not the thread's
        conf.setClassLoader(LakeStorage.class.getClassLoader());
        conf.set("fs.file.impl", RawLocalFileSystem.class.getName());
        conf.setBoolean("fs.file.impl.disable.cache", true);
        // standard 3-level Parquet lists: they hold null elements, and every modern reader expects them
        conf.setBoolean("parquet.avro.write-old-list-structure", false);
        hadoop.forEach(conf::set);
        this.fs = FileSystem.get(uri, conf);
        this.root = fs.makeQualified(new Path(uri));
        String r = this.root.toString();
        this.rootPrefix = r.endsWith("/") ? r : r + "/";
        fs.mkdirs(this.root);
    }

    public Configuration conf() {
        return conf;
    }

    public FileSystem fs() {
        return fs;
    }

    public Path root() {
        return root;
    }

    /** The local file behind {@code p} for a {@code file:} lake, else null (HDFS, S3…). */
    public java.nio.file.Path localPath(Path p) {
        Path q = fs.makeQualified(checked(p));
        return "file".equals(q.toUri().getScheme()) ? Paths.get(q.toUri()) : null;
    }

    /** A path below the root made of checked segments; a segment may not be empty, "." or "..", nor hold '/' or '\'. */
    public Path path(String... segments) {
        Path p = root;
        for (String s : segments) {
            if (s == null || s.isEmpty() || s.equals(".") || s.equals("..") || s.contains("/") || s.contains("\\")
                    || s.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("unsafe path segment '" + s + "'");
            }
            p = new Path(p, s);
        }
        return checked(p);
    }

    /** Refuses a path that is not the root or below it. */
    public Path checked(Path p) {
        String q = fs.makeQualified(p).toString();
        if (!q.equals(root.toString()) && !q.startsWith(rootPrefix)) {
            throw new IllegalArgumentException(p + " is outside the lake root " + root);
        }
        return p;
    }

    /** The path of {@code p} relative to the root, with '/' separators. */
    public String relative(Path p) {
        String q = fs.makeQualified(p).toString();
        return q.equals(root.toString()) ? "" : q.substring(rootPrefix.length());
    }

    /** An output file for Parquet that syncs to disk before it reports itself closed. */
    public CountingOutputFile outputFile(Path p) {
        return new CountingOutputFile(checked(p));
    }

    /** Moves a closed temporary file into place; the destination must not exist. */
    public void publish(Path tmp, Path dest) throws IOException {
        checked(dest);
        fs.mkdirs(dest.getParent());
        if (fs.exists(dest)) {
            throw new IOException("refusing to overwrite published file " + relative(dest));
        }
        if (!fs.rename(tmp, dest)) {
            throw new IOException("could not rename " + relative(tmp) + " to " + relative(dest));
        }
        syncDirectory(dest.getParent());
    }

    /** Makes a rename durable before anything (an offset commit) relies on it; local lakes only. */
    private void syncDirectory(Path dir) throws IOException {
        java.nio.file.Path local = localPath(dir);
        if (local != null) {
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(local, java.nio.file.StandardOpenOption.READ)) {
                ch.force(true);
            }
        }
    }

    /** Replaces a small file (metadata) by writing a sibling temporary file and renaming it over the old one. */
    public void writeAtomically(Path dest, byte[] content) throws IOException {
        Path tmp = writeTemporarySibling(dest, content);
        try {
            if (!fs.rename(tmp, dest)) {
                // HDFS and object stores refuse to rename onto an existing file: replace in two steps
                fs.delete(dest, false);
                if (!fs.rename(tmp, dest)) {
                    throw new IOException("could not replace " + relative(dest));
                }
            }
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    /** Writes a whole small file in one go: temporary name first, then rename (never a partial file in place). */
    public void writeNew(Path dest, byte[] content) throws IOException {
        Path tmp = writeTemporarySibling(dest, content);
        try {
            publish(tmp, dest);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    /** {@code content}, synced, in {@code .<name>.<uuid>.tmp} beside {@code dest}; nothing is left when that fails. */
    private Path writeTemporarySibling(Path dest, byte[] content) throws IOException {
        checked(dest);
        fs.mkdirs(dest.getParent());
        Path tmp = new Path(dest.getParent(), "." + dest.getName() + "." + UUID.randomUUID() + ".tmp");
        try (FSDataOutputStream out = fs.create(tmp, true)) {
            out.write(content);
            out.hsync();
        } catch (IOException | FSError e) {
            deleteQuietly(tmp);
            throw writeFailure(tmp, e);
        }
        return tmp;
    }

    /**
     * Deletes what {@link #writeAtomically} and {@link #writeNew} leave behind when the process dies mid-write
     * ({@code .<name>.<uuid>.tmp} files); only for folders that one writer owns.
     */
    public int removeLeftoverTempFiles(Path dir, boolean recursive) throws IOException {
        int n = 0;
        List<? extends FileStatus> files = recursive ? listFiles(dir) : list(dir);
        for (FileStatus f : files) {
            String name = f.getPath().getName();
            if (f.isFile() && name.startsWith(".") && name.endsWith(".tmp")) {
                fs.delete(f.getPath(), false);
                n++;
            }
        }
        return n;
    }

    /** Appends one line; when the disk refuses part of it, the file is cut back so that no torn line stays. */
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
            throw writeFailure(file, e);
        }
    }

    /**
     * A failed write as an IOException naming the file below the root. Hadoop's local file system reports a write
     * the disk refused (ENOSPC, EIO) as an {@link FSError}, an {@link Error} that no caller expects; its cause is the
     * IOException the operating system gave.
     */
    IOException writeFailure(Path p, Throwable e) {
        Throwable cause = e instanceof FSError && e.getCause() != null ? e.getCause() : e;
        return new IOException("writing " + relative(p) + ": " + cause.getMessage(), cause);
    }

    private void deleteQuietly(Path p) {
        try {
            fs.delete(p, false);
        } catch (IOException | RuntimeException e) {
            // left under a temporary name: invisible to readers, removed at the next start
        }
    }

    /**
     * One line saying why a lake operation failed: the messages along the cause chain, without the wrappers that
     * only repeat their cause (Parquet's "Unable to close resource" keeps "No space left on device" as its cause).
     */
    public static String reason(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (m == null || (t.getCause() != null && m.equals(t.getCause().toString())) || out.indexOf(m) >= 0) {
                continue;
            }
            out.append(out.length() == 0 ? "" : ": ").append(m);
        }
        return out.length() == 0 ? e.getClass().getSimpleName() : out.toString();
    }

    public byte[] read(Path p) throws IOException {
        try (var in = fs.open(checked(p))) {
            return in.readAllBytes();
        }
    }

    public boolean exists(Path p) throws IOException {
        return fs.exists(checked(p));
    }

    public void delete(Path p, boolean recursive) throws IOException {
        fs.delete(checked(p), recursive);
    }

    /** The permission bits of a path (java.nio for local lakes: Hadoop's raw local file system forks chmod/ls). */
    public short mode(Path p) throws IOException {
        java.nio.file.Path local = localPath(p);
        if (local != null) {
            int m = 0;
            for (java.nio.file.attribute.PosixFilePermission perm : java.nio.file.Files.getPosixFilePermissions(local)) {
                m |= 1 << (8 - perm.ordinal());
            }
            return (short) m;
        }
        return fs.getFileStatus(checked(p)).getPermission().toShort();
    }

    public void setMode(Path p, short mode) throws IOException {
        java.nio.file.Path local = localPath(p);
        if (local != null) {
            java.nio.file.Files.setPosixFilePermissions(local, java.nio.file.attribute.PosixFilePermissions.fromString(
                    new org.apache.hadoop.fs.permission.FsPermission(mode).toString()));
        } else {
            fs.setPermission(checked(p), new org.apache.hadoop.fs.permission.FsPermission(mode));
        }
    }

    /**
     * Gives a just-published file, and the folders from {@code top} down to it, the modes of a security level, so
     * that restricted data is never readable by others, not even until the next permissions run.
     */
    public void secure(Path file, Path top, FeedDefinition.SecurityLevel level) throws IOException {
        setMode(file, isDirectory(file) ? level.dirMode() : level.fileMode());
        String topPath = fs.makeQualified(top).toString();
        for (Path dir = file.getParent(); dir != null; dir = dir.getParent()) {
            setMode(dir, level.dirMode());
            if (fs.makeQualified(dir).toString().equals(topPath)) {
                break;
            }
        }
    }

    private boolean isDirectory(Path p) throws IOException {
        java.nio.file.Path local = localPath(p);
        return local != null ? java.nio.file.Files.isDirectory(local) : fs.getFileStatus(p).isDirectory();
    }

    /** Removes a folder only if it is empty (a file published into it meanwhile keeps it). */
    public void deleteIfEmpty(Path dir) {
        try {
            if (list(dir).isEmpty()) {
                fs.delete(checked(dir), false);
            }
        } catch (IOException notEmptyAnyMore) {
            // something was published into it: it stays
        }
    }

    /** Creates a folder and its parents; Hadoop only says false when it cannot (an unwritable lake root). */
    public void mkdirs(Path p) throws IOException {
        if (!fs.mkdirs(checked(p))) {
            throw new IOException("could not create the folder " + relative(p) + " in the lake " + root);
        }
    }

    /** Every file below {@code dir} (recursively); empty when {@code dir} does not exist. */
    public List<FileStatus> listFiles(Path dir) throws IOException {
        List<FileStatus> out = new ArrayList<>();
        if (fs instanceof RawLocalFileSystem) {
            // folder by folder: the local file system's recursive listing makes a LocatedFileStatus of each file, which
            // forks a process to read its permissions (about 5 ms a file: a restart read a 1,700-file feed for 10 s)
            listLocal(checked(dir), out);
            return out;
        }
        try {
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(checked(dir), true); // one flat listing on S3
            while (it.hasNext()) {
                out.add(it.next());
            }
        } catch (FileNotFoundException e) {
            return out;
        }
        return out;
    }

    private void listLocal(Path dir, List<FileStatus> out) throws IOException {
        for (FileStatus f : list(dir)) {
            if (f.isDirectory()) {
                listLocal(f.getPath(), out);
            } else {
                out.add(f);
            }
        }
    }

    public List<FileStatus> list(Path dir) throws IOException {
        try {
            return List.of(fs.listStatus(checked(dir)));
        } catch (FileNotFoundException e) {
            return List.of();
        }
    }

    /** A Parquet {@link OutputFile} that counts bytes handed to the file system and hsyncs on close. */
    public final class CountingOutputFile implements OutputFile {
        private final Path path;
        private volatile long written;

        CountingOutputFile(Path path) {
            this.path = path;
        }

        public Path path() {
            return path;
        }

        /** Bytes already out of the writer's memory (flushed row groups). */
        public long written() {
            return written;
        }

        @Override
        public PositionOutputStream create(long blockSizeHint) throws IOException {
            return stream(fs.create(path, false));
        }

        @Override
        public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
            return stream(fs.create(path, true));
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
            return path.toString();
        }

        private PositionOutputStream stream(FSDataOutputStream out) {
            return new PositionOutputStream() {
                @Override
                public long getPos() throws IOException {
                    return out.getPos();
                }

                @Override
                public void write(int b) throws IOException {
                    try {
                        out.write(b);
                    } catch (IOException | FSError e) {
                        throw writeFailure(path, e);
                    }
                    written++;
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    try {
                        out.write(b, off, len);
                    } catch (IOException | FSError e) {
                        throw writeFailure(path, e);
                    }
                    written += len;
                }

                @Override
                public void flush() throws IOException {
                    try {
                        out.flush();
                    } catch (IOException | FSError e) {
                        throw writeFailure(path, e);
                    }
                }

                @Override
                public void close() throws IOException {
                    try (OutputStream o = out) {
                        out.hsync(); // the rename that publishes this file must not outlive its bytes
                    } catch (IOException | FSError e) {
                        throw writeFailure(path, e);
                    }
                }
            };
        }
    }
}
