package org.cameldatalake.api;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.metadata.TableMetadata;
import org.cameldatalake.metadata.Manifests;
import org.cameldatalake.metadata.StreamMetadata;
import org.cameldatalake.partition.LakeLayout;
import org.cameldatalake.storage.Storage;

/**
 * A landed feed's folder ({@code streams/<feed>} or {@code tables/<feed>}, the one holding {@code _metadata.json}) and
 * the files a reader may download from it: published files only — no segment may start with {@code _} or {@code .}
 * (metadata, {@code _temporary}, files being written), and of a table only the versions its metadata lists (a
 * version is made current by the metadata; one it never listed was never committed). The store refuses anything
 * reached through a symbolic link.
 */
final class FeedFolder {
    record DataFile(String path, long sizeBytes) {
    }

    record Download(String fileName, InputStream content) {
    }

    private final Storage storage;
    private final LakeLayout layout;
    private final FeedDefinition.FeedType type;
    private final Path dir;

    private FeedFolder(Storage storage, FeedDefinition.FeedType type, Path dir) {
        this.storage = storage;
        this.layout = new LakeLayout(storage);
        this.type = type;
        this.dir = dir;
    }

    /** {@code feed} must be a checked feed name. */
    static Optional<FeedFolder> of(Storage storage, String feed) throws IOException {
        LakeLayout layout = new LakeLayout(storage);
        for (FeedDefinition.FeedType type : FeedDefinition.FeedType.values()) {
            if (storage.exists(layout.metadata(type, feed))) {
                return Optional.of(new FeedFolder(storage, type, layout.feedDir(type, feed)));
            }
        }
        return Optional.empty();
    }

    /** A stream feed's {@code _metadata.json} with the counts of its partitions' manifests as they are now. */
    byte[] metadata() throws IOException {
        byte[] raw = storage.read(new Path(dir, LakeLayout.METADATA));
        if (type != FeedDefinition.FeedType.STREAM) {
            return raw;
        }
        return new Manifests(storage, dir).merged(StreamMetadata.parse(raw)).overlay(raw);
    }

    /** The published files, by path relative to the feed's folder (what {@code /files/<path>} takes), sorted. */
    List<DataFile> dataFiles() throws IOException {
        Set<Integer> versions = committedVersions();
        List<DataFile> out = new ArrayList<>();
        for (FileStatus f : storage.listFiles(dir)) {
            String rel = layout.relativeToFeed(dir, f.getPath());
            if (rel != null && downloadable(List.of(rel.split("/")), versions)) {
                out.add(new DataFile(rel, f.getLen()));
            }
        }
        out.sort(java.util.Comparator.comparing(DataFile::path));
        return out;
    }

    /** Opens a published file; 404 for anything else, so that what is not served is not told apart from what is absent. */
    Download open(List<String> segments) throws ApiException, IOException {
        ApiException notFound = ApiException.notFound("no such file in this feed");
        if (segments.isEmpty() || !downloadable(segments, committedVersions())) {
            throw notFound;
        }
        Path p = dir;
        for (String s : segments) {
            p = new Path(p, s);
        }
        try {
            return new Download(segments.get(segments.size() - 1), storage.open(storage.checked(p)));
        } catch (FileNotFoundException e) {
            throw notFound;
        }
    }

    /** The versions of a table feed its metadata lists; null for a stream feed. */
    private Set<Integer> committedVersions() throws IOException {
        if (type != FeedDefinition.FeedType.TABLE) {
            return null;
        }
        return TableMetadata.parse(metadata()).versions().stream().map(TableMetadata.Version::version)
                .collect(Collectors.toSet());
    }

    private boolean downloadable(List<String> segments, Set<Integer> versions) {
        if (segments.stream().anyMatch(s -> s.isEmpty() || s.startsWith(".") || s.startsWith("_"))) {
            return false;
        }
        if (versions == null) {
            return true;
        }
        Integer v = segments.size() == 2 ? layout.versionOf(new Path(dir, String.join("/", segments))) : null;
        return v != null && versions.contains(v);
    }
}
