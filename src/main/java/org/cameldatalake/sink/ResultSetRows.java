package org.cameldatalake.sink;

import java.io.IOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.cameldatalake.schema.ResultSetSchema;

/**
 * The rows of a JDBC result as a table snapshot: types from the result's metadata ({@link ResultSetSchema}), rows
 * converted as they are read. A query that fails midway or a value that does not fit fails the snapshot whole.
 */
public final class ResultSetRows implements SnapshotRows {
    private final ResultSet rs;
    private final ResultSetSchema schema;
    private long rows;

    public ResultSetRows(String recordName, ResultSet rs) throws SQLException {
        this.rs = rs;
        this.schema = new ResultSetSchema(recordName, rs.getMetaData());
    }

    @Override
    public Schema schema() {
        return schema.avro();
    }

    @Override
    public String columnsText() {
        return schema.columnsText();
    }

    @Override
    public String queryId() {
        return null;
    }

    @Override
    public GenericRecord next() throws IOException {
        try {
            if (!rs.next()) {
                return null;
            }
            rows++;
            return schema.convert(rs);
        } catch (SQLException e) {
            throw new IOException(e.getMessage(), e);
        } catch (ResultSetSchema.BadValue e) {
            throw new IOException("row " + rows + ": " + e.getMessage(), e);
        }
    }
}
