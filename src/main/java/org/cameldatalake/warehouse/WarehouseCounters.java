package org.cameldatalake.warehouse;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What one feed's warehouse mirror has done since it started: rows upserted and deleted, records rejected, and the
 * reason its last batch failed (null once a batch succeeds again). Read by the metrics and the readiness check.
 */
public final class WarehouseCounters {
    private final AtomicLong upserted = new AtomicLong();
    private final AtomicLong deleted = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile String failure;

    void written(long upserts, long deletes, long rejects) {
        upserted.addAndGet(upserts);
        deleted.addAndGet(deletes);
        rejected.addAndGet(rejects);
        failure = null;
    }

    void failed(String reason) {
        failure = reason;
    }

    public long rowsUpserted() {
        return upserted.get();
    }

    public long rowsDeleted() {
        return deleted.get();
    }

    public long recordsRejected() {
        return rejected.get();
    }

    /** Why the last batch failed, or null when it succeeded. */
    public String failure() {
        return failure;
    }
}
