package org.cameldatalake.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.cameldatalake.runtime.ExportProgress;

/**
 * Shows an export's progress on standard error: one line redrawn in place on a terminal, a plain line every
 * {@code every} otherwise (logs, CI), and a last line with the totals either way. Records/s is the average since
 * the start; the ETA is shown only where the total is known (Kafka end offsets).
 */
final class ProgressPrinter implements AutoCloseable {
    enum Mode { TERMINAL, PLAIN, OFF }

    private final String feed;
    private final ExportProgress progress;
    private final PrintStream out;
    private final Mode mode;
    private final ScheduledExecutorService ticker;
    private int drawnWidth;
    private boolean closed;

    ProgressPrinter(String feed, ExportProgress progress, PrintStream out, Mode mode, Duration every) {
        this.feed = feed;
        this.progress = progress;
        this.out = out;
        this.mode = mode;
        if (mode == Mode.OFF) {
            ticker = null;
            return;
        }
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "export-progress");
            t.setDaemon(true);
            return t;
        });
        long period = mode == Mode.TERMINAL ? 200 : Math.max(100, every.toMillis());
        ticker.scheduleAtFixedRate(this::draw, period, period, TimeUnit.MILLISECONDS);
    }

    private synchronized void draw() {
        if (!progress.tracking()) {
            return;
        }
        String line = line(false);
        if (mode == Mode.TERMINAL) {
            out.print("\r" + line + " ".repeat(Math.max(0, drawnWidth - line.length())));
            drawnWidth = line.length();
        } else {
            out.println(line);
        }
        out.flush();
    }

    String line(boolean finished) {
        long done = progress.done();
        long total = progress.total();
        double seconds = Math.max(1e-3, (System.nanoTime() - progress.sinceNanos()) / 1e9);
        double rate = done / seconds;
        StringBuilder b = new StringBuilder(feed).append(": ");
        if (total >= 0) {
            b.append(String.format(Locale.ROOT, "%,d of %,d records (%d%%)", done, total, total == 0 ? 100 : done * 100 / total));
        } else {
            b.append(String.format(Locale.ROOT, "%,d records", done));
        }
        b.append(String.format(Locale.ROOT, ", %,.0f records/s", rate));
        if (finished) {
            b.append(String.format(Locale.ROOT, ", %.1f s", seconds));
        } else if (total >= 0 && rate > 0 && done < total) {
            b.append(", ETA ").append(eta((long) Math.ceil((total - done) / rate)));
        }
        return b.toString();
    }

    private static String eta(long seconds) {
        return seconds >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60)
                : seconds >= 60 ? String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60) : seconds + "s";
    }

    @Override
    public synchronized void close() {
        if (ticker == null || closed) {
            return;
        }
        closed = true;
        ticker.shutdownNow();
        if (!progress.tracking()) {
            return;
        }
        String last = line(true);
        if (mode == Mode.TERMINAL) {
            out.println("\r" + last + " ".repeat(Math.max(0, drawnWidth - last.length())));
        } else {
            out.println(last);
        }
        out.flush();
    }
}
