package org.cameldatalake.ksqldb;

/** An error object from ksqlDB ({@code {"@type", "error_code", "message"}}), or a response that broke the protocol. */
public class KsqlDbException extends RuntimeException {
    private final int errorCode;

    public KsqlDbException(int errorCode, String message) {
        super(errorCode > 0 ? "ksqlDB error " + errorCode + ": " + message : message);
        this.errorCode = errorCode;
    }

    public KsqlDbException(String message, Throwable cause) {
        super(message, cause);
        this.errorCode = 0;
    }

    /** ksqlDB's {@code error_code} (HTTP status × 100 + n), or 0 when the response itself was at fault. */
    public int errorCode() {
        return errorCode;
    }
}
