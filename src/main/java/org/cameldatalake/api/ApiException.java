package org.cameldatalake.api;

/** A request the API answers with an HTTP error status and a short reason (never a stack trace, never a token). */
final class ApiException extends Exception {
    private final int status;

    ApiException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    static ApiException forbidden() {
        return new ApiException(403, "no read grant on this feed");
    }

    static ApiException notFound(String message) {
        return new ApiException(404, message);
    }
}
