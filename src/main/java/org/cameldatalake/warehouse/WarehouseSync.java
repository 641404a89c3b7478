package org.cameldatalake.warehouse;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.metadata.ExportLog;
import org.cameldatalake.storage.Storage;
import org.cameldatalake.sink.RejectedRecords;
import org.cameldatalake.decode.SourceRecord;
import org.cameldatalake.partition.StreamFileName;
import org.cameldatalake.decode.JsonRecordDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The step of the {@code warehouse-changelog} template: mirrors a batch of a table's changelog into its warehouse
 * table. Keys are decoded ({@link ChangelogKey}), the batch is compacted to the last record per key (a changelog
 * holds states, not events), upserts and tombstone deletes are written ({@link IsolatingWriter}: what the database
 * refuses is narrowed down to the record), and only then are the Kafka offsets committed, on the consumer thread.
 * A replay re-applies the same states, so it changes nothing. Records whose key or value cannot be used, or that the
 * database refuses, go to {@code _rejected/<feed>/} with the reason (files named {@code warehouse_rejected_…}, which
 * the lake's append writer does not take for its own). The route drops the records fetched before a rebalance first
 * (the kafka layer's {@code staleRecords}, as for the lake), so a batch never writes a state older than one another
 * consumer of the group wrote meanwhile.
 * <p>
 * A batch that fails (the database is unavailable, the lake cannot take the rejected records…) throws: the route
 * tries it again with a growing back-off, then reads again from the last commit.
 */
public final class WarehouseSync {
    public static final String FEED_PROPERTY = "feedName";
    private static final Logger LOG = LoggerFactory.getLogger(WarehouseSync.class);

    private final Warehouse warehouse;
    private final Storage storage;
    private final ExportLog exportLog;
    private final Clock clock;
    private final ZoneId zone;
    private final Map<String, FeedDefinition> feeds = new ConcurrentHashMap<>();
    private final Map<String, WarehouseCounters> counters = new ConcurrentHashMap<>();

    public WarehouseSync(Warehouse warehouse, Storage storage, ExportLog exportLog, Clock clock, ZoneId zone) {
        this.warehouse = warehouse;
        this.storage = storage;
        this.exportLog = exportLog;
        this.clock = clock;
        this.zone = zone;
    }

    public void register(FeedDefinition feed) {
        feeds.put(feed.name(), feed);
        counters.computeIfAbsent(feed.name(), f -> new WarehouseCounters());
    }

    public void remove(String feed) {
        feeds.remove(feed);
        counters.remove(feed);
    }

    /** What the feed's mirror has written and rejected since it started, and why its last batch failed; null if not mirrored. */
    public WarehouseCounters counters(String feed) {
        return counters.get(feed);
    }

    public Warehouse warehouse() {
        return warehouse;
    }

    @SuppressWarnings("unchecked")
    public void sync(Exchange batch) throws Exception {
        String name = batch.getProperty(FEED_PROPERTY, String.class);
        FeedDefinition feed = feeds.get(name);
        WarehouseCounters tally = counters.get(name);
        if (feed == null || feed.warehouse() == null || tally == null) {
            throw new IllegalStateException("no warehouse sync registered for feed " + name);
        }
        List<Exchange> exchanges = batch.getMessage().getBody(List.class);
        Consumer<?, ?> consumer = null;
        List<Record> records = new ArrayList<>(exchanges.size());
        for (Exchange e : exchanges) {
            Message m = e.getMessage();
            if (consumer == null && m.getHeader(KafkaConstants.MANUAL_COMMIT) instanceof DefaultKafkaManualCommit c) {
                consumer = c.getCamelExchangePayload().consumer;
            }
            Long ts = m.getHeader(KafkaConstants.TIMESTAMP, Long.class);
            records.add(new Record(m.getHeader(KafkaConstants.TOPIC, String.class), m.getHeader(KafkaConstants.PARTITION, Integer.class),
                    m.getHeader(KafkaConstants.OFFSET, Long.class), ts == null ? -1 : ts,
                    m.getHeader(KafkaConstants.KEY, byte[].class), m.getBody(byte[].class)));
        }
        Map<Record, String> rejected = new LinkedHashMap<>();
        TableWriter.Result result;
        try {
            result = apply(feed, records, rejected);
            publishRejected(feed, rejected);
        } catch (Exception e) {
            tally.failed(warehouse.masked(e.getMessage()));
            throw e;
        }
        if (consumer != null) {
            commit(consumer, records);
        }
        tally.written(result.upserted(), result.deleted(), rejected.size());
        LOG.debug("warehouse {}: {} upserts, {} deletes, {} rejected into {}", name, result.upserted(), result.deleted(),
                rejected.size(), feed.warehouse().table());
    }

    /** Decodes and compacts the batch, then writes it. */
    private TableWriter.Result apply(FeedDefinition feed, List<Record> records, Map<Record, String> rejected)
            throws Exception {
        ChangelogKey keys = new ChangelogKey(feed.warehouse());
        Map<Map<String, JsonNode>, TableWriter.Row> latest = new LinkedHashMap<>();
        Map<TableWriter.Row, Record> origin = new IdentityHashMap<>();
        for (Record r : records) {
            try {
                Map<String, JsonNode> key = keys.decode(r.key());
                TableWriter.Row row = new TableWriter.Row(key, r.value() == null ? null : values(r.value()));
                latest.remove(key); // re-inserted last: the order of the remaining keys follows the changelog
                latest.put(key, row);
                origin.put(row, r);
            } catch (IllegalArgumentException e) {
                rejected.put(r, e.getMessage());
            }
        }
        FeedDefinition.Warehouse spec = feed.warehouse();
        TableWriter writer = new TableWriter(warehouse.dialect(), spec.table(), spec.key());
        TableWriter.Result result = new IsolatingWriter(warehouse, writer).write(List.copyOf(latest.values()));
        result.rejected().forEach(x -> rejected.put(origin.get(x.row()), x.reason()));
        return result;
    }

    /** Decoded as strictly as the lake decodes stream records, so that the warehouse never holds what the lake refuses. */
    private static Map<String, JsonNode> values(byte[] value) {
        JsonNode node;
        try {
            node = JsonRecordDecoder.decodeObject(value);
        } catch (JsonRecordDecoder.Refused e) {
            throw new IllegalArgumentException("value: " + e.getMessage());
        }
        Map<String, JsonNode> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(f -> out.put(f.getKey(), f.getValue()));
        return out;
    }

    private void publishRejected(FeedDefinition feed, Map<Record, String> rejected) throws IOException {
        Map<TopicPartition, List<Map.Entry<Record, String>>> byPartition = new LinkedHashMap<>();
        rejected.entrySet().forEach(e -> byPartition.computeIfAbsent(e.getKey().partition(), k -> new ArrayList<>()).add(e));
        Instant at = clock.instant();
        for (var part : byPartition.entrySet()) {
            List<String> lines = new ArrayList<>();
            long first = Long.MAX_VALUE;
            long last = -1;
            for (var e : part.getValue()) {
                Record r = e.getKey();
                lines.add(RejectedRecords.line(at, feed.name(), r.asSourceRecord(), "warehouse: " + e.getValue()));
                first = Math.min(first, r.offset());
                last = Math.max(last, r.offset());
            }
            TopicPartition tp = part.getKey();
            String file = "warehouse_" + StreamFileName.rejected(at, tp.topic(), tp.partition(), first, last);
            var dest = RejectedRecords.publish(storage, exportLog, feed, zone, at, file, tp.topic(), tp.partition(), first, last, lines);
            LOG.warn("warehouse {}: {} changelog record(s) rejected to {}", feed.name(), lines.size(), storage.relative(dest));
        }
    }

    private static void commit(Consumer<?, ?> consumer, List<Record> records) {
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (Record r : records) {
            next.merge(r.partition(), new OffsetAndMetadata(r.offset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        if (!next.isEmpty()) {
            // a failure here fails the batch, which is then read again: re-applying it changes nothing
            consumer.commitSync(next);
        }
    }

    /**
     * Called by the route before each retry of a failed batch (Camel's redelivery): one line with the feed, the
     * attempt and the cause.
     */
    public void attemptFailed(Exchange exchange) {
        Integer max = exchange.getMessage().getHeader(Exchange.REDELIVERY_MAX_COUNTER, Integer.class);
        int attempt = exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 1, Integer.class);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String why = cause == null ? "unknown" : warehouse.masked(cause.getMessage() == null ? cause.toString() : cause.getMessage());
        if (max != null && attempt <= max) {
            LOG.warn("warehouse {}: attempt {} of {} failed, trying the batch again: {}",
                    exchange.getProperty(FEED_PROPERTY), attempt, max + 1, why);
        } else {
            LOG.warn("warehouse {}: the batch failed {} time(s); reading again from the last committed offsets: {}",
                    exchange.getProperty(FEED_PROPERTY), attempt, why);
        }
    }

    /** One changelog record as it came from Kafka. */
    private record Record(String topic, int partitionNumber, long offset, long timestamp, byte[] key, byte[] value) {
        TopicPartition partition() {
            return new TopicPartition(topic, partitionNumber);
        }

        SourceRecord asSourceRecord() {
            String text = key == null ? null : RejectedRecords.utf8(key);
            return new SourceRecord(topic, partitionNumber, offset, timestamp,
                    text != null && text.chars().noneMatch(Character::isISOControl) ? text
                            : key == null ? null : "hex:" + HexFormat.of().formatHex(key), value);
        }
    }
}
