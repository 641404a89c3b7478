package org.cameldatalake.format;

import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.OutputFile;
import org.cameldatalake.feed.FeedDefinition;

/**
 * Parquet through parquet-avro with Avro's generic data model: the one place its settings are chosen.
 * <p>
 * Parquet's 1 MB page defaults keep a file's columns uncompressed in memory until a page fills, which a file of a
 * few seconds of records never does: smaller pages are compressed as they fill, and unique-valued columns give up
 * their dictionary sooner, so open files hold far fewer live objects (GC was the largest cost at -Xmx256m).
 */
public final class ParquetFormat implements RecordFormat {
    private static final int PAGE_BYTES = 128 * 1024;
    private static final int DICTIONARY_PAGE_BYTES = 256 * 1024;

    private final Configuration conf;
    private final long rowGroupBytes;

    /** {@code conf}: the lake's Hadoop configuration (list structure and the like). */
    public ParquetFormat(Configuration conf, long rowGroupBytes) {
        this.conf = conf;
        this.rowGroupBytes = rowGroupBytes;
    }

    @Override
    public String extension() {
        return "parquet";
    }

    @Override
    public RecordFileWriter open(OutputFile out, Schema schema, FeedDefinition.Compression compression) throws IOException {
        ParquetWriter<GenericRecord> writer = AvroParquetWriter.<GenericRecord>builder(out)
                .withSchema(schema)
                .withDataModel(GenericData.get())
                .withConf(conf)
                .withCompressionCodec(codec(compression))
                .withRowGroupSize(rowGroupBytes)
                .withPageSize(PAGE_BYTES)
                .withDictionaryPageSize(DICTIONARY_PAGE_BYTES)
                .withWriteMode(ParquetFileWriter.Mode.CREATE)
                .build();
        return new RecordFileWriter() {
            @Override
            public void write(GenericRecord record) throws IOException {
                writer.write(record);
            }

            @Override
            public long dataSize() {
                return writer.getDataSize();
            }

            @Override
            public void close() throws IOException {
                writer.close();
            }
        };
    }

    @Override
    public long recordCount(InputFile in) throws IOException {
        try (ParquetFileReader reader = ParquetFileReader.open(in)) {
            return reader.getRecordCount();
        }
    }

    static CompressionCodecName codec(FeedDefinition.Compression compression) {
        return switch (compression) {
            case SNAPPY -> CompressionCodecName.SNAPPY;
            case ZSTD -> CompressionCodecName.ZSTD;
            case GZIP -> CompressionCodecName.GZIP;
            case NONE -> CompressionCodecName.UNCOMPRESSED;
        };
    }
}
