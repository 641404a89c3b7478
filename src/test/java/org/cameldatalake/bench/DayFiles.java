package org.cameldatalake.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;

/** The raw write of (b) and of the bare pipeline: JSON trees (or records already converted to Avro) into one snappy
 * parquet-avro file per event day. */
final class DayFiles implements AutoCloseable {
    private final Path lake;
    private final Schema schema;
    private final Configuration conf = new Configuration();
    private final Map<LocalDate, ParquetWriter<GenericRecord>> writers = new HashMap<>();

    DayFiles(Path lake, Schema schema) {
        this.lake = lake;
        this.schema = schema;
    }

    void write(JsonNode record, long timestampMillis) throws IOException {
        write(JsonAvro.convert(record, schema), timestampMillis);
    }

    /** {@code record}: already converted to this file's schema. */
    void write(GenericRecord record, long timestampMillis) throws IOException {
        LocalDate day = Instant.ofEpochMilli(timestampMillis).atZone(ZoneOffset.UTC).toLocalDate();
        ParquetWriter<GenericRecord> w = writers.get(day);
        if (w == null) {
            Path file = lake.resolve("year=" + day.getYear()).resolve(String.format("month=%02d", day.getMonthValue()))
                    .resolve(String.format("day=%02d", day.getDayOfMonth())).resolve("part-0.parquet");
            Files.createDirectories(file.getParent());
            w = AvroParquetWriter.<GenericRecord>builder(HadoopOutputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), conf))
                    .withSchema(schema).withDataModel(GenericData.get()).withConf(conf)
                    .withCompressionCodec(CompressionCodecName.SNAPPY).build();
            writers.put(day, w);
        }
        w.write(record);
    }

    @Override
    public void close() throws IOException {
        for (ParquetWriter<GenericRecord> w : writers.values()) {
            w.close();
        }
    }
}
