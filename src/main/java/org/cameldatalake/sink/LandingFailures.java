package org.cameldatalake.sink;

/**
 * Why a stream feed's records cannot land — the last failed batch or publish, for readiness and the feed's metadata —
 * until a file is published whole again; and the failure of an idle file's publish that its source has yet to be
 * told of: the source has moved past the records that file held, so it must read again from its last commit (or
 * repeat its poll) before going on.
 */
final class LandingFailures {
    private final StreamFeedMetadata metadata;
    private volatile String reason;
    private String untold;
    private boolean rewindRequested;

    LandingFailures(StreamFeedMetadata metadata) {
        this.metadata = metadata;
    }

    /** Records could not land: readiness says so ({@link #reason}) until a file is published again. */
    void failed(String reason) {
        this.reason = reason;
        metadata.recordError(reason);
    }

    /** A file and its metadata landed: the lake takes writes again. */
    void published() {
        reason = null;
    }

    /** Why this feed's records cannot land, or null once a file has landed since. */
    String reason() {
        return reason;
    }

    /**
     * An idle file could not be published: the source's next call fails once ({@link #takeUntold}), and a Kafka
     * consumer is asked to go back to its committed offsets ({@link #takeRewindRequest}).
     */
    void idlePublishFailed(String reason) {
        synchronized (this) {
            untold = reason;
            rewindRequested = true;
        }
        failed(reason);
    }

    /** The failure of an idle publish the source has not been told of yet, once; null if none. */
    synchronized String takeUntold() {
        String failure = untold;
        untold = null;
        return failure;
    }

    /**
     * True once after an idle file could not be published and before the source is told: its records are behind the
     * Kafka consumer's position, and an idle topic would bring no batch to fail, so the consumer rewinds to get one.
     */
    synchronized boolean takeRewindRequest() {
        boolean requested = rewindRequested && untold != null;
        rewindRequested = false;
        return requested;
    }
}
