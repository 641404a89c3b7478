package org.cameldatalake.warehouse;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The SQL differences between the warehouses we support, chosen from the JDBC URL. Identifiers are always quoted
 * (after being checked against the feed-name pattern elsewhere); values always go through bind parameters.
 */
public enum SqlDialect {
    SQLITE('"', "SQLite", true),
    POSTGRESQL('"', "PostgreSQL", false),
    MARIADB('`', "MariaDB", true);

    private final char quote;
    private final String productName;
    private final boolean columnsIgnoreCase;

    SqlDialect(char quote, String productName, boolean columnsIgnoreCase) {
        this.quote = quote;
        this.productName = productName;
        this.columnsIgnoreCase = columnsIgnoreCase;
    }

    public String productName() {
        return productName;
    }

    /**
     * What the database compares when it looks a column up by a (quoted) name: the name itself on PostgreSQL, the
     * name in any case on SQLite and MariaDB.
     */
    public String columnMatchKey(String column) {
        return columnsIgnoreCase ? column.toLowerCase(Locale.ROOT) : column;
    }

    public static SqlDialect forUrl(String jdbcUrl) {
        String u = jdbcUrl.toLowerCase(Locale.ROOT);
        if (u.startsWith("jdbc:sqlite:")) {
            return SQLITE;
        }
        if (u.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        if (u.startsWith("jdbc:mariadb:") || u.startsWith("jdbc:mysql:")) {
            return MARIADB;
        }
        throw new IllegalArgumentException("datalake.warehouse.url: unsupported JDBC URL '" + Warehouse.mask(jdbcUrl)
                + "' (jdbc:sqlite:, jdbc:postgresql:, jdbc:mariadb: or jdbc:mysql:)");
    }

    /** {@code name} quoted as an identifier; a quote character inside it is doubled. */
    public String quote(String name) {
        String q = String.valueOf(quote);
        return q + name.replace(q, q + q) + q;
    }

    /** The column type's name here; MariaDB cannot index TEXT in a primary key, so text key columns are VARCHAR. */
    public String typeName(ColumnType type, boolean keyColumn) {
        return switch (type) {
            case BIGINT -> "BIGINT";
            case DOUBLE -> this == POSTGRESQL ? "DOUBLE PRECISION" : "DOUBLE";
            case BOOLEAN -> "BOOLEAN";
            case TEXT -> this == MARIADB && keyColumn ? "VARCHAR(255)" : this == MARIADB ? "LONGTEXT" : "TEXT";
        };
    }

    public String createTable(String table, List<Column> columns, List<String> key) {
        String cols = columns.stream()
                .map(c -> quote(c.name()) + " " + typeName(c.type(), key.contains(c.name())) + (key.contains(c.name()) ? " NOT NULL" : ""))
                .collect(Collectors.joining(", "));
        return "CREATE TABLE IF NOT EXISTS " + quote(table) + " (" + cols + ", PRIMARY KEY (" + quoted(key) + "))";
    }

    public String addColumn(String table, Column column) {
        return "ALTER TABLE " + quote(table) + " ADD COLUMN " + quote(column.name()) + " " + typeName(column.type(), false);
    }

    /**
     * Widens a BIGINT column to DOUBLE when a fractional value arrives (the JSON type widening of the lake); null for
     * SQLite, whose columns already hold any number.
     */
    public String widenToDouble(String table, String column) {
        return switch (this) {
            case SQLITE -> null;
            case POSTGRESQL -> "ALTER TABLE " + quote(table) + " ALTER COLUMN " + quote(column) + " TYPE DOUBLE PRECISION";
            case MARIADB -> "ALTER TABLE " + quote(table) + " MODIFY COLUMN " + quote(column) + " DOUBLE";
        };
    }

    /** Insert, or update the non-key columns of the row with the same key. */
    public String upsert(String table, List<String> columns, List<String> key) {
        String insert = "INSERT INTO " + quote(table) + " (" + quoted(columns) + ") VALUES ("
                + columns.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
        List<String> values = columns.stream().filter(c -> !key.contains(c)).toList();
        if (this == MARIADB) {
            String set = values.isEmpty() ? quote(key.get(0)) + " = " + quote(key.get(0))
                    : values.stream().map(c -> quote(c) + " = VALUES(" + quote(c) + ")").collect(Collectors.joining(", "));
            return insert + " ON DUPLICATE KEY UPDATE " + set;
        }
        return insert + " ON CONFLICT (" + quoted(key) + ") DO " + (values.isEmpty() ? "NOTHING"
                : "UPDATE SET " + values.stream().map(c -> quote(c) + " = excluded." + quote(c)).collect(Collectors.joining(", ")));
    }

    public String delete(String table, List<String> key) {
        return "DELETE FROM " + quote(table) + " WHERE " + key.stream().map(c -> quote(c) + " = ?").collect(Collectors.joining(" AND "));
    }

    private String quoted(List<String> names) {
        return names.stream().map(this::quote).collect(Collectors.joining(", "));
    }

    public record Column(String name, ColumnType type) {
    }
}
