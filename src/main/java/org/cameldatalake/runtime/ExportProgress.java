package org.cameldatalake.runtime;

import java.util.function.LongSupplier;

/**
 * How far one export pass has got, read by whoever shows it (the {@code export} command): records done so far and,
 * where it is known before the pass (Kafka end offsets), the total.
 */
public final class ExportProgress {
    public static final long UNKNOWN = -1;

    private volatile LongSupplier done = () -> 0;
    private volatile long total = UNKNOWN;
    private volatile boolean tracking;
    private volatile long sinceNanos;

    /** Set by the export when it starts moving records and knows what it counts. */
    public void track(LongSupplier done, long total) {
        this.done = done;
        this.total = total;
        this.sinceNanos = System.nanoTime();
        this.tracking = true;
    }

    /** {@link System#nanoTime()} when tracking began: rates count from there, not from start-up. */
    public long sinceNanos() {
        return sinceNanos;
    }

    /** False while the export is only looking (offsets, connections), and when it found nothing to do. */
    public boolean tracking() {
        return tracking;
    }

    public long done() {
        return done.getAsLong();
    }

    public long total() {
        return total;
    }
}
