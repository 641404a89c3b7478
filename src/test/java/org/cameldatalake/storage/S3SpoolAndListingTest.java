package org.cameldatalake.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.statistics.IOStatisticsSupport;
import org.apache.hadoop.fs.statistics.StoreStatisticNames;
import org.cameldatalake.support.S3Lake;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What is particular to a lake on S3: the local spool of pending files, and the cost of listing a large feed. */
class S3SpoolAndListingTest {
    @RegisterExtension
    static final S3Lake.Server S3 = new S3Lake.Server();

    @TempDir
    Path tmp;

    @Test
    void theSpoolOfAKilledProcessIsRemovedAndThoseOfLiveOnesAreKept() throws Exception {
        Path spoolParent = tmp.resolve("spool");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SpoolingProcess.class.getName(),
                spoolParent.toString(), S3.lake().root("spooled")));
        S3.lake().hadoop().forEach((k, v) -> cmd.add(k + "=" + v));
        Process other = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
            String spooling = CompletableFuture.supplyAsync(() -> readUntil(lines, "SPOOLING "))
                    .get(120, TimeUnit.SECONDS);
            Path otherSpool = Path.of(spooling.substring("SPOOLING ".length()));
            assertThat(StorageContractTest.filesIn(otherSpool)).anyMatch(f -> f.endsWith(".spool"));
            try (Storage first = Storages.open(S3.lake().root("spooled"), S3.lake().hadoop(), spoolParent)) {
                Path firstSpool = spoolOf(spoolParent, otherSpool);
                // old enough to be judged by their locks alone
                age(otherSpool);
                age(firstSpool);

                try (Storage second = Storages.open(S3.lake().root("spooled"), S3.lake().hadoop(), spoolParent)) {
                    assertThat(otherSpool).as("another live process's").exists();
                    assertThat(firstSpool).as("this process's").exists();
                }

                other.destroyForcibly(); // SIGKILL
                assertThat(other.waitFor(60, TimeUnit.SECONDS)).isTrue();
                try (Storage third = Storages.open(S3.lake().root("spooled"), S3.lake().hadoop(), spoolParent)) {
                    assertThat(otherSpool).as("the killed process's").doesNotExist();
                    assertThat(firstSpool).exists();
                }
            }
            try (var left = Files.list(spoolParent)) {
                assertThat(left).as("closed storages remove their own spool").isEmpty();
            }
        } finally {
            other.destroyForcibly();
        }
    }

    /**
     * A restart reads the feed's files to resume after the highest offset: one flat paged LIST of the prefix (1,000
     * keys a request), not a walk folder by folder through year=/month=/day=. Prints what it cost.
     */
    @ParameterizedTest
    @ValueSource(ints = {2_000, 10_000})
    void listingAFeedOfThousandsOfObjectsIsOneFlatPagedListing(int objects) throws Exception {
        String prefix = "listing" + objects;
        Path feed = S3.lake().bucketDir().resolve(prefix).resolve("streams/feed");
        for (int i = 0; i < objects; i++) {
            Path day = feed.resolve(String.format("year=2026/month=%02d/day=%02d", 1 + i / 2800, 1 + (i / 100) % 28));
            Files.createDirectories(day);
            Files.write(day.resolve(String.format("data_20260101_000000_t+0+%d+%d.parquet", i * 10L, i * 10L + 9)),
                    new byte[] {(byte) i});
        }
        try (Storage st = Storages.open(S3.lake().root(prefix), S3.lake().hadoop(), tmp.resolve("spool"))) {
            long start = System.nanoTime();
            long requestsBefore = listRequests(st);

            List<FileStatus> files = st.listFiles(st.path("streams", "feed"));

            long ms = Duration.ofNanos(System.nanoTime() - start).toMillis();
            long requests = listRequests(st) - requestsBefore;
            assertThat(files).hasSize(objects);
            // pages of 1,000 keys (and one request more, seen on S3Proxy); a walk takes one LIST per folder, which is
            // more than one per 100 objects here
            assertThat(requests).isBetween(1L, (objects + 999L) / 1000 + 1);

            start = System.nanoTime();
            requestsBefore = listRequests(st);
            assertThat(walk(st, st.path("streams", "feed"))).isEqualTo(objects);
            long walkMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
            long walkRequests = listRequests(st) - requestsBefore;
            System.out.printf("a feed of %,d objects on S3Proxy: listFiles %,d ms in %d LIST requests; a walk folder by"
                    + " folder %,d ms in %d%n", objects, ms, requests, walkMs, walkRequests);
        }
    }

    /** LIST requests S3A made so far, first pages and continuations. */
    private static long listRequests(Storage st) {
        var counters = IOStatisticsSupport.retrieveIOStatistics(((HadoopStorage) st).fs()).counters();
        return counters.getOrDefault(StoreStatisticNames.OBJECT_LIST_REQUEST, 0L)
                + counters.getOrDefault(StoreStatisticNames.OBJECT_CONTINUE_LIST_REQUEST, 0L);
    }

    private static int walk(Storage st, org.apache.hadoop.fs.Path dir) throws java.io.IOException {
        int n = 0;
        for (FileStatus f : st.list(dir)) {
            n += f.isDirectory() ? walk(st, f.getPath()) : 1;
        }
        return n;
    }

    private static String readUntil(BufferedReader lines, String prefix) {
        try {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            throw new IllegalStateException("the spooling process ended before spooling");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** This JVM's spool folder: the one below {@code parent} that is not {@code others}. */
    private static Path spoolOf(Path parent, Path others) throws Exception {
        try (var s = Files.list(parent)) {
            return s.filter(p -> !p.equals(others)).findFirst().orElseThrow();
        }
    }

    private static void age(Path dir) throws Exception {
        Files.setLastModifiedTime(dir, FileTime.from(Instant.now().minus(Duration.ofMinutes(2))));
    }
}
