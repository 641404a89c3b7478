package org.cameldatalake.sink;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One budget for the bytes buffered by every open Parquet file of every feed (peers' most common failure is
 * running out of memory with many open partitions). Each writer reports its usage after a batch and asks how much
 * it may keep: all the room the others leave while the total is under the limit; once it is over, no more than
 * its equal share and never more than the others leave, so that the total is back under the limit after any
 * writer's batch and large feeds shrink towards their share.
 */
public final class MemoryBudget {
    private final long limit;
    private final Map<String, Long> usage = new ConcurrentHashMap<>();

    public MemoryBudget(long limit) {
        this.limit = limit;
    }

    public long limit() {
        return limit;
    }

    /** Records what {@code feed} buffers now and returns how much it may buffer. */
    public long allowance(String feed, long buffered) {
        usage.put(feed, buffered);
        long total = 0;
        for (long u : usage.values()) {
            total += u;
        }
        long leftByOthers = Math.max(0, limit - (total - buffered));
        if (total <= limit) {
            return leftByOthers;
        }
        return Math.min(leftByOthers, limit / Math.max(1, usage.size()));
    }

    public void release(String feed) {
        usage.remove(feed);
    }

    public long total() {
        long total = 0;
        for (long u : usage.values()) {
            total += u;
        }
        return total;
    }
}
