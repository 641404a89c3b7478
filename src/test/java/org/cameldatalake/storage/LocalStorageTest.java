package org.cameldatalake.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordingFile;
import org.apache.hadoop.fs.FileStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStorageTest {
    /**
     * A writer lists its feed at every start and at each partition's first batch after a (re)assignment, to skip what
     * the lake holds. It used to cost a forked process per file (Hadoop's located listing reads each local file's
     * permissions that way): 3,000 files took 15-25 s here, so that a feed restarted after a crash stalled for minutes
     * once it held tens of thousands of files.
     */
    @Test
    void listsThousandsOfFilesInTheirFoldersQuickly(@TempDir Path dir) throws Exception {
        List<String> expected = new ArrayList<>();
        for (int day = 1; day <= 3; day++) {
            Path folder = Files.createDirectories(dir.resolve("streams/f/year=2025/month=10/day=0" + day));
            for (int i = 0; i < 1_000; i++) {
                Files.createFile(folder.resolve("data_20251001_000000_T+0+" + i + "+" + i + ".parquet"));
                expected.add("year=2025/month=10/day=0" + day + "/data_20251001_000000_T+0+" + i + "+" + i + ".parquet");
            }
        }
        Files.writeString(dir.resolve("streams/f/_metadata.json"), "{}");
        expected.add("_metadata.json");
        Storage storage = Storages.open(dir.toString());

        long start = System.nanoTime();
        List<FileStatus> files = storage.listFiles(storage.path("streams", "f"));
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(files.stream().map(f -> storage.relative(f.getPath()).substring("streams/f/".length())))
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(files).allMatch(f -> f.isFile() && f.getLen() == (f.getPath().getName().endsWith(".json") ? 2 : 0));
        assertThat(millis).as("milliseconds to list 3,001 files").isLessThan(3_000);
        assertThat(storage.listFiles(storage.path("streams", "absent"))).isEmpty();
    }

    /** What is being written lives in {@code _temporary/} below its folder: listings show only what is published. */
    @Test
    void listingsHideTheTemporaryFilesOfWritesInProgress(@TempDir Path dir) throws Exception {
        try (Storage storage = Storages.open(dir.toString())) {
            org.apache.hadoop.fs.Path feed = storage.path("streams", "f");
            Storage.PendingFile pending = storage.create(feed);
            try (var out = pending.create(0)) {
                out.write(new byte[] {1, 2, 3});
            }
            assertThat(Files.isDirectory(dir.resolve("streams/f/_temporary"))).as("the write in progress is there").isTrue();
            assertThat(storage.list(feed)).isEmpty();
            assertThat(storage.listFiles(storage.root())).isEmpty();

            pending.commit(new org.apache.hadoop.fs.Path(feed, "a.parquet"));
            assertThat(storage.listFiles(storage.root()).stream().map(f -> storage.relative(f.getPath())))
                    .containsExactly("streams/f/a.parquet");
        }
    }

    /**
     * Hadoop's raw local file system sets a mode on every file and folder it creates, and without its native library
     * it forks {@code chmod} to do so: three forks per published data file and its metadata. The lake writes, replaces
     * and publishes files without starting a process (watched with Java Flight Recorder), with the modes Hadoop gave.
     */
    @Test
    void writesAndPublishesFilesWithoutStartingProcesses(@TempDir Path dir) throws Exception {
        Path recorded = dir.resolve("processes.jfr");
        try (Storage storage = Storages.open(dir.resolve("lake").toString()); Recording processes = new Recording()) {
            processes.enable("jdk.ProcessStart");
            processes.start();
            org.apache.hadoop.fs.Path feed = storage.path("streams", "f");
            Storage.PendingFile pending = storage.create(feed);
            try (var out = pending.create(0)) {
                out.write(new byte[] {1, 2, 3});
            }
            pending.commit(new org.apache.hadoop.fs.Path(feed, "year=2025/a.parquet"));
            storage.replace(new org.apache.hadoop.fs.Path(feed, "_metadata.json"), "{}".getBytes());
            processes.stop();
            processes.dump(recorded);
        }
        assertThat(RecordingFile.readAllEvents(recorded).stream().map(e -> e.getString("command")))
                .as("processes started").isEmpty();
        assertThat(mode(dir.resolve("lake/streams/f/year=2025/a.parquet"))).isEqualTo("rw-r--r--");
        assertThat(mode(dir.resolve("lake/streams/f/_metadata.json"))).isEqualTo("rw-r--r--");
        assertThat(mode(dir.resolve("lake/streams/f/year=2025"))).isEqualTo("rwxr-xr-x");
    }

    private static String mode(Path p) throws java.io.IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
