package org.cameldatalake.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;

/**
 * The hand-written peer the service is measured against: what someone would write instead of using a tool, on one
 * thread — a consumer in a group, Jackson, Avro, parquet-avro (snappy), one file per topic, partition and event day
 * (the {@code TIMESTAMP} field), written under a temporary name and renamed into place, then {@code commitSync} of
 * what the renamed files hold. It does the service's job (same rows, same columns: the value's fields and
 * {@code _ingestion_timestamp}, {@code _source}, {@code _kafka_partition}, {@code _kafka_offset}; files published at
 * 100,000 records or 5 s, and once caught up), without what a tool adds: no schema evolution, no rejected records,
 * no rebalance handling, no metadata, no memory budget. The benchmark launches it like the service (fresh JVM,
 * -Xmx256m) and times it until its group's commits reach the end of the topics.
 * {@code java HandWrittenPeer brokers group lakeDir topic...}
 */
public final class HandWrittenPeer {
    private static final long MAX_RECORDS = 100_000;
    private static final long MAX_AGE_MS = 5_000;

    private record FileKey(String topic, int partition, LocalDate day) {
    }

    private record OpenFile(Path tmp, Path target, ParquetWriter<GenericRecord> writer) {
    }

    public static void main(String[] args) throws Exception {
        Path lake = Path.of(args[2]);
        Properties p = new Properties();
        p.put("bootstrap.servers", args[0]);
        p.put("group.id", args[1]);
        p.put("enable.auto.commit", "false");
        p.put("auto.offset.reset", "earliest");
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        ObjectMapper json = new ObjectMapper();
        Map<String, Schema> schemas = new HashMap<>();
        Map<FileKey, OpenFile> open = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        long buffered = 0;
        long firstOpened = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(args).subList(3, args.length));
            while (true) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(250));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    JsonNode value = json.readTree(r.value());
                    Schema schema = schemas.computeIfAbsent(r.topic(), t -> withKafkaColumns(JsonAvro.schemaOf(List.of(value))));
                    LocalDate day = Instant.parse(value.get("TIMESTAMP").textValue()).atZone(ZoneOffset.UTC).toLocalDate();
                    FileKey key = new FileKey(r.topic(), r.partition(), day);
                    OpenFile f = open.get(key);
                    if (f == null) {
                        f = open(lake, key, r.offset(), schema);
                        open.put(key, f);
                    }
                    GenericData.Record avro = (GenericData.Record) JsonAvro.convert(value, schema);
                    avro.put("_ingestion_timestamp", System.currentTimeMillis());
                    avro.put("_source", r.topic());
                    avro.put("_kafka_partition", r.partition());
                    avro.put("_kafka_offset", r.offset());
                    f.writer().write(avro);
                    next.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                    if (buffered++ == 0) {
                        firstOpened = System.currentTimeMillis();
                    }
                }
                boolean full = buffered >= MAX_RECORDS || buffered > 0 && System.currentTimeMillis() - firstOpened >= MAX_AGE_MS;
                if (full || buffered > 0 && records.isEmpty()) {
                    for (OpenFile f : open.values()) { // publish: close, then rename into place
                        f.writer().close();
                        Files.move(f.tmp(), f.target(), StandardCopyOption.ATOMIC_MOVE);
                    }
                    open.clear();
                    consumer.commitSync(next); // only what the renamed files hold
                    next.clear();
                    buffered = 0;
                }
            }
        }
    }

    private static OpenFile open(Path lake, FileKey key, long firstOffset, Schema schema) throws Exception {
        Path dir = lake.resolve(key.topic()).resolve("year=" + key.day().getYear())
                .resolve(String.format("month=%02d", key.day().getMonthValue())).resolve(String.format("day=%02d", key.day().getDayOfMonth()));
        Files.createDirectories(dir);
        String name = key.topic() + "+" + key.partition() + "+" + firstOffset + ".parquet";
        Path tmp = dir.resolve("." + name + ".tmp");
        ParquetWriter<GenericRecord> w = AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(tmp))
                .withSchema(schema).withDataModel(GenericData.get()).withCompressionCodec(CompressionCodecName.SNAPPY).build();
        return new OpenFile(tmp, dir.resolve(name), w);
    }

    private static Schema withKafkaColumns(Schema value) {
        List<Schema.Field> fields = new ArrayList<>();
        value.getFields().forEach(f -> fields.add(new Schema.Field(f, f.schema())));
        fields.add(new Schema.Field("_ingestion_timestamp", Schema.create(Schema.Type.LONG)));
        fields.add(new Schema.Field("_source", Schema.create(Schema.Type.STRING)));
        fields.add(new Schema.Field("_kafka_partition", Schema.create(Schema.Type.INT)));
        fields.add(new Schema.Field("_kafka_offset", Schema.create(Schema.Type.LONG)));
        return Schema.createRecord(value.getName(), null, value.getNamespace(), false, fields);
    }
}
