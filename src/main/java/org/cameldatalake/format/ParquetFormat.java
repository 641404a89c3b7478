package org.cameldatalake.format;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.column.EncodingStats;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.schema.PrimitiveType;
import org.cameldatalake.feed.FeedDefinition;

/**
 * Parquet through parquet-avro with Avro's generic data model: the one place its settings are chosen.
 * <p>
 * Parquet's 1 MB page defaults keep a file's columns uncompressed in memory until a page fills, which a file of a
 * few seconds of records never does: smaller pages are compressed as they fill, and unique-valued columns give up
 * their dictionary sooner, so open files hold far fewer live objects (GC was the largest cost at -Xmx256m).
 * <p>
 * Parquet tries a dictionary for every column of every file and gives it up, for the rest of the column chunk, once the
 * first page shows it does not pay (unique values: ids, times, amounts). A stream feed's files hold a few seconds of
 * records each, so that first page is a large part of every file, and hashing each value into a dictionary about to
 * be dropped cost the Parquet writer about a fifth of its CPU on the benchmark's transactions. With
 * {@code learnDictionaryFallbacks}, a column whose dictionary Parquet gave up in one file of this format is written
 * without one in the files opened after it (until the process stops): the files come out the same size.
 */
public final class ParquetFormat implements RecordFormat {
    private static final int PAGE_BYTES = 128 * 1024;
    private static final int DICTIONARY_PAGE_BYTES = 256 * 1024;

    private final Configuration conf;
    private final long rowGroupBytes;
    /** Dotted paths of the columns written without a dictionary; null when not learning. */
    private final Set<String> withoutDictionary;

    /** {@code conf}: the lake's Hadoop configuration (list structure and the like). */
    public ParquetFormat(Configuration conf, long rowGroupBytes) {
        this(conf, rowGroupBytes, false);
    }

    /** {@code learnDictionaryFallbacks}: see the class comment. */
    public ParquetFormat(Configuration conf, long rowGroupBytes, boolean learnDictionaryFallbacks) {
        this.conf = conf;
        this.rowGroupBytes = rowGroupBytes;
        this.withoutDictionary = learnDictionaryFallbacks ? ConcurrentHashMap.newKeySet() : null;
    }

    @Override
    public String extension() {
        return "parquet";
    }

    @Override
    public RecordFileWriter open(OutputFile out, Schema schema, FeedDefinition.Compression compression) throws IOException {
        AvroParquetWriter.Builder<GenericRecord> builder = AvroParquetWriter.<GenericRecord>builder(out)
                .withSchema(schema)
                .withDataModel(GenericData.get())
                .withConf(conf)
                .withCompressionCodec(codec(compression))
                .withRowGroupSize(rowGroupBytes)
                .withPageSize(PAGE_BYTES)
                .withDictionaryPageSize(DICTIONARY_PAGE_BYTES)
                .withWriteMode(ParquetFileWriter.Mode.CREATE);
        if (withoutDictionary != null) {
            withoutDictionary.forEach(column -> builder.withDictionaryEncoding(column, false));
        }
        ParquetWriter<GenericRecord> writer = builder.build();
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
                if (withoutDictionary != null) {
                    learnFallbacks(writer.getFooter());
                }
            }
        };
    }

    /**
     * The columns of a written file with values not dictionary-encoded: Parquet gave the dictionary up (at the first
     * page it leaves no dictionary page at all; later, pages of both kinds). Not booleans, which never have one, nor a
     * column only null in this file, which says nothing of its values; nor a column chunk shorter than Parquet's first
     * page, whose decision was taken on fewer values than in a larger file: a file of a few records gives up the
     * dictionary of every column, since the dictionary itself outweighs so few values.
     */
    private void learnFallbacks(ParquetMetadata footer) {
        for (BlockMetaData block : footer.getBlocks()) {
            for (ColumnChunkMetaData column : block.getColumns()) {
                EncodingStats encodings = column.getEncodingStats();
                boolean hasValues = column.getStatistics() == null || column.getStatistics().getNumNulls() < column.getValueCount();
                if (encodings != null && encodings.hasNonDictionaryEncodedPages() && hasValues
                        && column.getValueCount() >= ParquetProperties.DEFAULT_PAGE_ROW_COUNT_LIMIT
                        && column.getPrimitiveType().getPrimitiveTypeName() != PrimitiveType.PrimitiveTypeName.BOOLEAN) {
                    withoutDictionary.add(column.getPath().toDotString());
                }
            }
        }
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
