package org.cameldatalake.api;

import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;

/**
 * The platform-http engine the read API's REST routes are served by (registry bean {@code platform-http-engine}),
 * tied to the API's own server. camel-platform-http-vertx 4.17 attaches routes to the router of the port it finds by
 * looking for the context's only HTTP server; with the management endpoints on a port of their own there are two, and
 * it falls back to port 8080's router, which is the API's only when the API is on 8080.
 */
public final class ApiHttpEngine extends VertxPlatformHttpEngine {
    private final int apiPort;

    /** {@code apiPort}: the port the API's server was configured with ({@code camel.server.port}, 0 for any). */
    public ApiHttpEngine(int apiPort) {
        this.apiPort = apiPort;
    }

    @Override
    public int getServerPort() {
        return apiPort;
    }
}
