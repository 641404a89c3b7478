package org.cameldatalake.kafka;

import org.apache.camel.component.kafka.consumer.CommitManager;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualSyncCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommitFactory;

/**
 * camel-kafka's manual-commit factory for feed routes (bean {@code epochStampingCommitFactory}): camel-kafka calls it
 * for every record as it turns it into an exchange, right after the poll that returned it, which is the moment to
 * stamp the exchange with the {@link AssignmentEpochs} clock. The commit object itself is camel-kafka's own.
 */
public final class EpochStampingCommitFactory implements KafkaManualCommitFactory {
    /** Exchange property holding the stamp. */
    public static final String FETCH_EPOCH = "datalakeFetchEpoch";
    private final AssignmentEpochs epochs;

    public EpochStampingCommitFactory(AssignmentEpochs epochs) {
        this.epochs = epochs;
    }

    @Override
    public KafkaManualCommit newInstance(CamelExchangePayload exchange, KafkaRecordPayload record, CommitManager commitManager) {
        exchange.exchange.setProperty(FETCH_EPOCH, epochs.now());
        return new DefaultKafkaManualSyncCommit(exchange, record, commitManager);
    }
}
