package org.cameldatalake.warehouse;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The warehouse the table changelogs are mirrored into and the permissions live in: a JDBC URL
 * ({@code datalake.warehouse.url}; SQLite in the lake root when unset) and its dialect. The URL may hold a password:
 * it is shown only as {@link #displayUrl()}, and text that may quote it goes through {@link #masked(String)}.
 */
public final class Warehouse {
    /** {@code password=…} (and the like) in a URL's parameters, and {@code user:password@} before its host. */
    private static final Pattern SECRET_PARAMETER = Pattern.compile(
            "(?i)((?:password|passwd|pwd|sslpassword|sslkeypassword|secret|token)=)([^&;)\\s]+)");
    private static final Pattern SECRET_USER_INFO = Pattern.compile("(//[^/:@\\s]*:)([^@/\\s]+)(@)");
    private static final String MASK = "****";

    private final String url;
    private final SqlDialect dialect;
    private final SqliteFile sqliteFile;

    public Warehouse(String url) {
        this(url, null);
    }

    /** {@code lakeRoot}: the local lake root, whose group decides who may read a SQLite warehouse file (null: nobody). */
    public Warehouse(String url, java.nio.file.Path lakeRoot) {
        this.url = url;
        this.dialect = SqlDialect.forUrl(url);
        this.sqliteFile = dialect == SqlDialect.SQLITE ? SqliteFile.of(url, lakeRoot) : null;
    }

    /**
     * The URL from settings, or {@code jdbc:sqlite:<lake root>/warehouse.db} for a local lake root ({@code null} for
     * a remote one: then the SQLite file is in the working folder).
     */
    public static Warehouse fromSettings(String configuredUrl, java.nio.file.Path localLakeRoot) {
        if (configuredUrl != null && !configuredUrl.isBlank()) {
            return new Warehouse(configuredUrl.trim(), localLakeRoot);
        }
        java.nio.file.Path file = localLakeRoot == null ? java.nio.file.Path.of("warehouse.db") : localLakeRoot.resolve("warehouse.db");
        return new Warehouse("jdbc:sqlite:" + file.toAbsolutePath(), localLakeRoot);
    }

    public String url() {
        return url;
    }

    /** The URL with its password masked: the form every output and log line shows. */
    public String displayUrl() {
        return mask(url);
    }

    /** {@code text} (an error message, say) without this warehouse's password. */
    public String masked(String text) {
        return mask(url, text);
    }

    /** {@code text} without the password of {@code url}, wherever it is quoted, nor that of any JDBC URL in it. */
    public static String mask(String url, String text) {
        if (text == null) {
            return null;
        }
        String out = mask(text);
        for (Pattern p : new Pattern[] {SECRET_PARAMETER, SECRET_USER_INFO}) {
            Matcher m = p.matcher(url);
            while (m.find()) {
                if (m.group(2).length() >= 3) { // a password quoted on its own, away from its URL
                    out = out.replace(m.group(2), MASK);
                }
            }
        }
        return out;
    }

    /** {@code text} with the passwords of any JDBC URL in it masked. */
    public static String mask(String text) {
        if (text == null) {
            return null;
        }
        String out = SECRET_PARAMETER.matcher(text).replaceAll("$1" + MASK);
        return SECRET_USER_INFO.matcher(out).replaceAll("$1" + MASK + "$3");
    }

    public SqlDialect dialect() {
        return dialect;
    }

    /**
     * A new connection (callers close it); SQLite gets a busy timeout so that the service and a command can share the
     * file, and takes its write lock when a transaction begins (two writers that both read first would otherwise fail
     * at once with "database is locked" instead of waiting for each other). A SQLite file is created with its own
     * mode first ({@link SqliteFile}).
     */
    public Connection open() throws SQLException {
        Properties props = new Properties();
        if (dialect == SqlDialect.SQLITE) {
            props.setProperty("transaction_mode", "IMMEDIATE");
            if (sqliteFile != null) {
                sqliteFile.secure();
            }
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
