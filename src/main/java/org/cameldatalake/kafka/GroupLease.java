package org.cameldatalake.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.cameldatalake.sink.PartitionOwnership;

/**
 * A consumer's hold on its partitions, as the group coordinator last confirmed it: a successful offset commit proves
 * that the coordinator counted this consumer a member of the current generation when it took the commit, and restarts
 * its session there (a commit counts as a heartbeat). The hold is trusted for half a session after the commit was
 * sent. A process frozen past that (SIGSTOP, a long pause) finds it lapsed when it wakes up, whichever of its threads
 * wakes first, and publishes nothing until its consumer has rejoined and committed again.
 * <p>
 * What remains is a publish that passed the check and then stalls for more than half a session before its file is
 * committed (a rename, or the completion of an upload): only then can a file land that the next owner also writes.
 */
final class GroupLease implements PartitionOwnership {
    private final long validNanos;
    private final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();
    private volatile long confirmedAt;
    private volatile boolean confirmed;

    GroupLease(Duration session) {
        this.validNanos = session.toNanos() / 2;
    }

    /** A commit sent at {@code sentNanos} ({@link System#nanoTime()}) succeeded. */
    void confirmed(long sentNanos) {
        confirmedAt = sentNanos;
        confirmed = true;
    }

    /** A commit failed: the coordinator may no longer count this consumer in. */
    void lapse() {
        confirmed = false;
    }

    /** Due for a renewal once half its validity is gone, so that a live consumer never lets it lapse. */
    boolean renewalDue() {
        return !confirmed || System.nanoTime() - confirmedAt > validNanos / 2;
    }

    void assigned(Collection<TopicPartition> partitions) {
        owned.addAll(partitions);
    }

    void released(Collection<TopicPartition> partitions) {
        owned.removeAll(partitions);
    }

    @Override
    public void check(TopicPartition tp) throws NotOwnedException {
        if (!owned.contains(tp)) {
            throw new NotOwnedException(tp + " is no longer assigned to this instance");
        }
        long age = System.nanoTime() - confirmedAt;
        if (!confirmed || age > validNanos) {
            throw new NotOwnedException(tp + " may belong to another instance by now: the consumer group last confirmed "
                    + "this one " + (confirmed ? age / 1_000_000 + " ms ago, more than half its session" : "never since it failed a commit"));
        }
    }
}
