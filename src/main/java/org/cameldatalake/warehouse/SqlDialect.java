package org.cameldatalake.warehouse;

import java.util.Locale;

/**
 * The SQL differences between the warehouses we support, chosen from the JDBC URL. Identifiers are always quoted
 * (after being checked against the feed-name pattern elsewhere); values always go through bind parameters.
 */
public enum SqlDialect {
    SQLITE('"'),
    POSTGRESQL('"'),
    MARIADB('`');

    private final char quote;

    SqlDialect(char quote) {
        this.quote = quote;
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
        throw new IllegalArgumentException("datalake.warehouse.url: unsupported JDBC URL '" + jdbcUrl
                + "' (jdbc:sqlite:, jdbc:postgresql:, jdbc:mariadb: or jdbc:mysql:)");
    }

    /** {@code name} quoted as an identifier; a quote character inside it is doubled. */
    public String quote(String name) {
        String q = String.valueOf(quote);
        return q + name.replace(q, q + q) + q;
    }
}
