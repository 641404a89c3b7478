package org.cameldatalake.sink;

import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * The rows of one table snapshot as they come from their source (a ksqlDB pull query, a SQL query over the lake, a
 * JDBC table), converted to Avro records of one schema. A row that cannot be converted fails the snapshot: a
 * version is published whole or not at all.
 */
public interface SnapshotRows {
    /** The Avro schema of every row. */
    Schema schema() throws IOException;

    /** The columns as the source declared them, kept in the version's metadata ({@code schema}). */
    String columnsText() throws IOException;

    /** The source's id of the query that produced the rows, or null. */
    String queryId() throws IOException;

    /** The next row, or null after the last one; an {@link IOException} when the source failed or a row is bad. */
    GenericRecord next() throws IOException;
}
