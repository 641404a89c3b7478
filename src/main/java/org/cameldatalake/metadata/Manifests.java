package org.cameldatalake.metadata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.cameldatalake.storage.Storage;

/**
 * A stream feed's {@code _manifests/}: one {@link PartitionManifest} per source partition, written only by that
 * partition's owner; the day partitions retention deleted ({@code _deleted_days.json}) and the maintenance jobs'
 * records ({@code _maintenance.json}), written only by the instance doing the scheduled work. {@code _metadata.json}
 * is derived from them, and whoever reads it (report, read API, {@code feeds list}) may merge them afresh.
 */
public final class Manifests {
    public static final String DIR = "_manifests";
    private static final String DELETED_DAYS = "_deleted_days.json";
    private static final String MAINTENANCE = "_maintenance.json";

    private final Storage storage;
    private final Path feedDir;
    private final Path dir;
    private final short fileMode;
    private final short dirMode;

    /** To read them. */
    public Manifests(Storage storage, Path feedDir) {
        this(storage, feedDir, (short) -1, (short) -1);
    }

    /** To write them too, with the feed's modes. */
    public Manifests(Storage storage, Path feedDir, short fileMode, short dirMode) {
        this.storage = storage;
        this.feedDir = feedDir;
        this.dir = new Path(feedDir, DIR);
        this.fileMode = fileMode;
        this.dirMode = dirMode;
    }

    private void replace(Path file, byte[] content) throws IOException {
        if (fileMode < 0) {
            throw new IllegalStateException("manifests opened to be read only");
        }
        storage.replace(file, content);
        storage.secure(file, feedDir, fileMode, dirMode);
    }

    /** Source names may hold what a path may not ({@code jdbc:customers}). */
    private Path file(String name) {
        return new Path(dir, name.replaceAll("[^\\w.+-]", "_"));
    }

    public boolean exist() throws IOException {
        return storage.exists(dir);
    }

    /** The source partition's manifest as the lake holds it now (empty if it has none). */
    public PartitionManifest read(String source) throws IOException {
        Path p = file(source + ".json");
        return storage.exists(p) ? PartitionManifest.parse(storage.read(p)) : new PartitionManifest(source);
    }

    public void write(PartitionManifest m) throws IOException {
        replace(file(m.source() + ".json"), m.toJson());
    }

    public List<PartitionManifest> readAll() throws IOException {
        List<PartitionManifest> all = new ArrayList<>();
        if (!storage.exists(dir)) {
            return all;
        }
        for (FileStatus f : storage.list(dir)) {
            String name = f.getPath().getName();
            if (f.isFile() && name.endsWith(".json") && !name.startsWith("_")) {
                try {
                    all.add(PartitionManifest.parse(storage.read(f.getPath())));
                } catch (java.io.FileNotFoundException | java.nio.file.NoSuchFileException replacedMeanwhile) {
                    all.add(read(name.substring(0, name.length() - ".json".length())));
                }
            }
        }
        return all;
    }

    /** Day partition → when retention deleted it (epoch millis). */
    public Map<String, Long> deletedDays() throws IOException {
        Map<String, Long> days = new TreeMap<>();
        Path p = file(DELETED_DAYS);
        if (storage.exists(p)) {
            StreamMetadata.JSON.readTree(storage.read(p)).fields()
                    .forEachRemaining(e -> days.put(e.getKey(), e.getValue().asLong()));
        }
        return days;
    }

    public void daysDeleted(Collection<String> days, long at) throws IOException {
        Map<String, Long> all = deletedDays();
        days.forEach(d -> all.put(d, at));
        ObjectNode o = StreamMetadata.JSON.createObjectNode();
        all.forEach(o::put);
        replace(file(DELETED_DAYS), StreamMetadata.JSON.writeValueAsBytes(o));
    }

    public ObjectNode maintenance() throws IOException {
        Path p = file(MAINTENANCE);
        JsonNode n = storage.exists(p) ? StreamMetadata.JSON.readTree(storage.read(p)) : null;
        return n instanceof ObjectNode o ? o : StreamMetadata.JSON.createObjectNode();
    }

    public void annotate(String key, JsonNode value) throws IOException {
        ObjectNode m = maintenance();
        m.set(key, value);
        replace(file(MAINTENANCE), StreamMetadata.JSON.writeValueAsBytes(m));
    }

    /** {@code metadata} with what the manifests say now, if the feed has any (lakes older than them have none). */
    public StreamMetadata merged(StreamMetadata metadata) throws IOException {
        if (exist()) {
            metadata.merge(readAll(), deletedDays(), maintenance());
        }
        return metadata;
    }
}
