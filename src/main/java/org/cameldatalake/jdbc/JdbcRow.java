package org.cameldatalake.jdbc;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.generic.GenericData;
import org.cameldatalake.schema.ResultSetSchema;

/**
 * One row of a database table as the {@code sql} component hands it over: its Avro record under the result's
 * {@code schema}, or why it does not fit ({@code problem}); its values as text ({@code raw}, for {@code _rejected/}
 * and to tell rows apart); and the value of the feed's incremental column as a {@link JdbcCursor.Value} (null for
 * table snapshots).
 */
public record JdbcRow(ResultSetSchema schema, GenericData.Record record, String problem, ObjectNode raw,
                      JdbcCursor.Value position) {
}
