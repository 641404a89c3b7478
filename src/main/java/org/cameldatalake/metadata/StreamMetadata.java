package org.cameldatalake.metadata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.cameldatalake.feed.FeedDefinition;

/**
 * {@code streams/<feed>/_metadata.json}: the seed's fields (source, type, storage_mode, format, partitioning,
 * last_export, total_records, total_size_mb, partitions[{path, records, size_mb}]) plus what operators need:
 * file counts, rejected records (and, of those, how many each quality rule rejected: {@code quality_rejected}), the
 * schema history and the last published offset per Kafka partition.
 */
public final class StreamMetadata {
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public record PartitionStats(long records, long bytes, long files) {
        PartitionStats plus(long r, long b, long f) {
            return new PartitionStats(records + r, bytes + b, files + f);
        }
    }

    public record SchemaVersion(int version, String since, JsonNode fields) {
    }

    private final TreeMap<String, PartitionStats> partitions = new TreeMap<>();
    private final List<SchemaVersion> schemas = new ArrayList<>();
    private final TreeMap<String, Long> lastOffsets = new TreeMap<>();
    private final TreeMap<String, Long> watermarks = new TreeMap<>();
    /** Positions a poll has reached that one number cannot hold (a JDBC source's column value and its ties). */
    private final TreeMap<String, JsonNode> cursors = new TreeMap<>();
    private final Map<String, Long> qualityRejected = new java.util.LinkedHashMap<>();
    private Instant lastExport;
    private long rejectedRecords;
    private long rejectedFiles;
    private String lastError;
    private String lastErrorAt;
    private ObjectNode maintenance = JSON.createObjectNode();

    public static StreamMetadata parse(byte[] json) throws IOException {
        JsonNode n = JSON.readTree(json);
        StreamMetadata m = new StreamMetadata();
        for (JsonNode p : n.path("partitions")) {
            m.partitions.put(p.path("path").asText(), new PartitionStats(p.path("records").asLong(),
                    p.path("size_bytes").asLong(), p.path("files").asLong()));
        }
        for (JsonNode s : n.path("schemas")) {
            m.schemas.add(new SchemaVersion(s.path("version").asInt(), s.path("since").asText(), s.path("fields")));
        }
        n.path("last_offsets").fields().forEachRemaining(e -> m.lastOffsets.put(e.getKey(), e.getValue().asLong()));
        n.path("watermarks").fields().forEachRemaining(e -> m.watermarks.put(e.getKey(), e.getValue().asLong()));
        n.path("cursors").fields().forEachRemaining(e -> m.cursors.put(e.getKey(), e.getValue()));
        if (n.hasNonNull("last_export")) {
            m.lastExport = Instant.parse(n.get("last_export").asText());
        }
        m.rejectedRecords = n.path("rejected_records").asLong();
        m.rejectedFiles = n.path("rejected_files").asLong();
        n.path("quality_rejected").fields().forEachRemaining(e -> m.qualityRejected.put(e.getKey(), e.getValue().asLong()));
        m.lastError = n.hasNonNull("last_error") ? n.get("last_error").asText() : null;
        m.lastErrorAt = n.hasNonNull("last_error_at") ? n.get("last_error_at").asText() : null;
        if (n.path("maintenance").isObject()) {
            m.maintenance = (ObjectNode) n.get("maintenance");
        }
        return m;
    }

    /** The fields every feed's {@code _metadata.json} starts with (the seed's, plus how the feed is declared). */
    public static ObjectNode feedFields(FeedDefinition feed) {
        ObjectNode o = JSON.createObjectNode();
        o.put("feed", feed.name());
        o.put("source", feed.sourceName());
        o.put("source_kind", feed.source().json());
        o.put("type", feed.type().json());
        o.put("storage_mode", feed.storageMode());
        o.put("format", feed.format());
        o.put("compression", feed.compression().json());
        o.put("partitioning", feed.partitioning().type());
        return o;
    }

    public byte[] toJson(FeedDefinition feed, String zone) throws IOException {
        ObjectNode o = feedFields(feed);
        feed.partitioning().columns().forEach(o.putArray("partition_columns")::add);
        o.put("timestamp_field", feed.partitioning().timestampField());
        o.put("timezone", zone);
        o.put("description", feed.description());
        putDerived(o);
        return JSON.writeValueAsBytes(o);
    }

    /**
     * {@code raw} (a {@code _metadata.json} as some instance wrote it) with the fields {@link Manifests} own replaced
     * by this metadata's: totals, partitions, offsets, rejects, watermarks, maintenance.
     */
    public byte[] overlay(byte[] raw) throws IOException {
        JsonNode n = JSON.readTree(raw);
        ObjectNode o = n instanceof ObjectNode on ? on : JSON.createObjectNode();
        putDerived(o);
        return JSON.writeValueAsBytes(o);
    }

    private void putDerived(ObjectNode o) {
        o.put("last_export", lastExport == null ? null : lastExport.toString());
        long records = 0;
        long bytes = 0;
        long files = 0;
        for (PartitionStats s : partitions.values()) {
            records += s.records();
            bytes += s.bytes();
            files += s.files();
        }
        o.put("total_records", records);
        o.put("total_size_mb", mb(bytes));
        o.put("total_size_bytes", bytes);
        o.put("total_files", files);
        o.put("rejected_records", rejectedRecords);
        o.put("rejected_files", rejectedFiles);
        ObjectNode quality = o.putObject("quality_rejected");
        qualityRejected.forEach(quality::put);
        o.put("schema_version", schemas.isEmpty() ? 0 : schemas.get(schemas.size() - 1).version());
        ArrayNode sv = o.putArray("schemas");
        for (SchemaVersion s : schemas) {
            ObjectNode x = sv.addObject();
            x.put("version", s.version());
            x.put("since", s.since());
            x.set("fields", s.fields());
        }
        ObjectNode offs = o.putObject("last_offsets");
        offs.removeAll();
        lastOffsets.forEach(offs::put);
        if (!cursors.isEmpty()) {
            cursors.forEach(o.putObject("cursors")::set);
        }
        if (!watermarks.isEmpty()) {
            ObjectNode w = o.putObject("watermarks");
            watermarks.forEach(w::put);
        }
        o.put("last_error", lastError);
        o.put("last_error_at", lastErrorAt);
        o.set("maintenance", maintenance);
        ArrayNode parts = o.putArray("partitions");
        for (Map.Entry<String, PartitionStats> e : partitions.entrySet()) {
            ObjectNode p = parts.addObject();
            p.put("path", e.getKey());
            p.put("records", e.getValue().records());
            p.put("size_mb", mb(e.getValue().bytes()));
            p.put("size_bytes", e.getValue().bytes());
            p.put("files", e.getValue().files());
        }
    }

    /**
     * Replaces what source partitions own with the sum of their manifests: day partitions (less those retention
     * deleted before a manifest last counted them), offsets, rejects, quality counts, watermarks, last export; and the
     * maintenance records with the scheduled work's.
     */
    void merge(List<PartitionManifest> manifests, Map<String, Long> deletedDays, ObjectNode maintenanceRecords) {
        partitions.clear();
        lastOffsets.clear();
        qualityRejected.clear();
        rejectedRecords = 0;
        rejectedFiles = 0;
        long last = lastExport == null ? 0 : lastExport.toEpochMilli();
        for (PartitionManifest m : manifests) {
            m.days().forEach((day, d) -> {
                if (d.updatedAt() > deletedDays.getOrDefault(day, -1L)) {
                    partitions.merge(day, new PartitionStats(d.records(), d.bytes(), d.files()),
                            (a, b) -> a.plus(b.records(), b.bytes(), b.files()));
                }
            });
            if (m.lastOffset() >= 0) {
                lastOffsets.put(m.source(), m.lastOffset());
            }
            String polled = m.source().substring(0, Math.max(0, m.source().lastIndexOf('-')));
            if (m.watermark() >= 0) {
                watermarks.put(polled, m.watermark());
            }
            if (m.cursor() != null) {
                cursors.put(polled, m.cursor());
            }
            rejectedRecords += m.rejectedRecords();
            rejectedFiles += m.rejectedFiles();
            m.qualityRejected().forEach((rule, n) -> qualityRejected.merge(rule, n, Long::sum));
            last = Math.max(last, m.lastExport());
        }
        lastExport = last == 0 ? null : Instant.ofEpochMilli(last);
        if (!maintenanceRecords.isEmpty()) {
            maintenance = maintenanceRecords;
        }
    }

    private static double mb(long bytes) {
        return Math.round(bytes / 1048576.0 * 1000) / 1000.0;
    }

    public void addFile(String partitionPath, long records, long bytes, String topicPartition, long lastOffset, Instant at) {
        partitions.merge(partitionPath, new PartitionStats(records, bytes, 1), (a, b) -> a.plus(b.records(), b.bytes(), 1));
        lastOffsets.merge(topicPartition, lastOffset, Math::max);
        lastExport = at;
        setLastError(null, null);
    }

    public void addRejected(long records, String topicPartition, long lastOffset) {
        rejectedRecords += records;
        rejectedFiles++;
        lastOffsets.merge(topicPartition, lastOffset, Math::max);
    }

    /**
     * Adds the records each quality rule ({@code min:AMOUNT}) rejected in a published batch; those records are also
     * counted in {@code rejected_records} by {@link #addRejected}.
     */
    public void addQualityRejected(Map<String, Long> byRule) {
        byRule.forEach((rule, n) -> qualityRejected.merge(rule, n, Long::sum));
    }

    /** Records each quality rule rejected since the feed began, by rule label. */
    public Map<String, Long> qualityRejected() {
        return java.util.Collections.unmodifiableMap(qualityRejected);
    }

    public void setPartition(String partitionPath, PartitionStats stats) {
        if (stats.files() == 0) {
            partitions.remove(partitionPath);
        } else {
            partitions.put(partitionPath, stats);
        }
    }

    public void setRejected(long records, long files) {
        rejectedRecords = records;
        rejectedFiles = files;
    }

    public void addSchema(int version, Instant since, JsonNode fields) {
        schemas.add(new SchemaVersion(version, since.toString(), fields));
    }

    public void annotate(String key, JsonNode value) {
        maintenance.set(key, value);
    }

    /** Until the next published file or successful poll: when (ISO-8601) and why the feed last failed. */
    public void setLastError(String at, String error) {
        lastErrorAt = at;
        lastError = error;
    }

    public long watermark(String source) {
        return watermarks.getOrDefault(source, -1L);
    }

    public Map<String, Long> watermarks() {
        return java.util.Collections.unmodifiableMap(watermarks);
    }

    /** Schema versions another instance recorded that this one has not seen, in version order. */
    public void addMissingSchemas(List<SchemaVersion> others) {
        java.util.Set<Integer> known = new java.util.HashSet<>();
        schemas.forEach(s -> known.add(s.version()));
        others.stream().filter(s -> known.add(s.version())).forEach(schemas::add);
        schemas.sort(java.util.Comparator.comparingInt(SchemaVersion::version));
    }

    /** The cursor of {@code source}, or null. */
    public JsonNode cursor(String source) {
        return cursors.get(source);
    }

    public void setCursor(String source, JsonNode value) {
        cursors.put(source, value);
    }

    public void setWatermark(String source, long value) {
        watermarks.put(source, value);
    }

    public Map<String, PartitionStats> partitions() {
        return partitions;
    }

    public List<SchemaVersion> schemas() {
        return schemas;
    }

    public long rejectedRecords() {
        return rejectedRecords;
    }

    public long rejectedFiles() {
        return rejectedFiles;
    }

    public Instant lastExport() {
        return lastExport;
    }

    public String lastError() {
        return lastError;
    }

    public String lastErrorAt() {
        return lastErrorAt;
    }
}
