package org.cameldatalake.sink;

import java.time.Duration;
import java.time.ZoneId;
import org.cameldatalake.feed.FeedDefinition;

/**
 * Rotation and memory limits of the append writer (DESIGN.md §3b, §4.6). A file is published when it reaches
 * {@code maxRecords}, {@code maxBytes} or {@code maxAge}, or when no record came into it for {@code maxIdle} (zero:
 * never — a burst's last file then waits for {@code maxAge}); across all open files of a feed, buffered bytes stay under
 * {@code memoryBudget} and at most {@code maxOpenFiles} files are open (the largest / oldest is published first).
 */
public record AppendSettings(long maxRecords, long maxBytes, Duration maxAge, Duration maxIdle, MemoryBudget memoryBudget,
                             int maxOpenFiles, long rowGroupBytes, ZoneId zone, boolean learnDictionaryFallbacks) {

    public AppendSettings forFeed(FeedDefinition feed) {
        FeedDefinition.Rotation r = feed.rotation();
        return new AppendSettings(r.maxRecords() != null ? r.maxRecords() : maxRecords,
                r.maxBytes() != null ? r.maxBytes() : maxBytes,
                r.maxAge() != null ? r.maxAge() : maxAge, r.maxIdle() != null ? r.maxIdle() : maxIdle, memoryBudget,
                maxOpenFiles, rowGroupBytes, zone, learnDictionaryFallbacks);
    }

    /** Whether a file opened at {@code openedAt} whose last record came at {@code lastAppendAt} is due at {@code now}. */
    public boolean expired(long openedAt, long lastAppendAt, long now) {
        return now - openedAt >= maxAge.toMillis() || (!maxIdle.isZero() && now - lastAppendAt >= maxIdle.toMillis());
    }
}
