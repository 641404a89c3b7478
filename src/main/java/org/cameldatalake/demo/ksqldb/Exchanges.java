package org.cameldatalake.demo.ksqldb;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Reading ksqlDB request bodies and sending whole responses, the way ksqlDB's HTTP layer does both. */
final class Exchanges {

    private Exchanges() {
    }

    /** Sends a whole body (no body at all when empty), through {@code fault}. */
    static void respond(HttpExchange exchange, int status, String contentType, String body, ResponseFault fault)
            throws IOException {
        byte[] bytes = fault.body(body.getBytes(StandardCharsets.UTF_8));
        if (contentType != null) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
        }
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        fault.send(exchange.getResponseBody(), bytes);
    }

    static void respondError(HttpExchange exchange, String path, KsqlError error, ResponseFault fault)
            throws IOException {
        respond(exchange, error.status, errorContentType(path, error), Json.write(error.body), fault);
    }

    /** Errors from the old API's response path carry application/json; /query-stream's failure handler sets none. */
    static String errorContentType(String path, KsqlError error) {
        boolean failureHandler = path.equals("/query-stream") || path.equals("/close-query")
                || error != null && error.viaFailureHandler;
        return failureHandler ? null : MediaTypes.JSON;
    }

    /** The JSON request object; ksqlDB ignores unknown fields. Failures are reported like Vert.x's body decoding. */
    static JsonNode parseRequest(byte[] body) {
        if (new String(body, StandardCharsets.UTF_8).isBlank()) {
            throw KsqlError.badRequest("Invalid JSON in request: No content to map due to end-of-input")
                    .viaFailureHandler();
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw KsqlError.badRequest("Invalid JSON in request: " + e.getOriginalMessage()).viaFailureHandler();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        if (!node.isObject()) {
            throw KsqlError.badRequest("Invalid JSON in request: Cannot deserialize value from " + node.getNodeType()
                    + " value (expected a JSON object)").viaFailureHandler();
        }
        return node;
    }

    static String requiredText(JsonNode request, String field) {
        JsonNode value = request.get(field);
        if (value == null || value.isNull()) {
            throw KsqlError.badRequest("Invalid JSON in request: Missing required creator property '" + field + "'")
                    .viaFailureHandler();
        }
        return text(value, field);
    }

    static String optionalText(JsonNode request, String field) {
        JsonNode value = request.get(field);
        return value == null || value.isNull() ? "" : text(value, field);
    }

    private static String text(JsonNode value, String field) {
        if (!value.isValueNode()) {
            throw KsqlError.badRequest("Invalid JSON in request: Cannot deserialize value of type `java.lang.String` "
                    + "from " + value.getNodeType() + " value (property '" + field + "')").viaFailureHandler();
        }
        return value.asText();
    }
}
