package org.cameldatalake.sink;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.fs.Path;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.metadata.ExportLog;
import org.cameldatalake.quality.QualityBatch;
import org.cameldatalake.quality.QualityChecker;
import org.cameldatalake.quality.Violation;
import org.cameldatalake.storage.Storage;

/**
 * A feed's quality rules applied to one table snapshot: a row that breaks a rule stays out of the version and waits,
 * with the rule, the offending value and the whole row, in a new file of the store; the lines are published to
 * {@code _rejected/<feed>/date=…/snapshot_v<N>_<ts>.jsonl} with the version, or dropped with it.
 */
final class SnapshotQuality {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC);

    private final FeedDefinition feed;
    private final QualityBatch batch;
    private final RejectedRecords.Pending rejected;

    private SnapshotQuality(FeedDefinition feed, Storage storage, QualityBatch batch) {
        this.feed = feed;
        this.batch = batch;
        this.rejected = new RejectedRecords.Pending(storage, feed);
    }

    /**
     * Starts checking the rows of a snapshot of {@code schema}. A rule on a column the rows do not have fails the
     * snapshot: it would see only nulls.
     */
    static SnapshotQuality start(FeedDefinition feed, QualityChecker checker, Storage storage, Schema schema)
            throws IOException {
        List<String> unknown = checker.rules().unknownColumns(schema);
        if (!unknown.isEmpty()) {
            throw new IOException("quality" + unknown.get(0) + " (fix the rule in " + feed.file() + ")");
        }
        return new SnapshotQuality(feed, storage, checker.newBatch());
    }

    /** Whether row number {@code row} (from 1) lands; one that breaks a rule goes to the pending lines instead. */
    boolean accept(GenericRecord record, long row, Instant at) throws IOException {
        Violation broken = batch.check(record);
        if (broken == null) {
            return true;
        }
        ObjectNode line = JSON.createObjectNode();
        line.put("time", at.toString());
        line.put("feed", feed.name());
        line.put("reason", broken.reason());
        line.put("rule", broken.ruleName());
        line.put("column", broken.column());
        line.set("bad_value", broken.valueJson());
        line.put("source", feed.source() == FeedDefinition.SourceKind.KSQLDB ? feed.ksqldbSource() : feed.name());
        line.put("row", row);
        line.set("value", QualityChecker.rowJson(record));
        rejected.add(line.toString());
        return false;
    }

    long rejected() {
        return batch.rejected();
    }

    Map<String, Long> rejectedByRule() {
        return batch.rejectedByRule();
    }

    /** Publishes the rejected lines of version {@code version}; returns the file, or null when no row was rejected. */
    Path publish(int version, ExportLog exportLog, Instant at) throws IOException {
        ObjectNode position = JSON.createObjectNode();
        position.put("version", version);
        return rejected.publish(exportLog, at, "snapshot_v" + version + "_" + STAMP.format(at) + ".jsonl", position);
    }

    /** The version and its rejected lines are published: their counts go to the feed's counters. */
    void commit() {
        batch.commit();
    }

    /** The version was not published: its rejected lines go too. Never throws. */
    void discard() {
        rejected.discard();
    }
}
