package org.cameldatalake.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.storage.LakeStorage;

/**
 * A landed feed's folder ({@code streams/<feed>} or {@code tables/<feed>}, the one holding {@code _metadata.json}) and
 * the files a reader may download from it: published files only — no segment may start with {@code _} or {@code .}
 * (metadata, {@code _temporary}, files being written) — and, on a local lake, only regular files reached without a
 * symbolic link below the feed's folder (the lake writes none; one could only point elsewhere).
 */
final class FeedFolder {
    record DataFile(String path, long sizeBytes) {
    }

    record Download(String fileName, InputStream content) {
    }

    private final LakeStorage storage;
    private final Path dir;

    private FeedFolder(LakeStorage storage, Path dir) {
        this.storage = storage;
        this.dir = dir;
    }

    /** {@code feed} must be a checked feed name. */
    static Optional<FeedFolder> of(LakeStorage storage, String feed) throws IOException {
        for (FeedDefinition.FeedType type : FeedDefinition.FeedType.values()) {
            Path dir = storage.path(type.dir(), feed);
            if (storage.exists(new Path(dir, "_metadata.json"))) {
                return Optional.of(new FeedFolder(storage, dir));
            }
        }
        return Optional.empty();
    }

    byte[] metadata() throws IOException {
        return storage.read(new Path(dir, "_metadata.json"));
    }

    /** The published files, by path relative to the feed's folder (what {@code /files/<path>} takes), sorted. */
    List<DataFile> dataFiles() throws IOException {
        List<DataFile> out = new ArrayList<>();
        java.nio.file.Path local = storage.localPath(dir);
        if (local != null) { // java.nio: Hadoop's listing follows symbolic links, which could name files of other feeds
            try (java.util.stream.Stream<java.nio.file.Path> files = Files.walk(local)) {
                for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files::iterator) {
                    List<String> rel = new ArrayList<>();
                    local.relativize(f).forEach(seg -> rel.add(seg.toString()));
                    if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) && downloadable(rel)) {
                        out.add(new DataFile(String.join("/", rel), Files.size(f)));
                    }
                }
            }
        } else {
            String prefix = dir.toUri().getPath() + "/";
            for (FileStatus f : storage.listFiles(dir)) {
                String rel = f.getPath().toUri().getPath().substring(prefix.length());
                if (downloadable(List.of(rel.split("/")))) {
                    out.add(new DataFile(rel, f.getLen()));
                }
            }
        }
        out.sort(java.util.Comparator.comparing(DataFile::path));
        return out;
    }

    /** Opens a published file; 404 for anything else, so that what is not served is not told apart from what is absent. */
    Download open(List<String> segments) throws ApiException, IOException {
        ApiException notFound = ApiException.notFound("no such file in this feed");
        if (segments.isEmpty() || !downloadable(segments)) {
            throw notFound;
        }
        String fileName = segments.get(segments.size() - 1);
        java.nio.file.Path local = storage.localPath(dir);
        if (local != null) {
            java.nio.file.Path candidate = local;
            for (String s : segments) {
                candidate = candidate.resolve(s);
            }
            if (!Files.exists(candidate)) {
                throw notFound;
            }
            // the lake holds no symbolic links below a feed's folder: refuse any, wherever they point
            java.nio.file.Path real = candidate.toRealPath();
            java.nio.file.Path expected = local.toRealPath();
            for (String s : segments) {
                expected = expected.resolve(s);
            }
            if (!real.equals(expected) || !Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
                throw notFound;
            }
            return new Download(fileName, Files.newInputStream(real, LinkOption.NOFOLLOW_LINKS));
        }
        Path p = dir;
        for (String s : segments) {
            p = new Path(p, s);
        }
        storage.checked(p);
        FileStatus status;
        try {
            status = storage.fs().getFileStatus(p);
        } catch (java.io.FileNotFoundException e) {
            throw notFound;
        }
        if (!status.isFile()) {
            throw notFound;
        }
        return new Download(fileName, storage.fs().open(p));
    }

    private static boolean downloadable(List<String> segments) {
        return segments.stream().noneMatch(s -> s.isEmpty() || s.startsWith(".") || s.startsWith("_"));
    }
}
