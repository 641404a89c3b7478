package org.cameldatalake.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.fs.EtagSource;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.s3a.S3AFileSystem;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.awaitility.Awaitility;
import org.cameldatalake.storage.Storage.Capability;
import org.cameldatalake.storage.Storage.PendingFile;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.S3Lake;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The {@link Storage} contract, the same cases on every kind of store, each checked through an independent view of the
 * store's files (java.nio and DuckDB over the folder that holds them — for S3, S3Proxy's filesystem store).
 */
class StorageContractTest {
    /**
     * The stores under test: {@link LocalStorage}, S3A against S3Proxy, and {@link HadoopStorage} on a {@code file:}
     * root — the publish-by-rename branch that HDFS takes.
     */
    enum Kind { LOCAL, S3, HADOOP_FILE }

    private static final Schema SCHEMA = SchemaBuilder.record("row").fields()
            .requiredLong("id").requiredString("name").endRecord();
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    /** Hadoop's local file system without its .crc side files, as the service uses it. */
    private static final Map<String, String> RAW_LOCAL = Map.of("fs.file.impl", RawLocalFileSystem.class.getName(),
            "fs.file.impl.disable.cache", "true");

    @RegisterExtension
    static final S3Lake.Server S3 = new S3Lake.Server();

    @TempDir
    Path tmp;
    Kind kind;
    Storage storage;
    Path view;
    Path spool;
    String prefix;

    /** S3A against S3Proxy, with the smallest part size S3 allows, so that a 6 MB file is a multipart upload. */
    static Map<String, String> s3Settings() {
        Map<String, String> m = new HashMap<>(S3.lake().hadoop());
        m.put("fs.s3a.multipart.size", "5M");
        return m;
    }

    Storage open(Kind k) throws IOException {
        kind = k;
        spool = tmp.resolve("spool");
        if (k == Kind.S3) {
            prefix = "lake" + PREFIXES.incrementAndGet();
            view = S3.lake().bucketDir().resolve(prefix);
            storage = Storages.open(S3.lake().root(prefix), s3Settings(), spool);
        } else if (k == Kind.LOCAL) {
            view = tmp.resolve("lake");
            storage = Storages.open(view.toString(), Map.of(), spool);
        } else {
            view = tmp.resolve("lake");
            storage = new HadoopStorage(view.toUri(), RAW_LOCAL, spool);
        }
        return storage;
    }

    @AfterEach
    void close() throws IOException {
        if (storage != null) {
            storage.close();
        }
    }

    // ---- publishing whole files ----

    @ParameterizedTest
    // LOCAL tells a dead writer by its lock, which a writer of this JVM keeps: LocalStorageTest has its own case
    @EnumSource(value = Kind.class, names = {"S3", "HADOOP_FILE"})
    void commitPublishesTheWholeFileAndNothingBefore(Kind k) throws Exception {
        Storage st = open(k);
        org.apache.hadoop.fs.Path folder = st.path("streams", "feed");
        org.apache.hadoop.fs.Path dest = st.path("streams", "feed", "year=2026", "data_t+0+0+199999.parquet");
        PendingFile pending = st.create(folder);
        try (ParquetWriter<GenericRecord> w = writer(pending)) {
            for (long i = 0; i < 200_000; i++) {
                w.write(row(i));
                if (i == 100_000) {
                    assertThat(pending.written()).as("row groups handed to the store").isPositive();
                    assertNothingVisible(st, dest);
                }
            }
        }
        assertNothingVisible(st, dest);

        long size = pending.commit(dest);

        Path file = view.resolve("streams/feed/year=2026/data_t+0+0+199999.parquet");
        assertThat(Files.size(file)).isEqualTo(size).isGreaterThan(5L << 20);
        assertThat(new Lake(view).count("SELECT count(DISTINCT id) FROM read_parquet('" + file + "')")).isEqualTo(200_000);
        assertThat(st.exists(dest)).isTrue();
        assertThat(st.listFiles(st.root())).extracting(f -> st.relative(f.getPath()))
                .containsExactly("streams/feed/year=2026/data_t+0+0+199999.parquet");
        assertThat(spooledUploads()).isEmpty();
        if (k == Kind.S3) {
            // a multipart upload ("-<parts>" ETag), which S3 shows only once completed
            assertThat(((EtagSource) st.status(dest)).getEtag()).endsWith("-2\"");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void abortLeavesNothingBehind(Kind k) throws Exception {
        Storage st = open(k);
        PendingFile closed = st.create(st.path("streams", "feed"));
        try (ParquetWriter<GenericRecord> w = writer(closed)) {
            w.write(row(1));
        }
        PendingFile open = st.create(st.path("streams", "feed"));
        OutputStream half = open.create(0);
        half.write(new byte[1 << 20]);

        closed.abort();
        open.abort();

        assertThat(filesIn(view)).isEmpty();
        assertThat(spooledUploads()).isEmpty();
        assertThat(st.listFiles(st.root())).isEmpty();
        assertThat(st.removeAbandoned(st.root(), 0)).as("no upload or temporary file left to remove").isZero();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void releaseAbortsTheFolderPendingFiles(Kind k) throws Exception {
        Storage st = open(k);
        org.apache.hadoop.fs.Path folder = st.path("streams", "feed");
        st.claim(folder);
        PendingFile pending = st.create(folder);
        try (OutputStream out = pending.create(0)) {
            out.write(bytes(1 << 20, 5));
        }

        st.release(folder);

        assertThat(filesIn(view)).isEmpty();
        assertThat(spooledUploads()).isEmpty();
        assertThat(st.claimedByOthers(folder)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void commitRefusesToOverwriteAPublishedFile(Kind k) throws Exception {
        Storage st = open(k);
        org.apache.hadoop.fs.Path dest = st.path("streams", "feed", "data.parquet");
        byte[] first = bytes(6 << 20, 1);
        commit(st, dest, first);

        PendingFile second = st.create(dest.getParent());
        try (OutputStream out = second.create(0)) {
            out.write(bytes(6 << 20, 2));
        }
        assertThatThrownBy(() -> second.commit(dest)).isInstanceOf(IOException.class)
                .hasMessage("refusing to overwrite published file streams/feed/data.parquet");
        second.abort();

        assertThat(Files.readAllBytes(view.resolve("streams/feed/data.parquet"))).isEqualTo(first);
        assertThat(filesIn(view)).containsExactly("streams/feed/data.parquet");
        assertThat(spooledUploads()).isEmpty();
    }

    // ---- small files ----

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aLastCheckThatRefusesLeavesNothingVisibleNorUnfinished(Kind k) throws Exception {
        Storage st = open(k);
        org.apache.hadoop.fs.Path dest = st.path("streams", "feed", "data_t+5+0+99.parquet");
        PendingFile pending = st.create(dest.getParent());
        try (OutputStream out = pending.create(0)) {
            out.write(bytes(1 << 20, 3));
        }

        assertThatThrownBy(() -> pending.commit(dest, () -> {
            throw new IOException("partition 5 is no longer ours");
        })).hasMessageContaining("partition 5 is no longer ours");
        pending.abort();

        assertNothingVisible(st, dest);
        assertThat(spooledUploads()).isEmpty();
        assertThat(st.removeAbandoned(st.root(), 0)).as("no upload or temporary file left to remove").isZero();
    }

    /**
     * A writer that passed its last check and froze there (a GC pause, SIGSTOP) before its file became visible: the
     * partition's next owner aborts the uploads of that partition it finds, and the frozen writer, once it runs
     * again, cannot make its file visible — its bytes were uploaded before the check, only the completion was left.
     */
    @Test
    void onS3AWriterFrozenAfterItsLastCheckCannotPublishOnceItsPartitionIsTakenOver() throws Exception {
        Storage st = open(Kind.S3);
        org.apache.hadoop.fs.Path dest = st.path("streams", "feed", "data_t+5+0+99.parquet");
        PendingFile pending = st.create(dest.getParent());
        try (OutputStream out = pending.create(0)) {
            out.write(bytes(1 << 20, 4));
        }
        java.util.concurrent.CountDownLatch checked = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch thawed = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CompletableFuture<Long> frozen = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return pending.commit(dest, () -> {
                    checked.countDown();
                    try {
                        thawed.await();
                    } catch (InterruptedException e) {
                        throw new java.io.InterruptedIOException();
                    }
                });
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(checked.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        try (Storage nextOwner = Storages.open(S3.lake().root(prefix), s3Settings(), tmp.resolve("spool-of-the-next-owner"))) {
            assertThat(nextOwner.abortUploads(dest.getParent(), name -> name.contains("+5+"))).isEqualTo(1);
        }
        thawed.countDown();

        assertThatThrownBy(frozen::join).as("the completion of an aborted upload").hasCauseInstanceOf(java.io.UncheckedIOException.class);
        pending.abort();
        assertNothingVisible(st, dest);
        assertThat(spooledUploads()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void writeNewRefusesAnExistingFileAndReplaceSwapsTheContentWhole(Kind k) throws Exception {
        Storage st = open(k);
        org.apache.hadoop.fs.Path meta = st.path("tables", "t", "_metadata.json");
        st.writeNew(meta, utf8("{\"v\":1}"));
        assertThatThrownBy(() -> st.writeNew(meta, utf8("{\"v\":2}"))).isInstanceOf(IOException.class)
                .hasMessage("refusing to overwrite published file tables/t/_metadata.json");
        assertThat(Files.readString(view.resolve("tables/t/_metadata.json"))).isEqualTo("{\"v\":1}");

        st.replace(meta, utf8("{\"v\":3}"));
        st.replace(st.path("tables", "t", "new.json"), utf8("{}"));

        assertThat(new String(st.read(meta), StandardCharsets.UTF_8)).isEqualTo("{\"v\":3}");
        assertThat(Files.readString(view.resolve("tables/t/_metadata.json"))).isEqualTo("{\"v\":3}");
        assertThat(filesIn(view)).as("no temporary file or object left")
                .containsExactly("tables/t/_metadata.json", "tables/t/new.json");
    }

    /**
     * Several instances on one lake read each other's small files (manifests, {@code _metadata.json}) while their
     * owners replace them: a manifest after each file its owner publishes, {@code _metadata.json} after each file any
     * instance publishes, here 20 times a second. Each read gives one whole version, none fails (on S3 the object may
     * change between the HEAD and the GET of a read).
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void aSmallFileReadWhileAnotherProcessReplacesItIsReadWhole(Kind k) throws Exception {
        Storage st = open(k);
        org.apache.hadoop.fs.Path manifest = st.path("streams", "feed", "_manifests", "T-0.json");
        String padding = "x".repeat(2_000);
        st.replace(manifest, utf8("{\"version\": 0, \"padding\": \"" + padding + "\"}"));
        AtomicInteger replaced = new AtomicInteger();
        List<String> read = new ArrayList<>();
        ScheduledExecutorService owner = Executors.newSingleThreadScheduledExecutor();
        try (Storage ownersLake = sameLakeElsewhere()) {
            ScheduledFuture<?> replacing = owner.scheduleAtFixedRate(() -> {
                try {
                    ownersLake.replace(manifest, utf8("{\"version\": " + replaced.incrementAndGet() + ", \"padding\": \""
                            + padding + "\"}"));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, 0, 50, TimeUnit.MILLISECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((replaced.get() < 40 || read.size() < 200) && !replacing.isDone() && System.nanoTime() < deadline) {
                read.add(new String(st.read(manifest), StandardCharsets.UTF_8));
            }
            replacing.cancel(false);
            assertThat(replaced.get()).as("replacements while reading").isGreaterThanOrEqualTo(40);
        } finally {
            owner.shutdownNow();
            assertThat(owner.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        System.out.printf("%s: %d reads of a small file while it was replaced %d times%n", k, read.size(), replaced.get());
        assertThat(read).allMatch(r -> r.matches("\\{\"version\": \\d+, \"padding\": \"" + padding + "\"}"), "whole");
    }

    /** Another storage on this test's lake, as another process opens it (a spool of its own). */
    private Storage sameLakeElsewhere() throws IOException {
        Path otherSpool = tmp.resolve("spool-elsewhere");
        return switch (kind) {
            case S3 -> Storages.open(storage.root().toString(), s3Settings(), otherSpool);
            case LOCAL -> Storages.open(view.toString(), Map.of(), otherSpool);
            case HADOOP_FILE -> new HadoopStorage(view.toUri(), RAW_LOCAL, otherSpool);
        };
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void readsListsAndDeletes(Kind k) throws Exception {
        Storage st = open(k);
        org.apache.hadoop.fs.Path feed = st.path("streams", "feed");
        org.apache.hadoop.fs.Path day1 = st.path("streams", "feed", "day=1");
        st.writeNew(new org.apache.hadoop.fs.Path(day1, "a.parquet"), utf8("a"));
        st.writeNew(new org.apache.hadoop.fs.Path(day1, "b.parquet"), utf8("bb"));
        st.writeNew(st.path("streams", "feed", "day=2", "c.parquet"), utf8("ccc"));
        st.writeNew(st.path("streams", "feed", "_metadata.json"), utf8("{}"));

        assertThat(st.list(feed)).extracting(f -> f.getPath().getName() + (f.isDirectory() ? "/" : ""))
                .containsExactlyInAnyOrder("day=1/", "day=2/", "_metadata.json");
        assertThat(st.listFiles(feed)).extracting(f -> st.relative(f.getPath()) + " " + f.getLen())
                .containsExactlyInAnyOrder("streams/feed/day=1/a.parquet 1", "streams/feed/day=1/b.parquet 2",
                        "streams/feed/day=2/c.parquet 3", "streams/feed/_metadata.json 2");
        assertThat(st.list(st.path("nothing"))).isEmpty();
        assertThat(st.listFiles(st.path("nothing"))).isEmpty();
        assertThat(st.status(new org.apache.hadoop.fs.Path(day1, "b.parquet")).getLen()).isEqualTo(2);
        assertThatThrownBy(() -> st.status(st.path("nothing"))).isInstanceOf(java.io.FileNotFoundException.class);
        try (var in = st.open(st.path("streams", "feed", "day=2", "c.parquet"))) {
            assertThat(in.readAllBytes()).isEqualTo(utf8("ccc"));
        }
        assertThat(st.exists(day1)).isTrue();

        st.delete(new org.apache.hadoop.fs.Path(day1, "a.parquet"), false);
        st.deleteIfEmpty(day1);
        assertThat(filesIn(view)).contains("streams/feed/day=1/b.parquet").doesNotContain("streams/feed/day=1/a.parquet");
        st.delete(new org.apache.hadoop.fs.Path(day1, "b.parquet"), false);
        st.deleteIfEmpty(day1);
        assertThat(st.exists(day1)).isFalse();
        assertThat(filesIn(view.resolve("streams/feed/day=1"))).isEmpty();

        st.delete(feed, true);
        assertThat(filesIn(view)).isEmpty();
        assertThat(st.exists(feed)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void pathsOutsideTheRootAreRefused(Kind k) throws Exception {
        Storage st = open(k);
        org.apache.hadoop.fs.Path root = st.root();
        for (String bad : new String[] {"..", ".", "", "a/b", "a\\b", "a\0b"}) {
            assertThatThrownBy(() -> st.path("streams", bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("unsafe path segment");
        }
        org.apache.hadoop.fs.Path sibling = new org.apache.hadoop.fs.Path(root.getParent(), root.getName() + "0");
        org.apache.hadoop.fs.Path escape = new org.apache.hadoop.fs.Path(root, "../" + root.getName() + "0/x");
        for (org.apache.hadoop.fs.Path outside : List.of(sibling, escape, root.getParent())) {
            assertThatThrownBy(() -> st.checked(outside)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is outside the lake root " + root);
        }
        org.apache.hadoop.fs.Path out = new org.apache.hadoop.fs.Path(sibling, "x.json");
        assertThatThrownBy(() -> st.writeNew(out, utf8("x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> st.replace(out, utf8("x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> st.read(out)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> st.delete(sibling, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> st.listFiles(sibling)).isInstanceOf(IllegalArgumentException.class);
        PendingFile pending = st.create(st.path("streams"));
        try (OutputStream o = pending.create(0)) {
            o.write(1);
        }
        assertThatThrownBy(() -> pending.commit(out)).isInstanceOf(IllegalArgumentException.class);
        pending.abort();

        assertThat(st.checked(new org.apache.hadoop.fs.Path(root.toString() + "/"))).isNotNull();
        assertThat(st.relative(root)).isEmpty();
        assertThat(st.relative(st.path("streams", "feed"))).isEqualTo("streams/feed");
        assertThat(filesIn(view.getParent())).noneMatch(f -> f.contains("x.json"));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void whatTheStoreCannotDoIsACapabilityItLacks(Kind k) throws Exception {
        Storage st = open(k);
        org.apache.hadoop.fs.Path log = st.path("logs", "exports.jsonl");
        org.apache.hadoop.fs.Path file = st.path("streams", "feed", "day=1", "a.parquet");
        st.writeNew(file, utf8("a"));
        if (k == Kind.S3) {
            assertThat(st.capabilities()).isEmpty();
            assertThatThrownBy(() -> st.appendLine(log, "x")).isInstanceOf(UnsupportedOperationException.class);
            st.secure(file, st.path("streams", "feed"), (short) 0640, (short) 0750);
            assertThat(st.mode(file)).isEqualTo((short) -1);
            return;
        }
        assertThat(st.capabilities()).contains(Capability.POSIX_MODES, Capability.APPEND)
                .hasSize(k == Kind.LOCAL ? 3 : 2);
        st.appendLine(log, "one");
        st.appendLine(log, "two");
        assertThat(Files.readAllLines(view.resolve("logs/exports.jsonl"))).containsExactly("one", "two");
        st.secure(file, st.path("streams", "feed"), (short) 0640, (short) 0750);
        assertThat(st.mode(file)).isEqualTo((short) 0640);
        assertThat(st.mode(st.path("streams", "feed", "day=1"))).isEqualTo((short) 0750);
        assertThat(st.mode(st.path("streams", "feed"))).isEqualTo((short) 0750);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(view.resolve("streams/feed/day=1/a.parquet")))).isEqualTo("rw-r-----");
    }

    // ---- what crashed writers leave ----

    @ParameterizedTest
    // LOCAL tells a dead writer by its lock, which a writer of this JVM keeps: LocalStorageTest has its own case
    @EnumSource(value = Kind.class, names = {"S3", "HADOOP_FILE"})
    void removeAbandonedRemovesWhatAKilledWriterLeftAndKeepsLiveWrites(Kind k) throws Exception {
        Storage st = open(k);
        org.apache.hadoop.fs.Path folder = st.path("streams", "feed");
        org.apache.hadoop.fs.Path dest = st.path("streams", "feed", "day=1", "dead.parquet");
        AutoCloseable killed = k == Kind.S3 ? uploadNeverCompleted(dest) : renameNeverDone(k, folder);
        PendingFile live = st.create(folder);
        OutputStream liveOut = live.create(0);
        liveOut.write(bytes(1 << 20, 3));

        assertThat(st.exists(dest)).isFalse();
        assertThat(st.listFiles(st.root())).isEmpty();
        assertThat(visibleFilesIn(view)).isEmpty();
        assertThat(st.removeAbandoned(folder, 3_600_000)).as("younger than an hour: may be a live writer's").isZero();

        assertThat(st.removeAbandoned(folder, 0)).isEqualTo(1);

        assertThat(st.removeAbandoned(folder, 0)).as("nothing left").isZero();
        if (k == Kind.S3) {
            assertThat(((S3AFileSystem) ((HadoopStorage) st).fs()).listMultipartUploads("")).isEmpty();
        }
        assertThat(filesIn(view)).as("only this process's pending file").allMatch(f -> f.endsWith(".tmp"))
                .hasSize(k == Kind.S3 ? 0 : 1);
        liveOut.close();
        live.commit(new org.apache.hadoop.fs.Path(folder, "live.parquet"));
        assertThat(filesIn(view)).containsExactly("streams/feed/live.parquet");
        killed.close();
    }

    /**
     * A writer killed mid-upload: an S3A stream past the part size (its first part uploaded, so a multipart upload
     * exists) that is never closed, from another file system instance as another process would have.
     */
    private AutoCloseable uploadNeverCompleted(org.apache.hadoop.fs.Path dest) throws IOException {
        FileSystem other = FileSystem.newInstance(storage.root().toUri(), storage.conf());
        FSDataOutputStream out = other.create(dest, false);
        out.write(bytes(6 << 20, 4));
        S3AFileSystem s3a = (S3AFileSystem) other;
        Awaitility.await().until(() -> !s3a.listMultipartUploads("").isEmpty());
        return other::close;
    }

    /** A writer killed before its rename: another storage's pending file, written and never committed. */
    private AutoCloseable renameNeverDone(Kind k, org.apache.hadoop.fs.Path folder) throws IOException {
        Storage other = k == Kind.LOCAL ? Storages.open(view.toString())
                : new HadoopStorage(view.toUri(), RAW_LOCAL, tmp.resolve("other-spool"));
        PendingFile pending = other.create(folder);
        try (OutputStream out = pending.create(0)) {
            out.write(bytes(1 << 20, 4));
        }
        return other;
    }

    // ---- helpers ----

    private static ParquetWriter<GenericRecord> writer(PendingFile file) throws IOException {
        return AvroParquetWriter.<GenericRecord>builder(file).withSchema(SCHEMA)
                .withCompressionCodec(CompressionCodecName.UNCOMPRESSED).withDictionaryEncoding(false)
                .withRowGroupSize(1L << 20).build();
    }

    private static GenericRecord row(long id) {
        GenericRecord r = new GenericData.Record(SCHEMA);
        r.put("id", id);
        r.put("name", UUID.randomUUID().toString());
        return r;
    }

    private static void commit(Storage st, org.apache.hadoop.fs.Path dest, byte[] content) throws IOException {
        PendingFile f = st.create(dest.getParent());
        try (OutputStream out = f.create(0)) {
            out.write(content);
        }
        f.commit(dest);
    }

    private void assertNothingVisible(Storage st, org.apache.hadoop.fs.Path dest) throws IOException {
        assertThat(st.exists(dest)).isFalse();
        assertThat(st.listFiles(st.root())).isEmpty();
        assertThat(st.list(dest.getParent())).isEmpty();
        assertThat(visibleFilesIn(view)).isEmpty();
    }

    /** The spool's upload files (its lock file and S3A's block folder aside). */
    private List<String> spooledUploads() throws IOException {
        return filesIn(spool).stream().filter(f -> !f.endsWith(Spool.LOCK) && !f.contains("/s3a/")).toList();
    }

    /** Every file below {@code dir}, relative, sorted. */
    static List<String> filesIn(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    /** The files a Hive-style reader (DuckDB, Spark) would see: hidden names aside. */
    private static List<String> visibleFilesIn(Path dir) throws IOException {
        return filesIn(dir).stream().filter(f -> Stream.of(f.split("/")).noneMatch(s -> s.startsWith("."))).toList();
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
