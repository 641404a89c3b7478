package org.cameldatalake.sink;

import org.apache.avro.generic.GenericRecord;
import org.cameldatalake.quality.QualityBatch;
import org.cameldatalake.quality.QualityChecker;
import org.cameldatalake.quality.QualityRules;
import org.cameldatalake.quality.Violation;

/**
 * A stream feed's quality rules (Kafka batches, ksqlDB and JDBC polls). A batch is what one poll of the source
 * hands the writer (one {@code append} call): {@code unique} compares the records of that poll, across the partitions
 * it holds, which are checked in parallel — so of two records sharing a value in different partitions, whichever is
 * checked first lands. A broken rule sends the record to {@code _rejected/} like a record that does not decode: its
 * offset counts as consumed once that file is published, and the counts per rule go to the feed's metadata and
 * counters with it.
 */
final class StreamQuality {
    private final QualityChecker checker;

    StreamQuality(QualityRules rules) {
        this.checker = new QualityChecker(rules);
    }

    /** The checks of one batch, safe to call from the threads writing its partitions; null when there are no rules. */
    Batch newBatch() {
        return checker.isEmpty() ? null : new Batch(checker.newBatch());
    }

    static final class Batch {
        private final QualityBatch batch;

        private Batch(QualityBatch batch) {
            this.batch = batch;
        }

        /** The first rule {@code record} breaks, or null. */
        Violation check(GenericRecord record) {
            synchronized (batch) {
                return batch.check(record);
            }
        }
    }
}
