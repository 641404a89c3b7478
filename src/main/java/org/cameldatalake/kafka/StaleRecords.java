package org.cameldatalake.kafka;

import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommit;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A step for Kafka batch routes whose records are stamped by {@link EpochStampingCommitFactory} (bean
 * {@code staleRecords}; the warehouse mirror's route uses it): drops from the batch the records fetched before their
 * partition was last revoked, lost or assigned ({@link AssignmentEpochs}). The consumer fetches them again from the
 * committed offset, after whatever another consumer of the group did with them meanwhile, so the steps after this one
 * never act on a state older than one already acted on.
 */
public final class StaleRecords {
    private static final Logger LOG = LoggerFactory.getLogger(StaleRecords.class);
    private final AssignmentEpochs epochs;

    public StaleRecords(AssignmentEpochs epochs) {
        this.epochs = epochs;
    }

    @SuppressWarnings("unchecked")
    public void drop(Exchange batch) {
        List<Exchange> records = batch.getMessage().getBody(List.class);
        String group = null;
        for (Exchange e : records) {
            if (e.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT) instanceof DefaultKafkaManualCommit c) {
                group = c.getCamelExchangePayload().consumer.groupMetadata().groupId();
                break;
            }
        }
        if (group == null) {
            return;
        }
        List<Exchange> current = new ArrayList<>(records.size());
        for (Exchange e : records) {
            Message m = e.getMessage();
            Long fetched = e.getProperty(EpochStampingCommitFactory.FETCH_EPOCH, Long.class);
            if (fetched == null || fetched >= epochs.changedAt(group, new TopicPartition(m.getHeader(KafkaConstants.TOPIC,
                    String.class), m.getHeader(KafkaConstants.PARTITION, Integer.class)))) {
                current.add(e);
            }
        }
        if (current.size() < records.size()) {
            LOG.info("{}: {} record(s) fetched before a rebalance dropped; they are read again from the committed offset",
                    batch.getFromRouteId(), records.size() - current.size());
            batch.getMessage().setBody(current);
        }
    }
}
