package org.cameldatalake.warehouse;

import java.sql.SQLException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.List;
import java.util.Set;

/**
 * Tells a database that cannot be used now (down, unreachable, locked, full, read-only, refusing our login…) from one
 * that refuses the rows it was given (a value a column cannot take, a constraint, a column it cannot add). Only the
 * second may send a record to {@code _rejected/}; the first is waited out.
 */
final class DatabaseErrors {
    /**
     * SQLSTATE classes and codes of an unavailable database: connection (08), authorization (28), transaction
     * rollback such as deadlocks (40), resources (53), lock not available (55), operator intervention such as a shutdown
     * (57), system and internal errors (58, XX), read-only transaction (25006), missing privilege (42501), timeouts (HYT).
     */
    private static final List<String> UNAVAILABLE_STATES = List.of("08", "28", "40", "53", "55", "57", "58", "XX",
            "25006", "42501", "HYT");
    /** SQLite primary result codes: PERM, BUSY, LOCKED, NOMEM, READONLY, IOERR, CORRUPT, FULL, CANTOPEN, PROTOCOL, AUTH, NOTADB. */
    private static final Set<Integer> SQLITE_UNAVAILABLE = Set.of(3, 5, 6, 7, 8, 10, 11, 13, 14, 15, 23, 26);
    /**
     * MariaDB error codes that carry no telling SQLSTATE: disk full (1021), table read only (1036), access denied
     * (1044, 1045, 1142, 1143), shutdown (1053), table full (1114), lock wait timeout (1205), --read-only (1290),
     * connection killed (1927).
     */
    private static final Set<Integer> MARIADB_UNAVAILABLE = Set.of(1021, 1036, 1044, 1045, 1053, 1114, 1142, 1143, 1205,
            1290, 1927);

    private DatabaseErrors() {
    }

    /** Whether {@code e} says the database cannot be used now, rather than that it refuses what it was given. */
    static boolean unavailable(SqlDialect dialect, SQLException e) {
        for (Throwable t : chain(e)) {
            if (t instanceof SQLTransientException || t instanceof SQLRecoverableException
                    || t instanceof SQLNonTransientConnectionException || t instanceof SQLInvalidAuthorizationSpecException
                    || t instanceof java.io.IOException) {
                return true;
            }
            if (t instanceof SQLException s) {
                String state = s.getSQLState();
                if (state != null && UNAVAILABLE_STATES.stream().anyMatch(state::startsWith)) {
                    return true;
                }
                if (dialect == SqlDialect.SQLITE && SQLITE_UNAVAILABLE.contains(s.getErrorCode() & 0xff)
                        || dialect == SqlDialect.MARIADB && MARIADB_UNAVAILABLE.contains(s.getErrorCode())) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The database's own words: the first line of the innermost message (a batch's first failing statement, not
     * the batch exception that wraps it and quotes the statement with its values).
     */
    static String message(SQLException e) {
        String message = null;
        for (Throwable t : chain(e)) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        return message == null ? e.toString() : message.strip().lines().findFirst().orElse(message);
    }

    /** {@code e}, the exceptions of a batch it reports ({@link SQLException#getNextException}) and their causes. */
    private static List<Throwable> chain(SQLException e) {
        List<Throwable> out = new java.util.ArrayList<>();
        for (SQLException s = e; s != null && out.size() < 32; s = s.getNextException()) {
            for (Throwable t = s; t != null && !out.contains(t) && out.size() < 32; t = t.getCause()) {
                out.add(t);
            }
        }
        return out;
    }
}
