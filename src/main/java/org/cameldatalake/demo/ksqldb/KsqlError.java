package org.cameldatalake.demo.ksqldb;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An error that ksqlDB reports before streaming starts: HTTP status plus a KsqlErrorMessage body (§6.1 of the
 * ksqlDB REST notes the server follows).
 */
public final class KsqlError extends RuntimeException {
    static final int BAD_REQUEST = 40000;
    static final int BAD_STATEMENT = 40001;
    static final int QUERY_ENDPOINT = 40002;
    public static final int SERVER_ERROR = 50000;

    final int status;
    final ObjectNode body;
    /**
     * Reported through ksqlDB's Vert.x FailureHandler, which sets no Content-Type (§3.5), rather than through the old
     * API's response path, which always says application/json.
     */
    final boolean viaFailureHandler;

    private KsqlError(int status, ObjectNode body, boolean viaFailureHandler) {
        super(body.get("message").asText());
        this.status = status;
        this.body = body;
        this.viaFailureHandler = viaFailureHandler;
    }

    private KsqlError(int status, ObjectNode body) {
        this(status, body, false);
    }

    KsqlError viaFailureHandler() {
        return new KsqlError(status, body, true);
    }

    /** The body of a {@code generic_error}, as ksqlDB also sends it in-band, inside a streamed response. */
    public static ObjectNode genericBody(int errorCode, String message) {
        ObjectNode body = Json.object();
        body.put("@type", "generic_error");
        body.put("error_code", errorCode);
        body.put("message", message);
        return body;
    }

    static KsqlError badRequest(String message) {
        return new KsqlError(400, genericBody(BAD_REQUEST, message));
    }

    static KsqlError statement(int errorCode, String message, String statementText, ArrayNode entities) {
        ObjectNode body = Json.object();
        body.put("@type", "statement_error");
        body.put("error_code", errorCode);
        body.put("message", message);
        body.put("statementText", statementText);
        body.set("entities", entities);
        return new KsqlError(errorCode / 100, body);
    }

    static KsqlError badStatement(String message, String statementText) {
        return statement(BAD_STATEMENT, message, statementText, Json.array());
    }

    static KsqlError syntaxError(SqlLexer.SyntaxError e, String sql) {
        return badStatement("line " + e.line + ":" + e.column + ": Syntax Error\n" + e.getMessage()
                + "\n\nStatement: " + sql, sql);
    }
}
