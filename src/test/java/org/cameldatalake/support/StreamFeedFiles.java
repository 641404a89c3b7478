package org.cameldatalake.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A stream feed's folder as the file system shows it while writers work in it: its published data files and each
 * process's temporary folder ({@code _temporary/<process>/}, where files being written are {@code .parquet.tmp}).
 */
public record StreamFeedFiles(Path lakeRoot, String feed) {

    private Path dir() {
        return lakeRoot.resolve("streams").resolve(feed);
    }

    /** The temporary folders of the processes that wrote or write the feed. */
    public Set<Path> tempDirs() throws IOException {
        Path temp = dir().resolve("_temporary");
        if (!Files.isDirectory(temp)) {
            return Set.of();
        }
        try (Stream<Path> dirs = Files.list(temp)) {
            return dirs.collect(Collectors.toSet());
        }
    }

    /** The temporary folder that appeared since {@code before} was taken, or null. */
    public Path newTempDir(Set<Path> before) throws IOException {
        return tempDirs().stream().filter(d -> !before.contains(d)).findFirst().orElse(null);
    }

    /** Files being written in a process's temporary folder (0 for a null or removed folder). */
    public static long openFiles(Path tempDir) throws IOException {
        if (tempDir == null) {
            return 0;
        }
        try (Stream<Path> files = Files.list(tempDir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".parquet.tmp")).count();
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    /** The published data files. */
    public List<Path> dataFiles() throws IOException {
        if (!Files.isDirectory(dir())) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir())) {
            return files.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList();
        } catch (UncheckedIOException e) {
            return dataFiles(); // a file was renamed or a folder removed while walking: look again
        }
    }
}
