package org.cameldatalake.kafka;

import java.util.List;
import org.cameldatalake.decode.SourceRecord;

/**
 * The records of one poll of a stream feed's Kafka consumer, as the {@code lake-kafka} endpoint hands them to its route
 * in one exchange. {@code commitPublished} commits what the feed's writer has published; it may only run on the
 * consumer's thread, between two writes.
 */
public record KafkaBatch(String feed, List<SourceRecord> records, Runnable commitPublished) {
}
