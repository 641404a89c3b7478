package org.cameldatalake.kafka;

import java.util.Collection;
import org.apache.camel.component.kafka.consumer.support.subcription.SubscribeAdapter;
import org.apache.camel.component.kafka.consumer.support.subcription.TopicInfo;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.cameldatalake.sink.AppendWriter;
import org.cameldatalake.sink.AppendWriters;

/**
 * camel-kafka's only rebalance hook (registry bean {@code subscribeAdapter}, research/camel-idioms.md §3.5).
 * Before partitions are revoked (rebalance or shutdown) their open files are published and their offsets committed,
 * while this consumer still owns them; lost partitions drop their open files; newly assigned partitions re-read
 * what the lake holds before their first record. Each change starts a new {@link AssignmentEpochs epoch} for the
 * partitions, so that records fetched before it are not landed.
 */
public final class LakeSubscribeAdapter implements SubscribeAdapter {
    private final AppendWriters writers;
    private final AppendPipeline pipeline;
    private final AssignmentEpochs epochs;

    public LakeSubscribeAdapter(AppendWriters writers, AppendPipeline pipeline, AssignmentEpochs epochs) {
        this.writers = writers;
        this.pipeline = pipeline;
        this.epochs = epochs;
    }

    @Override
    public void subscribe(Consumer<?, ?> consumer, ConsumerRebalanceListener camelListener, TopicInfo topicInfo) {
        // the writer of this consumer's route, captured now: after a route swap, a late callback of the old consumer
        // must not reach the new route's writer
        String group = consumer.groupMetadata().groupId();
        AppendWriter w = writers.byGroup(group);
        ConsumerRebalanceListener listener = new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                if (w != null) {
                    pipeline.awaitWrites(w);
                    new FeedCommitter(w).commitRevoked(consumer, partitions);
                    w.reset(partitions);
                }
                epochs.changed(group, partitions);
                camelListener.onPartitionsRevoked(partitions);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                if (w != null) {
                    pipeline.awaitWrites(w);
                    w.reset(partitions);
                }
                epochs.changed(group, partitions);
                camelListener.onPartitionsLost(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                if (w != null) {
                    pipeline.awaitWrites(w);
                    w.reset(partitions);
                }
                epochs.changed(group, partitions);
                camelListener.onPartitionsAssigned(partitions);
            }
        };
        if (topicInfo.isPattern()) {
            consumer.subscribe(topicInfo.getPattern(), listener);
        } else {
            consumer.subscribe(topicInfo.getTopics(), listener);
        }
    }
}
