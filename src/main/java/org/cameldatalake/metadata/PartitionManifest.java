package org.cameldatalake.metadata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one source partition (a Kafka topic partition, or a ksqlDB stream's poll position) has put into a stream feed:
 * per day partition its records, bytes, files and highest offset, its rejected records, the records each quality rule
 * rejected, and for a polled source its watermark (ksqlDB) or cursor (JDBC). Only the partition's current owner writes it (Kafka gives each
 * partition one consumer of the group; polls run on the one instance doing the scheduled work), so several instances
 * on one lake never overwrite each other's counts; {@code _metadata.json} is their sum ({@link Manifests}).
 * <p>
 * Updates are idempotent: a day partition's files are published in offset order, so a file at or below the day's
 * highest offset is already counted (by an earlier attempt, or by a recount from the listing after a crash).
 */
public final class PartitionManifest {
    public record Day(long records, long bytes, long files, long lastOffset, long updatedAt) {
    }

    private final String source;
    private final TreeMap<String, Day> days = new TreeMap<>();
    private long rejectedRecords;
    private long rejectedFiles;
    private long rejectedLastOffset = -1;
    private final Map<String, Long> qualityRejected = new LinkedHashMap<>();
    private long watermark = -1;
    private JsonNode cursor;
    private long lastExport;

    public PartitionManifest(String source) {
        this.source = source;
    }

    public String source() {
        return source;
    }

    /**
     * Counts a published data file; false if it was counted already. A day that retention deleted at
     * {@code deletedAt} (or -1) starts again from this file.
     */
    public boolean addFile(String day, long records, long bytes, long lastOffset, long at, long deletedAt) {
        Day d = days.get(day);
        if (d != null && d.updatedAt() <= deletedAt) {
            d = null;
        }
        if (d != null && lastOffset <= d.lastOffset()) {
            return false;
        }
        days.put(day, d == null ? new Day(records, bytes, 1, lastOffset, at)
                : new Day(d.records() + records, d.bytes() + bytes, d.files() + 1, lastOffset, at));
        lastExport = Math.max(lastExport, at);
        return true;
    }

    /** A day partition as a listing of the lake found it (files of this source only), or gone with zero files. */
    public void setDay(String day, Day counted) {
        if (counted.files() == 0) {
            days.remove(day);
        } else {
            days.put(day, counted);
        }
    }

    public Map<String, Day> days() {
        return days;
    }

    /** Counts a published file of rejected records (with what each quality rule rejected of them); false if counted. */
    public boolean addRejected(long records, long lastOffset, Map<String, Long> byRule) {
        if (lastOffset <= rejectedLastOffset) {
            return false;
        }
        rejectedRecords += records;
        rejectedFiles++;
        rejectedLastOffset = lastOffset;
        byRule.forEach((rule, n) -> qualityRejected.merge(rule, n, Long::sum));
        return true;
    }

    public void setRejected(long records, long files, long lastOffset) {
        rejectedRecords = records;
        rejectedFiles = files;
        rejectedLastOffset = Math.max(rejectedLastOffset, lastOffset);
    }

    public long rejectedRecords() {
        return rejectedRecords;
    }

    public long rejectedFiles() {
        return rejectedFiles;
    }

    public Map<String, Long> qualityRejected() {
        return qualityRejected;
    }

    /** The highest offset published, data or rejected, or -1. */
    public long lastOffset() {
        long last = rejectedLastOffset;
        for (Day d : days.values()) {
            last = Math.max(last, d.lastOffset());
        }
        return last;
    }

    public long watermark() {
        return watermark;
    }

    public void setWatermark(long value) {
        watermark = value;
    }

    public JsonNode cursor() {
        return cursor;
    }

    public void setCursor(JsonNode value) {
        cursor = value;
    }

    public long lastExport() {
        return lastExport;
    }

    public byte[] toJson() throws IOException {
        ObjectNode o = StreamMetadata.JSON.createObjectNode();
        o.put("source", source);
        ObjectNode ds = o.putObject("days");
        days.forEach((day, d) -> {
            ObjectNode x = ds.putObject(day);
            x.put("records", d.records());
            x.put("size_bytes", d.bytes());
            x.put("files", d.files());
            x.put("last_offset", d.lastOffset());
            x.put("updated_at", d.updatedAt());
        });
        o.put("rejected_records", rejectedRecords);
        o.put("rejected_files", rejectedFiles);
        o.put("rejected_last_offset", rejectedLastOffset);
        ObjectNode q = o.putObject("quality_rejected");
        qualityRejected.forEach(q::put);
        o.put("watermark", watermark);
        if (cursor != null) {
            o.set("cursor", cursor);
        }
        o.put("last_export", lastExport);
        return StreamMetadata.JSON.writeValueAsBytes(o);
    }

    public static PartitionManifest parse(byte[] json) throws IOException {
        JsonNode n = StreamMetadata.JSON.readTree(json);
        PartitionManifest m = new PartitionManifest(n.path("source").asText());
        n.path("days").fields().forEachRemaining(e -> {
            JsonNode d = e.getValue();
            m.days.put(e.getKey(), new Day(d.path("records").asLong(), d.path("size_bytes").asLong(),
                    d.path("files").asLong(), d.path("last_offset").asLong(-1), d.path("updated_at").asLong()));
        });
        m.rejectedRecords = n.path("rejected_records").asLong();
        m.rejectedFiles = n.path("rejected_files").asLong();
        m.rejectedLastOffset = n.path("rejected_last_offset").asLong(-1);
        n.path("quality_rejected").fields().forEachRemaining(e -> m.qualityRejected.put(e.getKey(), e.getValue().asLong()));
        m.watermark = n.path("watermark").asLong(-1);
        m.cursor = n.hasNonNull("cursor") ? n.get("cursor") : null;
        m.lastExport = n.path("last_export").asLong();
        return m;
    }
}
