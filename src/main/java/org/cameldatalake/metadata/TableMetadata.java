package org.cameldatalake.metadata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cameldatalake.feed.FeedDefinition;

/**
 * {@code tables/<feed>/_metadata.json}: the seed's fields plus {@code current_version} (the pointer readers follow)
 * and {@code versions[]}. {@code partitions[]} lists the versions the way the seed lists partitions. Each version
 * counts the rows its quality rules rejected, per rule ({@code quality_rejected}); the top level repeats the current
 * version's counts, as {@code total_records} is the current version's.
 */
public final class TableMetadata {
    /** {@code qualityRejected}: rows each quality rule ({@code min:AMOUNT}) kept out of the version. */
    public record Version(int version, String file, long records, long bytes, String created, String queryId,
                          String schema, Map<String, Long> qualityRejected) {
        public Version {
            qualityRejected = Collections.unmodifiableMap(new LinkedHashMap<>(qualityRejected));
        }

        public String path() {
            return "version=v" + version;
        }

        /** Rows kept out of the version by its quality rules. */
        public long rejected() {
            return qualityRejected.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final List<Version> versions = new ArrayList<>();
    private int currentVersion;
    private String lastExport;
    private String lastError;
    private String lastErrorAt;
    private ObjectNode rollback;
    private ObjectNode maintenance = StreamMetadata.JSON.createObjectNode();

    public static TableMetadata parse(byte[] json) throws IOException {
        JsonNode n = StreamMetadata.JSON.readTree(json);
        TableMetadata m = new TableMetadata();
        for (JsonNode v : n.path("versions")) {
            Map<String, Long> quality = new LinkedHashMap<>();
            v.path("quality_rejected").fields().forEachRemaining(e -> quality.put(e.getKey(), e.getValue().asLong()));
            m.versions.add(new Version(v.path("version").asInt(), v.path("file").asText(), v.path("records").asLong(),
                    v.path("size_bytes").asLong(), v.path("created").asText(), v.path("query_id").asText(null),
                    v.path("schema").asText(null), quality));
        }
        m.currentVersion = n.path("current_version").asInt();
        m.lastExport = n.hasNonNull("last_export") ? n.get("last_export").asText() : null;
        m.lastError = n.hasNonNull("last_error") ? n.get("last_error").asText() : null;
        m.lastErrorAt = n.hasNonNull("last_error_at") ? n.get("last_error_at").asText() : null;
        m.rollback = n.hasNonNull("rollback") ? (ObjectNode) n.get("rollback") : null;
        if (n.path("maintenance").isObject()) {
            m.maintenance = (ObjectNode) n.get("maintenance");
        }
        return m;
    }

    public byte[] toJson(FeedDefinition feed) throws IOException {
        ObjectNode o = StreamMetadata.feedFields(feed);
        o.put("description", feed.description());
        o.put("retention_versions", feed.retentionVersions());
        o.put("last_export", lastExport);
        Version current = current();
        o.put("current_version", currentVersion == 0 ? null : currentVersion);
        o.put("current_path", current == null ? null : current.path());
        o.put("total_records", current == null ? 0 : current.records());
        o.put("total_size_mb", current == null ? 0 : mb(current.bytes()));
        o.put("total_size_bytes", current == null ? 0 : current.bytes());
        o.put("rejected_records", current == null ? 0 : current.rejected());
        qualityRejected(o, current == null ? Map.of() : current.qualityRejected());
        o.set("rollback", rollback);
        o.put("last_error", lastError);
        o.put("last_error_at", lastErrorAt);
        o.set("maintenance", maintenance);
        ArrayNode vs = o.putArray("versions");
        ArrayNode parts = o.putArray("partitions");
        for (Version v : versions) {
            ObjectNode x = vs.addObject();
            x.put("version", v.version());
            x.put("path", v.path());
            x.put("file", v.file());
            x.put("records", v.records());
            x.put("size_mb", mb(v.bytes()));
            x.put("size_bytes", v.bytes());
            x.put("created", v.created());
            x.put("current", v.version() == currentVersion);
            x.put("query_id", v.queryId());
            x.put("schema", v.schema());
            x.put("rejected_records", v.rejected());
            qualityRejected(x, v.qualityRejected());
            ObjectNode p = parts.addObject();
            p.put("path", v.path());
            p.put("records", v.records());
            p.put("size_mb", mb(v.bytes()));
        }
        return StreamMetadata.JSON.writeValueAsBytes(o);
    }

    private static void qualityRejected(ObjectNode into, Map<String, Long> counts) {
        ObjectNode q = into.putObject("quality_rejected");
        counts.forEach(q::put);
    }

    private static double mb(long bytes) {
        return Math.round(bytes / 1048576.0 * 1000) / 1000.0;
    }

    public Version current() {
        return version(currentVersion);
    }

    public Version version(int v) {
        return versions.stream().filter(x -> x.version() == v).findFirst().orElse(null);
    }

    public int currentVersion() {
        return currentVersion;
    }

    public List<Version> versions() {
        return List.copyOf(versions);
    }

    public int highestVersion() {
        return versions.stream().mapToInt(Version::version).max().orElse(0);
    }

    public void publish(Version v) {
        versions.add(v);
        versions.sort(Comparator.comparingInt(Version::version));
        currentVersion = v.version();
        lastExport = v.created();
        lastError = null;
        lastErrorAt = null;
        rollback = null;
    }

    public void remove(int version) {
        versions.removeIf(v -> v.version() == version);
    }

    public void rollBack(int to, String at) {
        rollback = StreamMetadata.JSON.createObjectNode().put("from", currentVersion).put("to", to).put("at", at);
        currentVersion = to;
    }

    public void annotate(String key, JsonNode value) {
        maintenance.set(key, value);
    }

    /** Until the next published version: the time (ISO-8601) and the one-line reason of the last failed snapshot. */
    public void setLastError(String at, String error) {
        lastErrorAt = at;
        lastError = error;
    }

    public String lastError() {
        return lastError;
    }

    public String lastErrorAt() {
        return lastErrorAt;
    }

    public String lastExport() {
        return lastExport;
    }
}
