package org.cameldatalake.warehouse;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.cameldatalake.schema.InferredType;
import org.cameldatalake.schema.SchemaConflictException;
import org.cameldatalake.warehouse.SqlDialect.Column;

/**
 * Applies rows to one warehouse table inside the caller's transaction: upserts by key, deletes by key. The table is
 * created when absent and gets a new column when a value shows a field it has not seen, with the type the values
 * tell ({@link InferredType}); a field that has only been null so far gets its column once a value shows its type,
 * and a BIGINT column becomes DOUBLE when a fractional value arrives (types only widen, as in the lake).
 * <p>
 * Field names are matched to columns the way the database matches them: regardless of case on SQLite and MariaDB,
 * where {@code TOTAL} and {@code total} are one column (a row holding both is rejected: which would be the value?).
 * A row is the whole state of its key: a column the row has no field for is set to NULL, whatever rows it came with.
 * A row that cannot be written (a null key column, a value that does not fit its column) is returned as rejected
 * and the others are written; what the database itself refuses fails the call ({@link IsolatingWriter} narrows
 * that down to the row).
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

    /** A row with its fields under the table's spelling of their columns (the key's fields win). */
    private record Named(Row row, Map<String, JsonNode> fields) {
    }

    private final SqlDialect dialect;
    private final String table;
    private final List<String> key;

    public TableWriter(SqlDialect dialect, String table, List<String> key) {
        this.dialect = dialect;
        this.table = table;
        this.key = List.copyOf(key);
    }

    public String table() {
        return table;
    }

    public Result apply(Connection c, List<Row> rows) throws SQLException {
        Map<String, ColumnType> columns = columns(c);
        Spelling spelling = new Spelling(columns);
        List<String> keyColumns = key.stream().map(spelling::of).toList();
        List<Rejected> rejected = new ArrayList<>();
        List<Named> upserts = new ArrayList<>();
        List<Named> deletes = new ArrayList<>();
        for (Row r : rows) {
            try {
                Named n = named(r, spelling, keyColumns);
                (r.isDelete() ? deletes : upserts).add(n);
            } catch (IllegalArgumentException e) {
                rejected.add(new Rejected(r, e.getMessage()));
            }
        }
        if (columns.isEmpty() && upserts.isEmpty()) {
            return new Result(0, 0, rejected); // nothing to delete from a table that does not exist
        }
        extend(c, columns, keyColumns, upserts);
        int upserted = upsert(c, columns, keyColumns, upserts, rejected);
        int deleted = delete(c, columns, keyColumns, deletes, rejected);
        return new Result(upserted, deleted, rejected);
    }

    /** The row's fields under their column names, or an {@link IllegalArgumentException} saying why it cannot be written. */
    private Named named(Row r, Spelling spelling, List<String> keyColumns) {
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        Map<String, String> given = new HashMap<>(); // column → the field name that named it
        if (!r.isDelete()) {
            for (Map.Entry<String, JsonNode> f : r.values().entrySet()) {
                if (!COLUMN_NAME.matcher(f.getKey()).matches()) {
                    throw new IllegalArgumentException("field '" + f.getKey() + "' cannot be a column name");
                }
                put(fields, given, spelling, f.getKey(), f.getValue(), false);
            }
        }
        r.key().forEach((k, v) -> put(fields, given, spelling, k, v, true));
        for (String k : keyColumns) {
            JsonNode v = fields.get(k);
            if (v == null || v.isNull()) {
                throw new IllegalArgumentException("key column " + k + " is null");
            }
        }
        return new Named(r, fields);
    }

    private void put(Map<String, JsonNode> fields, Map<String, String> given, Spelling spelling, String field,
                     JsonNode value, boolean fromKey) {
        String column = spelling.of(field);
        String before = given.put(column, field);
        if (before != null && !before.equals(field) && !fromKey) {
            throw new IllegalArgumentException("fields '" + before + "' and '" + field + "' are one column in "
                    + dialect.productName() + ", which ignores the case of column names");
        }
        fields.put(column, value);
    }

    /**
     * The database's spelling of each column: a field names the column the database would take it for (any case on
     * SQLite and MariaDB); a new column is spelled as the first field that names it.
     */
    private final class Spelling {
        private final Map<String, String> byMatch = new HashMap<>();

        Spelling(Map<String, ColumnType> columns) {
            columns.keySet().forEach(this::of);
        }

        String of(String field) {
            return byMatch.computeIfAbsent(dialect.columnMatchKey(field), k -> field);
        }
    }

    /** The table's columns and their types, in table order; empty when the table does not exist. */
    public Map<String, ColumnType> columns(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        String escape = md.getSearchStringEscape();
        String pattern = escape == null ? table : table.replace("_", escape + "_").replace("%", escape + "%");
        String schema = dialect == SqlDialect.POSTGRESQL ? c.getSchema() : null;
        String catalog = dialect == SqlDialect.MARIADB ? c.getCatalog() : null;
        Map<Integer, Column> byPosition = new TreeMap<>();
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
    private void extend(Connection c, Map<String, ColumnType> columns, List<String> keyColumns, List<Named> upserts)
            throws SQLException {
        Map<String, InferredType> seen = new LinkedHashMap<>();
        for (Named r : upserts) {
            r.fields().forEach((k, v) -> infer(seen, k, v));
        }
        List<Column> added = new ArrayList<>();
        List<String> widened = new ArrayList<>();
        seen.forEach((name, t) -> {
            ColumnType type = ColumnType.of(t);
            if (type != null && !columns.containsKey(name)) {
                added.add(new Column(name, type));
            } else if (type == ColumnType.DOUBLE && columns.get(name) == ColumnType.BIGINT && !keyColumns.contains(name)) {
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
                keyColumns.forEach(k -> added.stream().filter(a -> a.name().equals(k)).forEach(ordered::add));
                added.stream().filter(a -> !keyColumns.contains(a.name())).forEach(ordered::add);
                s.execute(dialect.createTable(table, ordered, keyColumns));
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

    private int upsert(Connection c, Map<String, ColumnType> columns, List<String> keyColumns, List<Named> upserts,
                       List<Rejected> rejected) throws SQLException {
        if (upserts.isEmpty()) {
            return 0;
        }
        // every column of the table: a row is the whole state of its key, a column it has no field for is NULL
        List<String> cols = new ArrayList<>(keyColumns);
        columns.keySet().stream().filter(col -> !keyColumns.contains(col)).forEach(cols::add);
        return write(c, dialect.upsert(table, cols, keyColumns), cols, columns, upserts, rejected);
    }

    private int delete(Connection c, Map<String, ColumnType> columns, List<String> keyColumns, List<Named> deletes,
                       List<Rejected> rejected) throws SQLException {
        if (deletes.isEmpty()) {
            return 0;
        }
        return write(c, dialect.delete(table, keyColumns), keyColumns, columns, deletes, rejected);
    }

    /** Binds each row's values of {@code cols} to {@code sql} and runs them as one batch; rows that do not fit are rejected. */
    private static int write(Connection c, String sql, List<String> cols, Map<String, ColumnType> columns, List<Named> rows,
                             List<Rejected> rejected) throws SQLException {
        int n = 0;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (Named r : rows) {
                Object[] values = new Object[cols.size()];
                try {
                    for (int i = 0; i < cols.size(); i++) {
                        ColumnType type = columns.get(cols.get(i));
                        if (type == null) {
                            throw new IllegalArgumentException("the table has no column " + cols.get(i));
                        }
                        values[i] = type.convert(r.fields().get(cols.get(i)), cols.get(i));
                    }
                } catch (IllegalArgumentException e) {
                    rejected.add(new Rejected(r.row(), e.getMessage()));
                    continue;
                }
                for (int i = 0; i < values.length; i++) {
                    if (values[i] == null) {
                        ps.setNull(i + 1, columns.get(cols.get(i)).sqlType());
                    } else {
                        ps.setObject(i + 1, values[i]);
                    }
                }
                ps.addBatch();
                n++;
            }
            if (n > 0) {
                ps.executeBatch();
            }
        }
        return n;
    }
}
