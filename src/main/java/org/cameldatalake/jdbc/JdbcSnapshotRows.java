package org.cameldatalake.jdbc;

import java.io.IOException;
import java.util.Iterator;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.cameldatalake.sink.SnapshotRows;

/**
 * A database table's rows as a table snapshot. The schema comes from the result's metadata, which the row mapper
 * reads at the first row, so an empty table makes no version (its columns are unknown); a row that does not fit
 * fails the snapshot, so that a version is always the whole table.
 */
final class JdbcSnapshotRows implements SnapshotRows {
    private final String feed;
    private final Iterator<?> rows;
    private JdbcRow first;
    private long read;

    JdbcSnapshotRows(String feed, Iterator<?> rows) {
        this.feed = feed;
        this.rows = rows;
    }

    private JdbcRow first() throws IOException {
        if (first == null) {
            if (!rows.hasNext()) {
                throw new IOException("the table of feed " + feed + " is empty: its columns are known only from its rows, "
                        + "so no version is made and the current one stays");
            }
            first = (JdbcRow) rows.next();
        }
        return first;
    }

    @Override
    public Schema schema() throws IOException {
        return first().schema().avro();
    }

    @Override
    public String columnsText() throws IOException {
        return first().schema().columnsText();
    }

    @Override
    public String queryId() {
        return null;
    }

    @Override
    public GenericRecord next() throws IOException {
        JdbcRow r;
        if (read == 0) {
            r = first();
        } else if (rows.hasNext()) {
            r = (JdbcRow) rows.next();
        } else {
            return null;
        }
        read++;
        if (r.record() == null) {
            throw new IOException("row " + read + ": " + r.problem());
        }
        return r.record();
    }
}
