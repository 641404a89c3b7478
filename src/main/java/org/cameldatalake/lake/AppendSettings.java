package org.cameldatalake.lake;

import java.time.Duration;
import java.time.ZoneId;
import org.cameldatalake.feed.FeedDefinition;

/**
 * Rotation and memory limits of the append writer (DESIGN.md §3b, §4.6). A file is published when it reaches
 * {@code maxRecords}, {@code maxBytes} or {@code maxAge}; across all open files of a feed, buffered bytes stay under
 * {@code memoryBudget} and at most {@code maxOpenFiles} files are open (the largest / oldest is published first).
 */
public record AppendSettings(long maxRecords, long maxBytes, Duration maxAge, MemoryBudget memoryBudget, int maxOpenFiles,
                             long rowGroupBytes, ZoneId zone) {

    public AppendSettings forFeed(FeedDefinition feed) {
        FeedDefinition.Rotation r = feed.rotation();
        return new AppendSettings(r.maxRecords() != null ? r.maxRecords() : maxRecords,
                r.maxBytes() != null ? r.maxBytes() : maxBytes,
                r.maxAge() != null ? r.maxAge() : maxAge, memoryBudget, maxOpenFiles, rowGroupBytes, zone);
    }
}
