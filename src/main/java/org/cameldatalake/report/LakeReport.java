package org.cameldatalake.report;

import java.util.List;
import java.util.Map;

/**
 * What the lake holds, feed by feed, as read from each feed's {@code _metadata.json} and the files under it: the
 * one model behind {@code report --stats/--json/--csv/--html} and the scheduled reports.
 */
public record LakeReport(String generatedAt, String lakeRoot, List<Feed> feeds) {

    /**
     * One feed. {@code records} is what a reader of the feed sees: every partition of a stream, the current version of
     * a table. {@code sizeBytes} is everything the feed occupies in the lake (all partitions, all kept versions).
     * {@code rejectedRecords} and {@code qualityRejected} (per quality rule, {@code min:AMOUNT}) count what a stream
     * rejected since it began, and what a table's quality rules kept out of its current version.
     */
    public record Feed(String feed, String type, String sourceKind, String source, String state, long records,
                       long sizeBytes, long files, Integer currentVersion, String lastExport, long rejectedRecords,
                       String lastError, List<Partition> partitions, List<Version> versions,
                       Map<String, Long> qualityRejected) {

        /** A feed without quality rules. */
        public Feed(String feed, String type, String sourceKind, String source, String state, long records,
                    long sizeBytes, long files, Integer currentVersion, String lastExport, long rejectedRecords,
                    String lastError, List<Partition> partitions, List<Version> versions) {
            this(feed, type, sourceKind, source, state, records, sizeBytes, files, currentVersion, lastExport,
                    rejectedRecords, lastError, partitions, versions, Map.of());
        }

        public boolean isTable() {
            return "table".equals(type);
        }

        /** Partitions of a stream, or versions of a table. */
        public int units() {
            return isTable() ? versions.size() : partitions.size();
        }
    }

    /** A stream's date partition ({@code year=2025/month=01/day=15}, date {@code 2025-01-15}). */
    public record Partition(String path, String date, long records, long sizeBytes, long files) {
    }

    public record Version(int version, String path, long records, long sizeBytes, String created, boolean current) {
    }

    public long totalRecords() {
        return feeds.stream().mapToLong(Feed::records).sum();
    }

    public long totalBytes() {
        return feeds.stream().mapToLong(Feed::sizeBytes).sum();
    }

    public long totalRejected() {
        return feeds.stream().mapToLong(Feed::rejectedRecords).sum();
    }
}
