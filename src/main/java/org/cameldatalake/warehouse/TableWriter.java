package org.cameldatalake.warehouse;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.cameldatalake.schema.InferredType;
import org.cameldatalake.schema.SchemaConflictException;
import org.cameldatalake.warehouse.SqlDialect.Column;

/**
 * Applies rows to one warehouse table inside the caller's transaction: upserts by key, deletes by key. The table is
 * created when absent and gets a new column when a value shows a field it has not seen, with the type the values
 * tell ({@link InferredType}); a field that has only been null so far gets its column once a value shows its type,
 * and a BIGINT column becomes DOUBLE when a fractional value arrives (types only widen, as in the lake).
 * A row that cannot be written (a null key column, a value that does not fit its column) is returned as rejected
 * and the others are written.
 */
public final class TableWriter {
    private static final Pattern COLUMN_NAME = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]{0,62}$");

    /**
     * One row: the columns its key holds (at least the table's key columns; a windowed key also holds WINDOW_END)
     * and its other columns, or {@code values == null} to delete the key.
     */
    public record Row(Map<String, JsonNode> key, Map<String, JsonNode> values) {
        public boolean isDelete() {
            return values == null;
        }
    }

    public record Rejected(Row row, String reason) {
    }

    public record Result(int upserted, int deleted, List<Rejected> rejected) {
    }

    private final SqlDialect dialect;
    private final String table;
    private final List<String> key;

    public TableWriter(SqlDialect dialect, String table, List<String> key) {
        this.dialect = dialect;
        this.table = table;
        this.key = List.copyOf(key);
    }

    public Result apply(Connection c, List<Row> rows) throws SQLException {
        List<Rejected> rejected = new ArrayList<>();
        List<Row> upserts = new ArrayList<>();
        List<Row> deletes = new ArrayList<>();
        for (Row r : rows) {
            String problem = problem(r);
            if (problem != null) {
                rejected.add(new Rejected(r, problem));
            } else {
                (r.isDelete() ? deletes : upserts).add(r);
            }
        }
        Map<String, ColumnType> columns = columns(c);
        if (columns.isEmpty() && upserts.isEmpty()) {
            return new Result(0, 0, rejected); // nothing to delete from a table that does not exist
        }
        extend(c, columns, upserts);
        int upserted = upsert(c, columns, upserts, rejected);
        int deleted = delete(c, columns, deletes, rejected);
        return new Result(upserted, deleted, rejected);
    }

    private String problem(Row r) {
        for (String k : key) {
            JsonNode v = r.key().get(k);
            if (v == null || v.isNull()) {
                return "key column " + k + " is null";
            }
        }
        if (!r.isDelete()) {
            for (String f : r.values().keySet()) {
                if (!COLUMN_NAME.matcher(f).matches()) {
                    return "field '" + f + "' cannot be a column name";
                }
            }
        }
        return null;
    }

    /** The table's columns and their types, in table order; empty when the table does not exist. */
    public Map<String, ColumnType> columns(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        String escape = md.getSearchStringEscape();
        String pattern = escape == null ? table : table.replace("_", escape + "_").replace("%", escape + "%");
        String schema = dialect == SqlDialect.POSTGRESQL ? c.getSchema() : null;
        String catalog = dialect == SqlDialect.MARIADB ? c.getCatalog() : null;
        Map<Integer, Column> byPosition = new java.util.TreeMap<>();
        try (ResultSet rs = md.getColumns(catalog, schema, pattern, "%")) {
            while (rs.next()) {
                if (table.equals(rs.getString("TABLE_NAME"))) {
                    byPosition.put(rs.getInt("ORDINAL_POSITION"), new Column(rs.getString("COLUMN_NAME"),
                            ColumnType.ofSqlType(rs.getInt("DATA_TYPE"), rs.getString("TYPE_NAME"))));
                }
            }
        }
        Map<String, ColumnType> out = new LinkedHashMap<>();
        byPosition.values().forEach(col -> out.put(col.name(), col.type()));
        return out;
    }

    /** Creates the table or adds the columns the rows need; {@code columns} is updated to match. */
    private void extend(Connection c, Map<String, ColumnType> columns, List<Row> upserts) throws SQLException {
        Map<String, InferredType> seen = new LinkedHashMap<>();
        for (Row r : upserts) {
            r.key().forEach((k, v) -> infer(seen, k, v));
            r.values().forEach((k, v) -> {
                if (!r.key().containsKey(k)) {
                    infer(seen, k, v);
                }
            });
        }
        List<Column> added = new ArrayList<>();
        List<String> widened = new ArrayList<>();
        seen.forEach((name, t) -> {
            ColumnType type = ColumnType.of(t);
            if (type != null && !columns.containsKey(name)) {
                added.add(new Column(name, type));
            } else if (type == ColumnType.DOUBLE && columns.get(name) == ColumnType.BIGINT && !key.contains(name)) {
                widened.add(name);
            }
        });
        if (added.isEmpty() && widened.isEmpty()) {
            return;
        }
        try (Statement s = c.createStatement()) {
            for (String name : widened) {
                String sql = dialect.widenToDouble(table, name);
                if (sql != null) {
                    s.execute(sql);
                }
                columns.put(name, ColumnType.DOUBLE);
            }
            if (added.isEmpty()) {
                return;
            }
            if (columns.isEmpty()) {
                List<Column> ordered = new ArrayList<>();
                key.forEach(k -> added.stream().filter(a -> a.name().equals(k)).forEach(ordered::add));
                added.stream().filter(a -> !key.contains(a.name())).forEach(ordered::add);
                s.execute(dialect.createTable(table, ordered, key));
            } else {
                for (Column a : added) {
                    s.execute(dialect.addColumn(table, a));
                }
            }
        }
        added.forEach(a -> columns.put(a.name(), a.type()));
    }

    private static void infer(Map<String, InferredType> seen, String column, JsonNode v) {
        InferredType t = InferredType.of(v);
        InferredType before = seen.getOrDefault(column, InferredType.NULL);
        try {
            seen.put(column, before.widen(t, column));
        } catch (SchemaConflictException e) {
            seen.put(column, InferredType.STRING); // values of several kinds: keep them all, as text
        }
    }

    private int upsert(Connection c, Map<String, ColumnType> columns, List<Row> upserts, List<Rejected> rejected)
            throws SQLException {
        if (upserts.isEmpty()) {
            return 0;
        }
        // the columns this batch speaks of; a row without one of them sets it to NULL (a changelog value is the whole row)
        Set<String> names = new LinkedHashSet<>(key);
        for (Row r : upserts) {
            r.key().keySet().stream().filter(columns::containsKey).forEach(names::add);
            r.values().keySet().stream().filter(columns::containsKey).forEach(names::add);
        }
        List<String> cols = List.copyOf(names);
        int n = 0;
        try (PreparedStatement ps = c.prepareStatement(dialect.upsert(table, cols, key))) {
            for (Row r : upserts) {
                Object[] values = new Object[cols.size()];
                try {
                    for (int i = 0; i < cols.size(); i++) {
                        String col = cols.get(i);
                        JsonNode v = r.key().containsKey(col) ? r.key().get(col) : r.values().get(col);
                        values[i] = columns.get(col).convert(v, col);
                    }
                } catch (IllegalArgumentException e) {
                    rejected.add(new Rejected(r, e.getMessage()));
                    continue;
                }
                bind(ps, cols, columns, values);
                ps.addBatch();
                n++;
            }
            if (n > 0) {
                ps.executeBatch();
            }
        }
        return n;
    }

    private int delete(Connection c, Map<String, ColumnType> columns, List<Row> deletes, List<Rejected> rejected)
            throws SQLException {
        if (deletes.isEmpty()) {
            return 0;
        }
        int n = 0;
        try (PreparedStatement ps = c.prepareStatement(dialect.delete(table, key))) {
            for (Row r : deletes) {
                Object[] values = new Object[key.size()];
                try {
                    for (int i = 0; i < key.size(); i++) {
                        ColumnType type = columns.get(key.get(i));
                        if (type == null) {
                            throw new IllegalArgumentException("the table has no key column " + key.get(i));
                        }
                        values[i] = type.convert(r.key().get(key.get(i)), key.get(i));
                    }
                } catch (IllegalArgumentException e) {
                    rejected.add(new Rejected(r, e.getMessage()));
                    continue;
                }
                bind(ps, key, columns, values);
                ps.addBatch();
                n++;
            }
            if (n > 0) {
                ps.executeBatch();
            }
        }
        return n;
    }

    private static void bind(PreparedStatement ps, List<String> cols, Map<String, ColumnType> columns, Object[] values)
            throws SQLException {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null) {
                ps.setNull(i + 1, columns.get(cols.get(i)).sqlType());
            } else {
                ps.setObject(i + 1, values[i]);
            }
        }
    }
}
