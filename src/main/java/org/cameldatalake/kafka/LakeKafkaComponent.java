package org.cameldatalake.kafka;

import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;
import org.cameldatalake.sink.AppendWriters;

/**
 * {@code lake-kafka:<topic>?groupId=…&feed=…}: a stream feed's Kafka consumer. One exchange per poll carries the
 * poll's records ({@link KafkaBatch}), so that nothing is made per record but the record itself; the consumer commits
 * only what the feed's writer has published, and publishes and commits before it lets go of a partition.
 * <p>
 * camel-kafka makes an exchange per record, keeps records across polls (so that a batch may hold records of a
 * partition since revoked), and offers no commit of several partitions nor a rebalance listener of its own: landing
 * exactly once on it took a proxy of its consumer, an epoch stamp on every record and a context-wide subscribe
 * adapter. Here the Kafka client is used directly, as Kafka Connect's sink tasks use it. Its settings are camel-kafka's
 * ({@code camel.component.kafka.*}: brokers, security, timeouts, fetch sizes), so that both kinds of route share them.
 */
public final class LakeKafkaComponent extends DefaultComponent {
    private final AppendWriters writers;
    private final AppendPipeline pipeline;

    public LakeKafkaComponent(AppendWriters writers, AppendPipeline pipeline) {
        this.writers = writers;
        this.pipeline = pipeline;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        LakeKafkaEndpoint endpoint = new LakeKafkaEndpoint(uri, this, remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    AppendWriters writers() {
        return writers;
    }

    AppendPipeline pipeline() {
        return pipeline;
    }
}
