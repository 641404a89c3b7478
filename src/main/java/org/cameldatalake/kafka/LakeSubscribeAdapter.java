package org.cameldatalake.kafka;

import java.util.Collection;
import org.apache.camel.component.kafka.consumer.support.subcription.SubscribeAdapter;
import org.apache.camel.component.kafka.consumer.support.subcription.TopicInfo;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;

/**
 * camel-kafka's only rebalance hook (registry bean {@code subscribeAdapter}), for the
 * routes that consume with camel-kafka (the warehouse mirror; the lake's stream feeds have their own consumer,
 * {@link LakeKafkaConsumer}): each revocation, loss or assignment starts a new {@link AssignmentEpochs epoch} for
 * the partitions, so that records camel-kafka fetched before it are not written.
 */
public final class LakeSubscribeAdapter implements SubscribeAdapter {
    private final AssignmentEpochs epochs;

    public LakeSubscribeAdapter(AssignmentEpochs epochs) {
        this.epochs = epochs;
    }

    @Override
    public void subscribe(Consumer<?, ?> consumer, ConsumerRebalanceListener camelListener, TopicInfo topicInfo) {
        String group = consumer.groupMetadata().groupId();
        ConsumerRebalanceListener listener = new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                epochs.changed(group, partitions);
                camelListener.onPartitionsRevoked(partitions);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                epochs.changed(group, partitions);
                camelListener.onPartitionsLost(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
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
