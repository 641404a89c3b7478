package org.cameldatalake.warehouse;

import java.sql.SQLException;

/**
 * The warehouse cannot be used now (down, unreachable, locked, full, read-only…): nothing is wrong with the records,
 * which are written once it is back.
 */
public final class WarehouseUnavailableException extends SQLException {
    public WarehouseUnavailableException(String message, SQLException cause) {
        super(message, cause.getSQLState(), cause.getErrorCode(), cause);
    }
}
