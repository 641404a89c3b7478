package org.cameldatalake.sink;

import java.io.IOException;
import org.apache.kafka.common.TopicPartition;

/**
 * Whether this process may still publish files of a source partition. Several instances on one lake share a feed's
 * Kafka partitions through their consumer group; an instance frozen past its session (a long pause, a throttled
 * container) has lost its partitions to another without knowing it yet, and what it publishes then would be written
 * twice. Asked right before a file becomes visible.
 */
@FunctionalInterface
public interface PartitionOwnership {
    /** Sources that only one process reads at a time (ksqlDB polls, one-shot exports). */
    PartitionOwnership SOLE = tp -> {
    };

    /** Throws {@link NotOwnedException} unless a file of {@code tp} may be published now. */
    void check(TopicPartition tp) throws NotOwnedException;

    final class NotOwnedException extends IOException {
        public NotOwnedException(String message) {
            super(message);
        }
    }
}
