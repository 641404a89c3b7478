package org.cameldatalake.sink;

/** What a feed's writer has published since it started: the per-feed metrics read these. */
public interface FeedCounters {
    /** Records in published files (streams) or published versions (tables). */
    long recordsLanded();

    long recordsRejected();

    long filesPublished();

    long bytesPublished();

    /** Epoch millis of the last publish, -1 before the first. */
    long lastPublishMillis();

    /** Records each quality rule ({@code min:AMOUNT}) rejected in what was published since the start. */
    default java.util.Map<String, Long> qualityRejected() {
        return java.util.Map.of();
    }
}
