package org.cameldatalake.health;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * One Kafka admin connection for the readiness check and the consumer-lag metric, opened on first use. Every call
 * is bounded by a timeout: a broker that is down makes a call fail, never hang a scrape or a health request.
 */
public final class KafkaProbe implements AutoCloseable {
    private final String brokers;
    private Admin admin;

    public KafkaProbe(String brokers) {
        this.brokers = brokers;
    }

    public String brokers() {
        return brokers;
    }

    private synchronized Admin admin() {
        if (admin == null) {
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
            p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
            p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
            p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
            p.put(AdminClientConfig.CLIENT_ID_CONFIG, "camel-datalake-probe");
            admin = Admin.create(p);
        }
        return admin;
    }

    /** The cluster id; throws when no broker answers within {@code timeout}. */
    public String clusterId(Duration timeout) throws Exception {
        return admin().describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Records in {@code topic} not yet committed by {@code group}: the sum over partitions of end − committed offset. */
    public long lag(String group, String topic, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<TopicPartition, Long> committed = new HashMap<>();
        admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS).forEach((tp, o) -> {
                    if (o != null && tp.topic().equals(topic)) {
                        committed.put(tp, o.offset());
                    }
                });
        var partitions = admin().describeTopics(List.of(topic)).allTopicNames()
                .get(remaining(deadline), TimeUnit.MILLISECONDS).get(topic).partitions();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        long lag = 0;
        for (var e : admin().listOffsets(latest).all().get(remaining(deadline), TimeUnit.MILLISECONDS).entrySet()) {
            lag += Math.max(0, e.getValue().offset() - committed.getOrDefault(e.getKey(), 0L));
        }
        return lag;
    }

    private static long remaining(long deadline) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
            admin = null;
        }
    }
}
