package org.cameldatalake.storage;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CommonPathCapabilities;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.fs.s3a.RemoteFileChangedException;
import org.apache.hadoop.util.functional.FutureIO;
import org.apache.parquet.hadoop.util.HadoopStreams;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * The lake on a Hadoop {@link FileSystem}: an object store such as S3A, or a file system with a real namespace such
 * as HDFS. How a file is made visible whole is the {@link Publisher}'s (an upload under the final name, or a rename);
 * a pending file of an object store is spooled on the local disk until its commit, because its name is known only
 * then. What the store can do is read from its path capabilities, not from its scheme.
 */
public final class HadoopStorage extends FileSystemStorage {
    private static final String S3A_BUFFER_DIR = "fs.s3a.buffer.dir";
    /** Reads of a small file that another process keeps replacing: each one that fails saw a newer version appear. */
    private static final int READ_ATTEMPTS = 10;

    private final Set<Capability> capabilities;
    private final Publisher publisher;
    private final Spool spool;
    /** The pending files of each folder (relative to the root), for {@link #release}. */
    private final Map<String, Set<StagedFile>> pending = new ConcurrentHashMap<>();

    /**
     * {@code hadoop}: configuration keys for the file system (they win over the defaults of
     * {@link Storages#configuration}); {@code spoolParent}: the local folder that holds the per-process spool folders.
     */
    public HadoopStorage(URI rootUri, Map<String, String> hadoop, java.nio.file.Path spoolParent) throws IOException {
        this(rootUri, Spool.open(spoolParent), hadoop);
    }

    private HadoopStorage(URI rootUri, Spool spool, Map<String, String> hadoop) throws IOException {
        // S3A stages upload blocks on disk too: keep them where a dead process's leftovers are removed
        this(rootUri, spool, Storages.configuration(hadoop, c -> c.set(S3A_BUFFER_DIR, spool.dir().resolve("s3a").toString())));
    }

    private HadoopStorage(URI rootUri, Spool spool, Configuration conf) throws IOException {
        super(conf, fileSystem(rootUri, conf, spool), new Path(rootUri));
        this.spool = spool;
        try {
            Path rootPath = root();
            this.publisher = new Publisher(fs, lakeRoot());
            Set<Capability> caps = EnumSet.noneOf(Capability.class);
            if (fs.hasPathCapability(rootPath, CommonPathCapabilities.FS_PERMISSIONS)) {
                caps.add(Capability.POSIX_MODES);
            }
            if (fs.hasPathCapability(rootPath, CommonPathCapabilities.FS_APPEND)) {
                caps.add(Capability.APPEND);
            }
            if (!publisher.uploadsWhole()) {
                fs.mkdirs(rootPath);
            }
            this.capabilities = Set.copyOf(caps);
        } catch (IOException | RuntimeException e) {
            try (Spool s = spool) {
                fs.close();
            }
            throw e;
        }
    }

    /** A file system of its own (not Hadoop's shared cache): closing it closes nobody else's; the spool goes on failure. */
    private static FileSystem fileSystem(URI rootUri, Configuration conf, Spool spool) throws IOException {
        try {
            return FileSystem.newInstance(rootUri, conf);
        } catch (IOException | RuntimeException e) {
            spool.close();
            throw e;
        }
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities;
    }

    /** Null: the lake is not a folder of this machine. */
    @Override
    public java.nio.file.Path localRoot() {
        return null;
    }

    @Override
    public PendingFile create(Path folder) throws IOException {
        checked(folder);
        Set<StagedFile> ofFolder = pending.computeIfAbsent(relative(folder), k -> ConcurrentHashMap.newKeySet());
        StagedFile file = publisher.uploadsWhole() ? new StagedFile.Spooled(publisher, spool.newFile())
                : new StagedFile.Renamed(publisher, publisher.temporary(new Path(folder, "pending")), false);
        file.whenDone(() -> ofFolder.remove(file));
        ofFolder.add(file);
        return file;
    }

    /** Nothing to mark: pending files live in this process's spool, or (HDFS) where no lock shows who is alive. */
    @Override
    public void claim(Path folder) {
        checked(folder);
    }

    @Override
    public void release(Path folder) {
        Set<StagedFile> ofFolder = pending.remove(relative(folder));
        if (ofFolder != null) {
            List.copyOf(ofFolder).forEach(StagedFile::abort);
        }
    }

    /** False: the store cannot tell (no process locks). */
    @Override
    public boolean claimedByOthers(Path folder) {
        checked(folder);
        return false;
    }

    FileSystem fs() {
        return fs;
    }

    /**
     * Reads a small file whole. Another instance may replace it (a manifest, {@code _metadata.json}) between S3A's HEAD
     * and its GET, which S3A reports as {@link RemoteFileChangedException} (HTTP 412: the object is no longer the one
     * the HEAD saw): it was replaced whole, so reading it again gives the new version.
     */
    @Override
    public byte[] read(Path p) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return super.read(p);
            } catch (RemoteFileChangedException e) {
                if (attempt == READ_ATTEMPTS) {
                    throw e;
                }
                pauseBeforeReading(e);
            }
        }
    }

    /** A few milliseconds, drawn at random so that a reader does not keep falling into the same writer's rhythm. */
    private static void pauseBeforeReading(IOException changed) throws IOException {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(5, 30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw changed;
        }
    }

    @Override
    public InputStream open(Path p) throws IOException {
        return fs.open(checked(p));
    }

    @Override
    public InputFile inputFile(FileStatus file) throws IOException {
        checked(file.getPath());
        return new InputFile() {
            @Override
            public long getLength() {
                return file.getLen();
            }

            @Override
            public SeekableInputStream newStream() throws IOException {
                // the listed status spares the store a HEAD request; footer and column reads seek
                return HadoopStreams.wrap(FutureIO.awaitFuture(fs.openFile(file.getPath()).withFileStatus(file)
                        .opt(Options.OpenFileOptions.FS_OPTION_OPENFILE_READ_POLICY, "parquet, random").build()));
            }

            @Override
            public String toString() {
                return file.getPath().toString();
            }
        };
    }

    /** Not the temporary files of writes in progress (stores that publish by rename). */
    @Override
    protected boolean shown(FileStatus f) {
        return !Publisher.isTemporary(f);
    }

    /**
     * Every file below {@code dir} but the temporary ones, in one recursive listing: on S3A a flat paged LIST of the
     * prefix (1,000 keys a request), not a walk folder by folder.
     */
    @Override
    public List<FileStatus> listFiles(Path dir) throws IOException {
        return allFiles(dir).stream().filter(f -> !Publisher.isTemporary(f)).toList();
    }

    private List<FileStatus> allFiles(Path dir) throws IOException {
        List<FileStatus> out = new ArrayList<>();
        try {
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(checked(dir), true);
            while (it.hasNext()) {
                out.add(it.next());
            }
        } catch (FileNotFoundException e) {
            return List.of();
        }
        return out;
    }

    @Override
    public void mkdirs(Path dir) throws IOException {
        checked(dir);
        if (publisher.uploadsWhole()) {
            return; // folders are implicit: a marker object would only be one more request
        }
        if (!fs.mkdirs(dir)) {
            throw new IOException("could not create the folder " + relative(dir) + " in the lake " + root());
        }
    }

    @Override
    public void replace(Path dest, byte[] content) throws IOException {
        publisher.publish(dest, out -> out.write(content), true);
    }

    @Override
    public void writeNew(Path dest, byte[] content) throws IOException {
        publisher.publish(dest, out -> out.write(content), false);
    }

    @Override
    public void appendLine(Path file, String line) throws IOException {
        if (!can(Capability.APPEND)) {
            throw new UnsupportedOperationException("the lake store " + root() + " cannot append to a file");
        }
        checked(file);
        boolean exists = fs.exists(file);
        try (FSDataOutputStream out = exists ? fs.append(file) : fs.create(file, false)) {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.hsync();
        }
    }

    @Override
    public short mode(Path p) throws IOException {
        return can(Capability.POSIX_MODES) ? fs.getFileStatus(checked(p)).getPermission().toShort() : -1;
    }

    @Override
    public void setMode(Path p, short mode) throws IOException {
        if (can(Capability.POSIX_MODES)) {
            fs.setPermission(checked(p), new FsPermission(mode));
        }
    }

    /**
     * On S3A: aborts the multipart uploads below {@code folder} started before {@code olderThanMillis} ago (what a
     * process killed mid-upload leaves). Elsewhere: deletes the temporary files of renames that never happened. What
     * this process is writing right now is kept whatever its age.
     */
    @Override
    public int removeAbandoned(Path folder, long olderThanMillis) throws IOException {
        checked(folder);
        return publisher.removeAbandoned(folder, olderThanMillis, publisher.uploadsWhole() ? List.of() : allFiles(folder));
    }

    @Override
    public int abortUploads(Path folder, java.util.function.Predicate<String> named) throws IOException {
        checked(folder);
        return publisher.uploadsWhole() ? publisher.abortUploads(folder, named) : 0;
    }

    @Override
    public void close() throws IOException {
        try (Spool s = spool) {
            fs.close();
        }
    }
}
