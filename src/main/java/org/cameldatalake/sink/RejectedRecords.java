package org.cameldatalake.sink;

import org.cameldatalake.decode.SourceRecord;
import org.cameldatalake.metadata.ExportLog;
import org.cameldatalake.partition.LakeLayout;
import org.cameldatalake.storage.Storage;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Base64;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.avro.generic.GenericRecord;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.quality.QualityChecker;
import org.cameldatalake.quality.Violation;

/**
 * {@code _rejected/<feed>/date=YYYY-MM-DD/*.jsonl} (DESIGN.md §3): one line per record that could not be landed,
 * with the reason, its source position and its raw value; one file per source partition and batch, logged in the
 * export log. Used by the append writer, the warehouse sync and, for rows that break a quality rule, the snapshot
 * writer.
 */
public final class RejectedRecords {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RejectedRecords() {
    }

    /** The JSON line of one rejected record; a value that is not UTF-8 text is kept as base64. */
    public static String line(Instant time, String feed, SourceRecord r, String reason) {
        ObjectNode line = start(time, feed, reason);
        position(line, r);
        if (r.value() == null) {
            line.putNull("value");
        } else {
            String text = utf8(r.value());
            if (text != null) {
                line.put("value", text);
            } else {
                line.put("value_base64", Base64.getEncoder().encodeToString(r.value()));
            }
        }
        return line.toString();
    }

    /**
     * The JSON line of a record that broke a quality rule: the rule, its column, the offending value, the record's
     * position and the record itself as it would have landed (decimals as numbers, times as ISO-8601).
     */
    public static String line(Instant time, String feed, SourceRecord r, Violation broken, GenericRecord record) {
        ObjectNode line = start(time, feed, broken.reason());
        line.put("rule", broken.ruleName());
        line.put("column", broken.column());
        line.set("bad_value", broken.valueJson());
        position(line, r);
        line.set("value", QualityChecker.rowJson(record));
        return line.toString();
    }

    private static ObjectNode start(Instant time, String feed, String reason) {
        ObjectNode line = JSON.createObjectNode();
        line.put("time", time.toString());
        line.put("feed", feed);
        line.put("reason", reason);
        return line;
    }

    private static void position(ObjectNode line, SourceRecord r) {
        line.put("topic", r.topic());
        line.put("partition", r.partition());
        line.put("offset", r.offset());
        if (r.timestamp() >= 0) {
            line.put("timestamp", Instant.ofEpochMilli(r.timestamp()).toString());
        }
        line.put("key", r.key());
    }

    /** {@code bytes} as UTF-8 text, or null when they are not. */
    public static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * Publishes {@code lines} (records {@code first..last} of one partition) as {@code fileName} under the day of
     * {@code at}, with the feed's permissions, and logs it; returns where it went.
     */
    public static Path publish(Storage storage, ExportLog exportLog, FeedDefinition feed, ZoneId zone, Instant at,
                               String fileName, String topic, int partition, long first, long last, List<String> lines)
            throws IOException {
        Path dest = new LakeLayout(storage).rejectedFile(feed.name(), at.atZone(zone).toLocalDate(), fileName);
        storage.writeNew(dest, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        ObjectNode position = JSON.createObjectNode();
        position.put("topic", topic);
        position.put("partition", partition);
        position.put("first_offset", first);
        position.put("last_offset", last);
        published(storage, exportLog, feed, dest, lines.size(), position);
        return dest;
    }

    /** Gives a published file the feed's permissions and logs it with where its records came from. */
    private static void published(Storage storage, ExportLog exportLog, FeedDefinition feed, Path dest, long records,
                                  ObjectNode position) throws IOException {
        storage.secure(dest, new LakeLayout(storage).rejectedDir(feed.name()), feed.securityLevel().fileMode(),
                feed.securityLevel().dirMode());
        ObjectNode log = exportLog.line(feed.name(), "reject");
        log.put("path", storage.relative(dest));
        log.put("records", records);
        log.setAll(position);
        exportLog.write(log);
    }

    /**
     * The rejected lines of something not published yet (a table snapshot): written to a new file of the store as
     * they come, so that memory does not grow with them, then published as one {@code _rejected/} file together with
     * it, or dropped with it.
     */
    public static final class Pending {
        private final Storage storage;
        private final FeedDefinition feed;
        private Storage.PendingFile file;
        private OutputStream out;
        private long lines;

        public Pending(Storage storage, FeedDefinition feed) {
            this.storage = storage;
            this.feed = feed;
        }

        public void add(String line) throws IOException {
            if (file == null) {
                file = storage.create(new LakeLayout(storage).rejectedDir(feed.name()));
                out = file.create(0);
            }
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            lines++;
        }

        public long lines() {
            return lines;
        }

        /**
         * Publishes the lines as {@code _rejected/<feed>/date=<day of at>/<fileName>} with the feed's permissions and
         * logs them with {@code position} (where they came from); null, and nothing written, when there were none.
         */
        public Path publish(ExportLog exportLog, Instant at, String fileName, ObjectNode position) throws IOException {
            if (file == null) {
                return null;
            }
            Path dest = new LakeLayout(storage).rejectedFile(feed.name(), at.atZone(exportLog.zone()).toLocalDate(),
                    fileName);
            Storage.PendingFile committing = file;
            file = null;
            committing.commit(dest);
            published(storage, exportLog, feed, dest, lines, position);
            return dest;
        }

        /** Drops the lines (what they belonged to was not published). Never throws. */
        public void discard() {
            if (file != null) {
                file.abort();
                file = null;
            }
        }
    }
}
