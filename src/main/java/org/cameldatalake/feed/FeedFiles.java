package org.cameldatalake.feed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * Changes to feed files (the seed's manage_feeds.py): add, update, archive, restore. Every file written is parsed
 * first with the same checks as at start-up, and written by a temporary file and a rename, so that the running
 * service (which watches {@code active/}) never sees half a file.
 */
public final class FeedFiles {
    private final Path feedsDir;

    public FeedFiles(Path feedsDir) {
        this.feedsDir = feedsDir;
    }

    public Path active() {
        return feedsDir.resolve("active");
    }

    public Path archived() {
        return feedsDir.resolve("archived");
    }

    /** The file that declares {@code name} in {@code dir}, as the service sees it (valid files only), or null. */
    public Path find(Path dir, String name) {
        FeedDefinition f = FeedCatalog.load(feedsDir, dir.getFileName().toString()).feed(name);
        return f == null ? null : f.file();
    }

    /** Writes a new feed file for {@code json} after checking it; refuses a name that exists. */
    public FeedDefinition add(ObjectNode json) throws IOException, FeedFileException {
        String name = json.path("feed_name").asText();
        Path file = active().resolve(name + ".json");
        FeedDefinition f = FeedFileParser.parse(file, json.toString());
        if (find(active(), name) != null || find(archived(), name) != null) {
            throw new FeedFileException(file, "feed_name", "'" + name + "' is already declared");
        }
        write(file, FeedFileParser.toJson(f));
        return f;
    }

    /**
     * Sets fields of an active feed ({@code key=value}, dotted keys for nested fields such as
     * {@code partitioning.timestamp_field}); values are JSON when they parse as JSON, text otherwise.
     */
    public FeedDefinition update(String name, Map<String, String> settings) throws IOException, FeedFileException {
        Path file = find(active(), name);
        if (file == null) {
            throw new FeedFileException(active().resolve(name + ".json"), null, "no active feed named '" + name + "'");
        }
        ObjectNode json = (ObjectNode) FeedFileParser.JSON.readTree(file.toFile());
        for (Map.Entry<String, String> e : settings.entrySet()) {
            if (e.getKey().equals("feed_name")) {
                throw new FeedFileException(file, "feed_name", "a feed cannot be renamed (its data and offsets belong to the name)");
            }
            ObjectNode target = json;
            String[] path = e.getKey().split("\\.");
            for (int i = 0; i < path.length - 1; i++) {
                JsonNode child = target.get(path[i]);
                target = child instanceof ObjectNode o ? o : target.putObject(path[i]);
            }
            target.set(path[path.length - 1], value(e.getValue()));
        }
        FeedDefinition f = FeedFileParser.parse(file, json.toString()); // names the unknown or bad field
        write(file, json);
        return f;
    }

    /** Moves an active feed to {@code archived/} with {@code enabled: false}; its data stays in the lake. */
    public Path archive(String name) throws IOException, FeedFileException {
        Path file = find(active(), name);
        if (file == null) {
            throw new FeedFileException(active().resolve(name + ".json"), null, "no active feed named '" + name + "'");
        }
        ObjectNode json = (ObjectNode) FeedFileParser.JSON.readTree(file.toFile());
        json.put("enabled", false);
        json.remove("archive_after");
        Path dest = archived().resolve(file.getFileName());
        if (Files.exists(dest)) {
            throw new FeedFileException(dest, null, "exists already in archived/; move it away first");
        }
        write(dest, json);
        Files.delete(file);
        return dest;
    }

    /** Brings an archived feed back to {@code active/} with {@code enabled: true}. */
    public Path restore(String name) throws IOException, FeedFileException {
        Path file = find(archived(), name);
        if (file == null) {
            throw new FeedFileException(archived().resolve(name + ".json"), null, "no archived feed named '" + name + "'");
        }
        if (find(active(), name) != null) {
            throw new FeedFileException(file, "feed_name", "'" + name + "' is active already");
        }
        ObjectNode json = (ObjectNode) FeedFileParser.JSON.readTree(file.toFile());
        json.put("enabled", true);
        Path dest = active().resolve(file.getFileName());
        if (Files.exists(dest)) {
            throw new FeedFileException(dest, null, "exists already in active/; move it away first");
        }
        FeedFileParser.parse(dest, json.toString());
        write(dest, json);
        Files.delete(file);
        return dest;
    }

    public List<FeedDefinition> archivedFeeds() {
        return FeedCatalog.load(feedsDir, "archived").feeds();
    }

    private static JsonNode value(String text) {
        try {
            return FeedFileParser.JSON.readTree(text);
        } catch (IOException notJson) {
            return FeedFileParser.JSON.getNodeFactory().textNode(text);
        }
    }

    private static void write(Path file, JsonNode json) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, FeedFileParser.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n");
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
