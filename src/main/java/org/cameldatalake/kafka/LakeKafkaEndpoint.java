package org.cameldatalake.kafka;

import java.util.Properties;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** The endpoint of {@link LakeKafkaComponent}: a topic, the feed landing it and the feed's consumer group. */
public final class LakeKafkaEndpoint extends DefaultEndpoint {
    private final String topic;
    private String groupId;
    private String feed;

    LakeKafkaEndpoint(String uri, LakeKafkaComponent component, String topic) {
        super(uri, component);
        this.topic = topic;
    }

    public String getTopic() {
        return topic;
    }

    public String getGroupId() {
        return groupId;
    }

    public void setGroupId(String groupId) {
        this.groupId = groupId;
    }

    public String getFeed() {
        return feed;
    }

    public void setFeed(String feed) {
        this.feed = feed;
    }

    @Override
    public LakeKafkaComponent getComponent() {
        return (LakeKafkaComponent) super.getComponent();
    }

    /** The consumer's settings: camel-kafka's component configuration, this endpoint's group, manual commits. */
    KafkaConfiguration kafka() {
        return getCamelContext().getComponent("kafka", KafkaComponent.class).getConfiguration().copy();
    }

    Properties consumerProperties() {
        KafkaConfiguration conf = kafka();
        conf.setGroupId(groupId);
        Properties props = conf.createConsumerProperties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, conf.getBrokers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        if (groupId == null || feed == null) {
            throw new IllegalArgumentException(getEndpointUri() + ": groupId and feed are required");
        }
        LakeKafkaConsumer consumer = new LakeKafkaConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("lake-kafka only consumes");
    }
}
