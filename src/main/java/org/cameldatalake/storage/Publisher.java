package org.cameldatalake.storage;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.util.HashMap;
import java.util.Map;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.apache.hadoop.fs.CommonPathCapabilities;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FSDataOutputStreamBuilder;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.MultipartUploader;
import org.apache.hadoop.fs.PartHandle;
import org.apache.hadoop.fs.UploadHandle;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.s3a.RemoteFileChangedException;
import org.apache.hadoop.fs.s3a.S3AFileSystem;
import org.apache.hadoop.util.functional.FutureIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * Makes files visible whole on a Hadoop file system, and removes what crashed writers left. Which way is read from
 * the store's path capabilities, not from its scheme:
 * <ul>
 * <li>an object store that creates a file only when its stream is closed, and can abort that stream, gets the file
 * uploaded under its final name (an S3 PUT, or a multipart upload, is invisible until complete); a writer killed
 * mid-upload leaves an incomplete multipart upload, aborted by {@link #removeAbandoned}. A data file spooled on the
 * local disk goes up as a multipart upload where the store has them, so that its last check comes after its bytes
 * ({@link #upload(Path, java.nio.file.Path, Storage.LastCheck)});
 * <li>other stores (HDFS) get a hidden temporary file renamed into place; a killed writer leaves that file.
 * </ul>
 * An existing file is never overwritten unless asked: on S3 a HEAD first, then a conditional create
 * ({@code If-None-Match: *}) where the store offers one.
 */
final class Publisher {
    private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);
    private static final String S3A_CREATE_PERFORMANCE = "fs.s3a.create.performance";
    /** Temporary files of stores that publish by rename: hidden from Hive-style readers by their leading dot. */
    private static final String TEMP_SUFFIX = ".tmp";
    /** The most uploads one S3 listing gives. */
    private static final int UPLOADS_PAGE = 1000;
    private static final long MIN_PART_SIZE = 5L << 20;

    private final FileSystem fs;
    private final LakeRoot root;
    private final boolean uploadsWhole;
    private final boolean conditionalCreate;
    private final boolean multipartUploads;
    /** The size of each part of a multipart upload but the last (S3's least is 5 MiB). */
    private final long partSize;
    /** What this process is writing right now: never abandoned, whatever its age. */
    private final Set<Path> inFlight = ConcurrentHashMap.newKeySet();

    Publisher(FileSystem fs, LakeRoot root) throws IOException {
        this.fs = fs;
        this.root = root;
        Path r = root.root();
        this.uploadsWhole = fs.hasPathCapability(r, Options.CreateFileOptionKeys.FS_OPTION_CREATE_IN_CLOSE)
                && fs.hasPathCapability(r, CommonPathCapabilities.ABORTABLE_STREAM);
        this.conditionalCreate = fs.hasPathCapability(r, Options.CreateFileOptionKeys.FS_OPTION_CREATE_CONDITIONAL_OVERWRITE);
        this.multipartUploads = uploadsWhole && fs.hasPathCapability(r, CommonPathCapabilities.FS_MULTIPART_UPLOADER);
        this.partSize = Math.max(MIN_PART_SIZE, fs.getConf().getLongBytes("fs.s3a.multipart.size", 64L << 20));
    }

    /** True where a file is published by one upload under its final name (object stores), false where by rename. */
    boolean uploadsWhole() {
        return uploadsWhole;
    }

    FileSystem fs() {
        return fs;
    }

    Path checked(Path p) {
        return root.checked(p);
    }

    /** What a published file holds, written to a stream. */
    interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Makes {@code content} visible at {@code dest} whole; refuses an existing {@code dest} unless {@code overwrite}. */
    void publish(Path dest, Content content, boolean overwrite) throws IOException {
        root.checked(dest);
        if (uploadsWhole) {
            upload(dest, content, overwrite);
            return;
        }
        StagedFile staged = new StagedFile.Renamed(this, temporary(dest), overwrite);
        try {
            try (OutputStream out = staged.create(0)) {
                content.writeTo(out);
            }
            staged.commit(dest);
        } catch (IOException | RuntimeException e) {
            staged.abort();
            throw e;
        }
    }

    /** One upload: a single PUT for a small file, a multipart upload completed at close for a large one. */
    private void upload(Path dest, Content content, boolean overwrite) throws IOException {
        FSDataOutputStreamBuilder<?, ?> builder = fs.createFile(dest).recursive().overwrite(overwrite);
        if (overwrite) {
            builder.opt(S3A_CREATE_PERFORMANCE, true); // no probe for a folder of that name: the PUT alone
        } else {
            // a HEAD first: some stores (S3Proxy among them) ignore If-None-Match when completing a multipart upload
            if (isFile(dest)) {
                throw refusal(dest, null);
            }
            if (conditionalCreate) {
                // and the store's own check closes the race with another writer (AWS S3, MinIO)
                builder.must(Options.CreateFileOptionKeys.FS_OPTION_CREATE_CONDITIONAL_OVERWRITE, true);
            }
        }
        Path key = fs.makeQualified(dest);
        inFlight.add(key);
        try {
            FSDataOutputStream out = builder.build();
            try {
                content.writeTo(out);
            } catch (IOException | RuntimeException e) {
                out.abort(); // nothing becomes visible, and S3A aborts its multipart upload
                throw e;
            }
            out.close();
        } catch (FileAlreadyExistsException | RemoteFileChangedException e) {
            throw refusal(dest, e);
        } finally {
            inFlight.remove(key);
        }
    }

    /**
     * Uploads the local file {@code local} as {@code dest}, {@code lastCheck} allowing; never overwrites. Where the store
     * offers multipart uploads (S3A), the bytes go up as the parts of an upload first, and {@code lastCheck} runs just
     * before the short request that completes it: a writer frozen past that check finds its upload aborted by the
     * partition's next owner ({@link #abortUploads}), so it cannot make its file visible late. Elsewhere the check runs
     * before one upload ({@link #publish}). Returns the size uploaded.
     */
    long upload(Path dest, java.nio.file.Path local, Storage.LastCheck lastCheck) throws IOException {
        long size = java.nio.file.Files.size(local);
        if (lastCheck == null || !multipartUploads || size == 0) {
            Storage.LastCheck.runIfAny(lastCheck);
            publish(dest, out -> java.nio.file.Files.copy(local, out), false);
            return size;
        }
        root.checked(dest);
        if (isFile(dest)) {
            throw refusal(dest, null);
        }
        Path key = fs.makeQualified(dest);
        inFlight.add(key);
        try (MultipartUploader uploader = fs.createMultipartUploader(root.root()).build()) {
            UploadHandle upload = FutureIO.awaitFuture(uploader.startUpload(key));
            try {
                Map<Integer, PartHandle> parts = new HashMap<>();
                int number = 1;
                for (long offset = 0; offset < size; offset += partSize, number++) {
                    long length = Math.min(partSize, size - offset);
                    try (FileChannel channel = FileChannel.open(local).position(offset)) {
                        parts.put(number, FutureIO.awaitFuture(uploader.putPart(upload, number,
                                offset + length == size, key, Channels.newInputStream(channel), length)));
                    }
                }
                lastCheck.run();
                FutureIO.awaitFuture(uploader.complete(upload, key, parts));
                return size;
            } catch (IOException | RuntimeException e) {
                abortQuietly(uploader, upload, key);
                throw e;
            }
        } finally {
            inFlight.remove(key);
        }
    }

    private static void abortQuietly(MultipartUploader uploader, UploadHandle upload, Path key) {
        try {
            FutureIO.awaitFuture(uploader.abort(upload, key));
        } catch (IOException | RuntimeException e) {
            LOG.debug("left the upload of {} for removeAbandoned: {}", key, e.toString());
        }
    }

    /** One HEAD request on S3A (exists() adds a LIST, to find a folder). */
    @SuppressWarnings("deprecation")
    private boolean isFile(Path p) throws IOException {
        return fs.isFile(p);
    }

    private FileAlreadyExistsException refusal(Path dest, Exception cause) {
        FileAlreadyExistsException e = new FileAlreadyExistsException("refusing to overwrite published file "
                + root.relative(dest));
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    /** A hidden temporary sibling of {@code p}, in flight until {@link #landed}. */
    Path temporary(Path p) {
        Path tmp = fs.makeQualified(new Path(p.getParent(), "." + p.getName() + "." + UUID.randomUUID() + TEMP_SUFFIX));
        inFlight.add(tmp);
        return tmp;
    }

    void landed(Path p) {
        inFlight.remove(fs.makeQualified(p));
    }

    static boolean isTemporary(FileStatus f) {
        String name = f.getPath().getName();
        return f.isFile() && name.startsWith(".") && name.endsWith(TEMP_SUFFIX);
    }

    /** Renames a closed temporary file to {@code dest}, refusing an existing one unless {@code overwrite}. */
    void rename(Path tmp, Path dest, boolean overwrite) throws IOException {
        fs.mkdirs(dest.getParent());
        if (!overwrite && fs.exists(dest)) {
            throw refusal(dest, null);
        }
        if (!fs.rename(tmp, dest)) {
            if (!overwrite) {
                throw refusal(dest, null); // created meanwhile
            }
            // HDFS refuses to rename onto an existing file: replace in two steps
            fs.delete(dest, false);
            if (!fs.rename(tmp, dest)) {
                throw new IOException("could not replace " + root.relative(dest));
            }
        }
    }

    void deleteQuietly(Path p) {
        try {
            fs.delete(p, false);
        } catch (IOException | RuntimeException e) {
            LOG.debug("left {} for removeAbandoned: {}", p, e.toString());
        }
    }

    /**
     * Removes below {@code folder} what writers left that started before {@code olderThanMillis} ago and are not this
     * process's: incomplete multipart uploads on S3A (invisible, but billed until aborted), temporary files elsewhere.
     * {@code files}: every file below {@code folder}, temporary ones included (unused on S3A).
     */
    int removeAbandoned(Path folder, long olderThanMillis, List<FileStatus> files) throws IOException {
        if (fs instanceof S3AFileSystem s3a) {
            // the time of each upload is read against the clock after the listing: S3Proxy gives the listing's time
            return abortUploads(s3a, folder, upload -> !upload.initiated().isAfter(Instant.now().minusMillis(olderThanMillis)));
        }
        long before = System.currentTimeMillis() - olderThanMillis;
        int removed = 0;
        for (FileStatus f : files) {
            if (isTemporary(f) && f.getModificationTime() < before && !inFlight.contains(fs.makeQualified(f.getPath()))) {
                fs.delete(f.getPath(), false);
                removed++;
            }
        }
        return removed;
    }

    /** Aborts the incomplete uploads below {@code folder} of files named as {@code named} says, whatever their age. */
    int abortUploads(Path folder, Predicate<String> named) throws IOException {
        if (fs instanceof S3AFileSystem s3a) {
            return abortUploads(s3a, folder, upload -> named.test(new Path(upload.key()).getName()));
        }
        return 0;
    }

    /**
     * The listing of uploads is S3A's own API (as behind {@code hadoop s3guard uploads -abort}), read in pages of up
     * to 1,000 as it comes without a page size (S3Proxy refuses one with a page size); a further page is read only
     * when this one was full and had uploads to abort. What this process is uploading is never aborted.
     */
    private int abortUploads(S3AFileSystem s3a, Path folder, Predicate<MultipartUpload> abandoned) throws IOException {
        String key = s3a.pathToKey(fs.makeQualified(folder));
        String prefix = key.isEmpty() ? "" : key + "/"; // not a sibling folder whose name starts alike
        int removed = 0;
        while (true) {
            List<MultipartUpload> uploads = s3a.listMultipartUploads(prefix);
            int aborted = 0;
            for (MultipartUpload upload : uploads) {
                if (abandoned.test(upload) && !inFlight.contains(s3a.keyToQualifiedPath(upload.key()))) {
                    s3a.abortMultipartUpload(upload);
                    LOG.info("aborted the upload of {} that a writer started at {} and never completed",
                            root.relative(s3a.keyToQualifiedPath(upload.key())), upload.initiated());
                    aborted++;
                }
            }
            removed += aborted;
            if (aborted == 0 || uploads.size() < UPLOADS_PAGE) {
                return removed;
            }
        }
    }
}
