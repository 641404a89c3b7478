package org.cameldatalake.format;

import java.io.Closeable;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.OutputFile;
import org.cameldatalake.feed.FeedDefinition;

/** How records become a file of the lake, for stream files and table snapshots alike ({@link ParquetFormat}). */
public interface RecordFormat {
    /** The file name extension, without the dot. */
    String extension();

    /** A writer of records of {@code schema} into {@code out}, compressed as {@code compression}. */
    RecordFileWriter open(OutputFile out, Schema schema, FeedDefinition.Compression compression) throws IOException;

    /** The number of records a file holds, read from its footer. */
    long recordCount(InputFile in) throws IOException;

    /** One file being written. Closing it writes the footer and closes the output. */
    interface RecordFileWriter extends Closeable {
        void write(GenericRecord record) throws IOException;

        /** Bytes written so far, including what is still buffered in memory. */
        long dataSize();
    }
}
