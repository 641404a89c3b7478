package org.cameldatalake.runtime;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the maintenance jobs failed to do, per job and feed, since this process started: how many runs failed, and the
 * last failure until a run of that job succeeds for that feed again. Read by metrics and health.
 */
public final class MaintenanceFailures {
    public record Failure(String job, String feed, Instant at, String reason) {
    }

    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private volatile java.util.function.BiConsumer<String, String> onFirstFailure = (job, feed) -> {
    };
    private final Map<String, Failure> current = new ConcurrentHashMap<>();

    private static String key(String job, String feed) {
        return job + "/" + feed;
    }

    /** Told of each job and feed the first time it fails (metrics register a counter for it then). */
    public void onFirstFailure(java.util.function.BiConsumer<String, String> listener) {
        onFirstFailure = listener;
    }

    public void failed(String job, String feed, Instant at, String reason) {
        boolean[] first = {false};
        counts.computeIfAbsent(key(job, feed), k -> {
            first[0] = true;
            return new AtomicLong();
        }).incrementAndGet();
        if (first[0]) {
            onFirstFailure.accept(job, feed);
        }
        current.put(key(job, feed), new Failure(job, feed, at, reason));
    }

    public void succeeded(String job, String feed) {
        current.remove(key(job, feed));
    }

    /** Failed runs of {@code job} for {@code feed} since start. */
    public long count(String job, String feed) {
        AtomicLong n = counts.get(key(job, feed));
        return n == null ? 0 : n.get();
    }

    /** The failures not yet followed by a successful run. */
    public java.util.Collection<Failure> current() {
        return current.values();
    }
}
