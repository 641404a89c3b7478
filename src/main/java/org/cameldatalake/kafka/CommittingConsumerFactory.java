package org.cameldatalake.kafka;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Properties;
import org.apache.camel.component.kafka.DefaultKafkaClientFactory;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.cameldatalake.sink.AppendWriter;
import org.cameldatalake.sink.AppendWriters;

/**
 * camel-kafka's client factory for feed routes: the consumers it makes commit, at each poll, the offsets of files
 * that were published since the last batch (by the idle-file timer, which may not touch the consumer: a Kafka
 * consumer is single-threaded). Without it, the offsets of a topic's last files would wait for the next record.
 * When the timer could not publish a file (the lake's disk is full…), or the writer thread failed the last batch, the
 * consumer goes back to its committed offsets:
 * the records of that file come again, and their batch fails so that camel-kafka reads again from the commit.
 */
public final class CommittingConsumerFactory extends DefaultKafkaClientFactory {
    private final AppendWriters writers;
    private final AppendPipeline pipeline;

    public CommittingConsumerFactory(AppendWriters writers, AppendPipeline pipeline) {
        this.writers = writers;
        this.pipeline = pipeline;
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Consumer getConsumer(Properties props) {
        Consumer<?, ?> consumer = super.getConsumer(props);
        String group = props.getProperty(ConsumerConfig.GROUP_ID_CONFIG);
        return (Consumer) Proxy.newProxyInstance(Consumer.class.getClassLoader(), new Class<?>[] {Consumer.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("poll")) {
                        AppendWriter writer = group == null ? null : writers.byGroup(group);
                        // while the writer thread writes a batch it holds the writer: waiting for it here would stall
                        // the next batch's fetch and decoding; the lander commits after that write, a failure shows
                        // at the next poll
                        if (writer != null && !pipeline.writing(writer)) {
                            if (writer.takeRewindRequest() || pipeline.failed(writer)) {
                                rewind(consumer);
                            } else {
                                new FeedCommitter(writer).commitPublished(consumer); // nothing to do unless files were published meanwhile
                            }
                        }
                    }
                    try {
                        return method.invoke(consumer, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static void rewind(Consumer<?, ?> consumer) {
        consumer.committed(consumer.assignment()).forEach((tp, committed) -> {
            if (committed != null) {
                consumer.seek(tp, committed.offset());
            }
        });
    }
}
