package org.cameldatalake.support;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.SyncFailedException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.fs.FSError;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.StreamCapabilities;
import org.apache.hadoop.fs.Syncable;
import org.apache.hadoop.fs.permission.FsPermission;
import org.cameldatalake.storage.ForklessLocalFileSystem;

/**
 * The local file system of a lake whose disk fails on demand, for the disk-fault tests. The service takes it for its
 * {@code file:} lake through {@code datalake.hadoop.fs.file.impl} ({@link #install}), so that every byte the lake
 * writes through Hadoop goes through it; unlike a small tmpfs it needs no privileges. It fails as Hadoop's
 * {@link RawLocalFileSystem} reports the real faults (checked against a full 256 KB tmpfs and {@code /dev/full}):
 * <ul>
 * <li>{@link Disk#full()}: creating files and directories and renaming still work (a full tmpfs or ext4 allows
 * them); a write, and so a flush, hsync or close with buffered bytes, throws {@link FSError} wrapping
 * {@code IOException("No space left on device")} — an {@link Error}, which is how RawLocalFileSystem's stream
 * reports every failed write.</li>
 * <li>{@link Disk#unwritable()} (EACCES on the lake root, what chmod would do to a non-root user): creating a file
 * throws {@code FileNotFoundException("… (Permission denied)")}, mkdirs and delete return false, and a rename throws
 * what Hadoop's copy fallback throws when its create is refused.</li>
 * <li>{@link Disk#failingSync()}: fsync fails (EIO): hsync throws {@link SyncFailedException}.</li>
 * <li>{@link Disk#failingRenames()}: renames fail with an I/O error.</li>
 * </ul>
 * Faults apply below a registered lake root, to paths whose part below the root contains {@link Disk#only} (all by
 * default); other lakes in the same JVM are untouched.
 */
public final class FaultyFileSystem extends ForklessLocalFileSystem {
    /** The Hadoop key that makes a lake's {@code file:} root use this file system. */
    public static final String SETTING = "fs.file.impl";
    private static final Map<String, Disk> DISKS = new ConcurrentHashMap<>();

    /** Makes the service's lake use this file system and returns the switch of its disk (healthy at first). */
    public static Disk install(Service service) {
        service.set("datalake.hadoop." + SETTING, FaultyFileSystem.class.getName());
        return disk(service.lakeRoot());
    }

    /** The switch of the disk below {@code lakeRoot} (healthy at first), for a lake opened with {@link #SETTING}. */
    public static Disk disk(java.nio.file.Path lakeRoot) {
        Disk disk = new Disk();
        DISKS.put(lakeRoot.toAbsolutePath().normalize() + "/", disk);
        return disk;
    }

    /** The switch of one lake's disk. */
    public static final class Disk {
        private final AtomicLong bytesLeft = new AtomicLong(Long.MAX_VALUE);
        private final AtomicInteger faults = new AtomicInteger();
        private volatile boolean unwritable;
        private volatile boolean failSync;
        private volatile boolean failRename;
        private volatile String only = "";

        /** The disk is full: no write succeeds any more. */
        public Disk full() {
            return fullAfter(0);
        }

        /** The disk fills up after {@code bytes} more bytes are written. */
        public Disk fullAfter(long bytes) {
            bytesLeft.set(bytes);
            return this;
        }

        public Disk unwritable() {
            unwritable = true;
            return this;
        }

        public Disk failingSync() {
            failSync = true;
            return this;
        }

        public Disk failingRenames() {
            failRename = true;
            return this;
        }

        /** Faults hit only paths whose part below the lake root contains {@code fragment}. */
        public Disk only(String fragment) {
            only = fragment;
            return this;
        }

        /** The fault is gone: space freed, permissions back, sync and rename work. */
        public Disk heal() {
            unwritable = false;
            failSync = false;
            failRename = false;
            only = "";
            bytesLeft.set(Long.MAX_VALUE);
            return this;
        }

        /** How many operations failed because of this disk so far. */
        public int faults() {
            return faults.get();
        }

        private IOException fault(IOException e) {
            faults.incrementAndGet();
            return e;
        }
    }

    /** The disk of a path, when the path is below a registered root and matches its {@code only} fragment. */
    private Disk diskOf(Path p) {
        String file = pathToFile(p).getAbsolutePath();
        for (Map.Entry<String, Disk> e : DISKS.entrySet()) {
            if (file.startsWith(e.getKey()) && file.substring(e.getKey().length()).contains(e.getValue().only)) {
                return e.getValue();
            }
        }
        return null;
    }

    @Override
    protected OutputStream createOutputStreamWithMode(Path f, boolean append, FsPermission permission) throws IOException {
        Disk disk = diskOf(f);
        if (disk != null && disk.unwritable) {
            throw disk.fault(new FileNotFoundException(pathToFile(f) + " (Permission denied)"));
        }
        OutputStream out = super.createOutputStreamWithMode(f, append, permission);
        return disk == null ? out : new FaultyStream(out, disk);
    }

    @Override
    public boolean mkdirs(Path f, FsPermission permission) throws IOException {
        Disk disk = diskOf(f);
        if (disk != null && disk.unwritable && !pathToFile(f).isDirectory()) {
            disk.faults.incrementAndGet();
            return false;
        }
        return super.mkdirs(f, permission);
    }

    @Override
    public boolean mkdirs(Path f) throws IOException {
        return mkdirs(f, FsPermission.getDirDefault());
    }

    @Override
    public boolean delete(Path p, boolean recursive) throws IOException {
        Disk disk = diskOf(p);
        if (disk != null && disk.unwritable && pathToFile(p).exists()) {
            disk.faults.incrementAndGet();
            return false;
        }
        return super.delete(p, recursive);
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        Disk disk = diskOf(dst);
        if (disk != null && disk.unwritable) {
            throw disk.fault(new FileNotFoundException(pathToFile(dst) + " (Permission denied)"));
        }
        if (disk != null && disk.failRename) {
            throw disk.fault(new IOException("rename " + src + " to " + dst + ": Input/output error"));
        }
        return super.rename(src, dst);
    }

    /** What RawLocalFileSystem's stream throws on ENOSPC (its constructor is package-private: Hadoop alone makes them). */
    private static FSError noSpaceLeft() {
        try {
            var c = FSError.class.getDeclaredConstructor(Throwable.class);
            c.setAccessible(true);
            return c.newInstance(new IOException("No space left on device"));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sits where RawLocalFileSystem's own stream sits (under Hadoop's buffer) and fails as it does. */
    private static final class FaultyStream extends OutputStream implements Syncable, StreamCapabilities {
        private final OutputStream out;
        private final Disk disk;

        FaultyStream(OutputStream out, Disk disk) {
            this.out = out;
            this.disk = disk;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            long left = disk.bytesLeft.getAndUpdate(n -> n == Long.MAX_VALUE ? n : Math.max(0, n - len));
            if (left < len) {
                if (left > 0) {
                    out.write(b, off, (int) left); // a full disk takes what still fits, then refuses the rest
                }
                disk.faults.incrementAndGet();
                throw noSpaceLeft();
            }
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void hflush() throws IOException {
            ((Syncable) out).hflush();
        }

        @Override
        public void hsync() throws IOException {
            if (disk.failSync) {
                throw disk.fault(new SyncFailedException("sync failed"));
            }
            ((Syncable) out).hsync();
        }

        @Override
        public boolean hasCapability(String capability) {
            return out instanceof StreamCapabilities c && c.hasCapability(capability);
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
