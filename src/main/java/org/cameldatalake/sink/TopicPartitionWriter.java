package org.cameldatalake.sink;

import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.TopicPartition;
import org.cameldatalake.format.RecordFormat;
import org.cameldatalake.schema.RowSchema;
import org.cameldatalake.storage.Storage;

/**
 * The writer of one source partition (a Kafka partition, or a ksqlDB stream's ROWTIME sequence): its open file per
 * event day, the offset ranges the lake already holds for it, the records it has seen, and the next offset that may
 * be committed. Its feed's {@link AppendWriter} opens and publishes its files and keeps the feed's metadata.
 * <p>
 * Its methods hold its lock: a batch's part for this partition, the idle-file timer and the consumer's commits take
 * turns, while other partitions are written at the same time. Within one assignment a partition's offsets only grow, so a record at or below {@link #lastSeen} is a repeat; a
 * record whose offset a published range of its own day covers is already in the lake (a replay after a crash or a
 * rebalance) — exactly once, as in Kafka Connect's storage sinks.
 */
final class TopicPartitionWriter {
    /** What a partition writer needs from its feed: files to write into, and somewhere to publish them. */
    interface Files {
        OpenFile open(TopicPartitionWriter partition, LocalDate day, RowSchema schema, long now) throws IOException;

        void publish(OpenFile file) throws IOException;

        void publishRejected(TopicPartitionWriter partition) throws IOException;
    }

    /** One file being written: records of one partition and one day, under one schema version. */
    static final class OpenFile {
        final TopicPartitionWriter partition;
        final LocalDate day;
        final RowSchema schema;
        final Storage.PendingFile out;
        final RecordFormat.RecordFileWriter writer;
        final long openedAt;
        long lastAppendAt;
        long first = -1;
        long last = -1;
        long records;

        OpenFile(TopicPartitionWriter partition, LocalDate day, RowSchema schema, Storage.PendingFile out,
                 RecordFormat.RecordFileWriter writer, long openedAt) {
            this.partition = partition;
            this.day = day;
            this.schema = schema;
            this.out = out;
            this.writer = writer;
            this.openedAt = openedAt;
            this.lastAppendAt = openedAt;
        }

        void write(GenericRecord rec, long offset) throws IOException {
            writer.write(rec);
            first = first < 0 ? offset : Math.min(first, offset);
            last = Math.max(last, offset);
            records++;
        }

        /** Bytes held in memory: what the writer holds minus what it already handed to the store. */
        long buffered() {
            return Math.max(0, writer.dataSize() - out.written());
        }

        /** Drops the file: nothing of it becomes visible. */
        void abandon() {
            try {
                writer.close();
            } catch (IOException | RuntimeException ignored) {
                // the file is dropped either way
            }
            out.abort();
        }
    }

    final TopicPartition tp;
    private final Files files;
    private final Map<LocalDate, OpenFile> open = new HashMap<>();
    private final List<String> rejectedLines = new ArrayList<>();
    /** Of {@link #rejectedLines}, how many each quality rule ({@code min:AMOUNT}) rejected. */
    private final Map<String, Long> rejectedByRule = new java.util.LinkedHashMap<>();
    /** The rejected lines wait until this partition's open files are published ({@link #reject(String, long, String, boolean)}). */
    private boolean rejectedWaitForFiles;
    private final PublishedRanges published;
    private long rejectedFirst;
    private long rejectedLast;
    private long lastSeen = -1;
    private long committed = -1;

    TopicPartitionWriter(TopicPartition tp, PublishedRanges published, Files files) {
        this.tp = tp;
        this.published = published;
        this.files = files;
    }

    /**
     * Notes a record handed over; with {@code uniqueOffsets}, false when it is a repeat of one this assignment already
     * saw (rows sharing a position, as ksqlDB rows share a ROWTIME, are not).
     */
    synchronized boolean see(long offset, boolean uniqueOffsets) {
        if (uniqueOffsets && lastSeen >= 0 && offset <= lastSeen) {
            return false;
        }
        lastSeen = offset;
        return true;
    }

    synchronized long lastSeen() {
        return lastSeen;
    }

    synchronized boolean holdsData(LocalDate day, long offset) {
        return published.holdsData(day, offset);
    }

    /** The schema of the file open for {@code day}, or null. */
    synchronized RowSchema fileSchema(LocalDate day) {
        OpenFile of = open.get(day);
        return of == null ? null : of.schema;
    }

    /** Writes a record into the open file of its day, rotating as the limits say. */
    synchronized void write(LocalDate day, RowSchema schema, GenericRecord rec, long offset, long now, boolean mayRotate,
               AppendSettings settings) throws IOException {
        OpenFile of = open.get(day);
        if (of != null && of.schema != schema) {
            publish(of); // the schema changed: this file is complete, the next one starts with the new version
            of = null;
        }
        if (of == null) {
            of = files.open(this, day, schema, now);
            open.put(day, of);
        }
        of.write(rec, offset);
        of.lastAppendAt = now;
        if (mayRotate && (of.records >= settings.maxRecords()
                || ((of.records & 255) == 0 && of.writer.dataSize() >= settings.maxBytes()))) {
            publish(of);
        }
    }

    /** Publishes one open file through the feed; once it is in the lake, a replay skips its offsets. */
    synchronized void publish(OpenFile of) throws IOException {
        files.publish(of);
        open.remove(of.day);
        published.addData(of.day, of.first, of.last);
        if (rejectedWaitForFiles && rejectedReady()) {
            files.publishRejected(this);
        }
    }

    /** Publishes a file unless it was published or dropped meanwhile (by the idle-file timer, a failure). */
    synchronized void publishIfOpen(OpenFile of) throws IOException {
        if (open.get(of.day) == of) {
            publish(of);
        }
    }

    /** Keeps a rejected record for this batch's rejected-records file; false when the lake already holds it there. */
    synchronized boolean reject(String line, long offset) {
        return reject(line, offset, null, false);
    }

    /** Whether this batch's rejected lines may be published now. */
    synchronized boolean rejectedReady() {
        return !rejectedLines.isEmpty() && (!rejectedWaitForFiles || open.isEmpty());
    }

    /**
     * As {@link #reject(String, long)}, for a record that broke the quality rule labelled {@code rule} (or null).
     * {@code waitForFiles}: whether the verdict depends on the other records of the batch ({@code unique}), so that a
     * replay, grouping records otherwise, could reach another one. Then the batch's rejected file waits until the
     * partition's open files are published: a published rejected range [first, last] then means every record in it
     * is either in that file or in a published data file, and a replay skips it rightly.
     */
    synchronized boolean reject(String line, long offset, String rule, boolean waitForFiles) {
        if (published.holdsRejected(offset)) {
            return false;
        }
        if (rule != null) {
            rejectedByRule.merge(rule, 1L, Long::sum);
        }
        rejectedWaitForFiles |= waitForFiles;
        if (rejectedLines.isEmpty()) {
            rejectedFirst = offset;
        }
        rejectedLast = offset;
        rejectedLines.add(line);
        return true;
    }

    synchronized List<String> rejectedLines() {
        return rejectedLines;
    }

    /** How many of this batch's rejected records each quality rule rejected. */
    synchronized Map<String, Long> rejectedByRule() {
        return Map.copyOf(rejectedByRule);
    }

    synchronized long rejectedFirst() {
        return rejectedFirst;
    }

    synchronized long rejectedLast() {
        return rejectedLast;
    }

    /** The batch's rejected records were published. */
    synchronized void rejectedPublished() {
        published.addRejected(rejectedFirst, rejectedLast);
        rejectedLines.clear();
        rejectedByRule.clear();
        rejectedWaitForFiles = false;
    }

    synchronized List<OpenFile> openFiles() {
        return List.copyOf(open.values());
    }

    /** The first offset of the oldest unpublished file or rejected line, or just past the last record seen; -1 before any record. */
    synchronized long committable() {
        if (lastSeen < 0) {
            return -1;
        }
        long next = rejectedLines.isEmpty() ? lastSeen + 1 : Math.min(lastSeen + 1, rejectedFirst);
        for (OpenFile of : open.values()) {
            next = Math.min(next, of.first);
        }
        return next;
    }

    synchronized long committed() {
        return committed;
    }

    synchronized void committed(long offset) {
        committed = Math.max(committed, offset);
    }

    /** Drops every open file and what this assignment saw: its records are read again from the last commit. */
    synchronized void abandon() {
        for (OpenFile of : open.values()) {
            of.abandon();
        }
        open.clear();
        rejectedLines.clear();
        rejectedByRule.clear();
        rejectedWaitForFiles = false;
        lastSeen = -1;
    }
}
