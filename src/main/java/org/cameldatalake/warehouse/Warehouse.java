package org.cameldatalake.warehouse;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * The warehouse the table changelogs are mirrored into and the permissions live in: a JDBC URL
 * ({@code datalake.warehouse.url}; SQLite in the lake root when unset) and its dialect.
 */
public final class Warehouse {
    private final String url;
    private final SqlDialect dialect;

    public Warehouse(String url) {
        this.url = url;
        this.dialect = SqlDialect.forUrl(url);
    }

    /**
     * The URL from settings, or {@code jdbc:sqlite:<lake root>/warehouse.db} for a local lake root ({@code null} for
     * a remote one: then the SQLite file is in the working folder).
     */
    public static Warehouse fromSettings(String configuredUrl, java.nio.file.Path localLakeRoot) {
        if (configuredUrl != null && !configuredUrl.isBlank()) {
            return new Warehouse(configuredUrl.trim());
        }
        java.nio.file.Path file = localLakeRoot == null ? java.nio.file.Path.of("warehouse.db") : localLakeRoot.resolve("warehouse.db");
        return new Warehouse("jdbc:sqlite:" + file.toAbsolutePath());
    }

    public String url() {
        return url;
    }

    public SqlDialect dialect() {
        return dialect;
    }

    /**
     * A new connection (callers close it); SQLite gets a busy timeout so that the service and a command can share the
     * file, and takes its write lock when a transaction begins (two writers that both read first would otherwise fail
     * at once with "database is locked" instead of waiting for each other).
     */
    public Connection open() throws SQLException {
        java.util.Properties props = new java.util.Properties();
        if (dialect == SqlDialect.SQLITE) {
            props.setProperty("transaction_mode", "IMMEDIATE");
        }
        Connection c = DriverManager.getConnection(url, props);
        if (dialect == SqlDialect.SQLITE) {
            try (var s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout = 10000");
            }
        }
        return c;
    }
}
