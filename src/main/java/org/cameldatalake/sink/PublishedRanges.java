package org.cameldatalake.sink;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The offset ranges of one Kafka partition that the lake already holds, per date partition, read from published
 * file names. A published file for (partition, day) with range [first, last] holds every record of that partition
 * and day whose offset lies in the range (one open file per partition and day, offsets only grow). So on a replay
 * a record is a duplicate exactly when a range of its own day covers its offset, even when days interleave.
 */
final class PublishedRanges {
    private final Map<LocalDate, NavigableMap<Long, Long>> data = new HashMap<>();
    private final NavigableMap<Long, Long> rejected = new TreeMap<>();

    void addData(LocalDate day, long first, long last) {
        data.computeIfAbsent(day, d -> new TreeMap<>()).put(first, last);
    }

    void addRejected(long first, long last) {
        rejected.put(first, last);
    }

    boolean holdsData(LocalDate day, long offset) {
        NavigableMap<Long, Long> ranges = data.get(day);
        return ranges != null && covers(ranges, offset);
    }

    boolean holdsRejected(long offset) {
        return covers(rejected, offset);
    }

    /** The highest offset the lake holds for this partition, or -1. */
    long highestOffset() {
        long max = rejected.isEmpty() ? -1 : rejected.lastEntry().getValue();
        for (NavigableMap<Long, Long> r : data.values()) {
            for (long last : r.values()) {
                max = Math.max(max, last);
            }
        }
        return max;
    }

    private static boolean covers(NavigableMap<Long, Long> ranges, long offset) {
        Map.Entry<Long, Long> e = ranges.floorEntry(offset);
        return e != null && offset <= e.getValue();
    }
}
