package org.cameldatalake.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import org.cameldatalake.metadata.ExportLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a polled source (a ksqlDB stream, a JDBC table) keeps in its stream feed's metadata: how far its polls have
 * landed, read afresh from the lake each time (another instance may have polled since), and how its last poll went.
 */
public final class PolledSource {
    private static final Logger LOG = LoggerFactory.getLogger(PolledSource.class);
    private final String feed;
    private final StreamFeedMetadata metadata;
    private final ExportLog exportLog;

    PolledSource(String feed, StreamFeedMetadata metadata, ExportLog exportLog) {
        this.feed = feed;
        this.metadata = metadata;
        this.exportLog = exportLog;
    }

    /** The position a whole poll has reached (a ksqlDB stream's ROWTIME watermark), or -1. */
    public long watermark(String source) throws IOException {
        return metadata.watermark(source);
    }

    /** Moves the watermark, once everything up to it is published (end of a poll). */
    public void advanceWatermark(String source, long value) throws IOException {
        metadata.advanceWatermark(source, value);
    }

    /** A position that one number cannot hold (a JDBC table's column value and its ties), or null. */
    public JsonNode cursor(String source) throws IOException {
        return metadata.cursor(source);
    }

    /** Replaces the cursor (one atomic replace of the source's manifest). */
    public void saveCursor(String source, JsonNode value) throws IOException {
        metadata.saveCursor(source, value);
    }

    /** A failed poll, after its last attempt: in the log, in the feed's metadata and in the export log. */
    public void recordFailure(String error, int attempts) {
        LOG.warn("{}: {}", feed, error);
        metadata.recordError(error);
        ObjectNode log = exportLog.line(feed, "poll_failed");
        log.put("error", error);
        log.put("attempts", attempts);
        exportLog.write(log);
    }

    /** A poll went through, even one with nothing new: the failure recorded before is over. */
    public void recordSuccess() throws IOException {
        metadata.clearError();
    }
}
