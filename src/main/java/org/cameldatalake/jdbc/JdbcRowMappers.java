package org.cameldatalake.jdbc;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import org.apache.camel.component.sql.RowMapperFactory;
import org.cameldatalake.schema.ResultSetSchema;
import org.cameldatalake.schema.SqlType;
import org.springframework.jdbc.core.RowMapper;

/**
 * The row mapper of the {@code sql} endpoints of JDBC feeds ({@code rowMapperFactory=#jdbcRowMappers}): turns each
 * row into a {@link JdbcRow}, typed by the result's metadata ({@link ResultSetSchema}, read at the first row). The
 * incremental column, when there is one, is repeated as the result's last column
 * ({@code SELECT t.*, t.updated_at AS datalake_position FROM customers t}).
 */
public final class JdbcRowMappers implements RowMapperFactory {
    public static final String POSITION_COLUMN = "datalake_position";

    @Override
    public RowMapper<?> newColumnRowMapper() {
        return new Mapper();
    }

    @Override
    public RowMapper<?> newBeanRowMapper(Class<?> type) {
        throw new UnsupportedOperationException("JDBC feeds map rows to Avro records only");
    }

    /** One per query: the schema is read from the result's metadata at its first row. */
    private static final class Mapper implements RowMapper<JdbcRow> {
        private ResultSet current;
        private ResultSetSchema schema;
        private SqlType positionType;
        private boolean withPosition;

        @Override
        public JdbcRow mapRow(ResultSet rs, int rowNum) throws SQLException {
            ResultSetMetaData md = rs.getMetaData();
            if (rs != current) {
                current = rs;
                int count = md.getColumnCount();
                withPosition = POSITION_COLUMN.equalsIgnoreCase(md.getColumnLabel(count));
                positionType = withPosition ? SqlType.of(md, count) : null;
                schema = new ResultSetSchema("row", md, withPosition ? count - 1 : count);
            }
            int columns = withPosition ? md.getColumnCount() - 1 : md.getColumnCount();
            ObjectNode raw = JsonNodeFactory.instance.objectNode();
            for (int c = 1; c <= columns; c++) {
                Object v = rs.getObject(c);
                raw.put(md.getColumnLabel(c), v == null ? null : v instanceof byte[] b
                        ? java.util.Base64.getEncoder().encodeToString(b) : v.toString());
            }
            JdbcCursor.Value position = withPosition ? JdbcCursor.Value.read(rs, columns + 1, positionType) : null;
            try {
                return new JdbcRow(schema, schema.convert(rs), null, raw, position);
            } catch (ResultSetSchema.BadValue e) {
                return new JdbcRow(schema, null, e.getMessage(), raw, position);
            }
        }
    }
}
