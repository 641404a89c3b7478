package org.cameldatalake.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.cameldatalake.feed.FeedFileParser;
import org.cameldatalake.storage.Storage;
import org.cameldatalake.report.LakeReport;
import org.cameldatalake.report.LakeReports;
import org.cameldatalake.warehouse.ApiTokens;
import org.cameldatalake.warehouse.Permissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read API's four operations (routes/api.yaml). Each request is answered in this order: 401 without a valid
 * bearer token; 400 for a path that is not plain segments; 403 for a feed the caller has no read grant on, whether it
 * exists or not (so existence does not leak); 404 for a granted feed with nothing landed or an unknown file.
 * Paths are read from the raw request target, never from the router's normalised path.
 */
public final class ReadApi {
    private static final Logger LOG = LoggerFactory.getLogger(ReadApi.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.ALWAYS);

    private final Storage storage;
    private final java.nio.file.Path feedsDir;
    private final Clock clock;
    private final Permissions permissions;
    private final ApiTokens tokens;

    public ReadApi(Storage storage, java.nio.file.Path feedsDir, Clock clock, Permissions permissions, ApiTokens tokens) {
        this.storage = storage;
        this.feedsDir = feedsDir;
        this.clock = clock;
        this.permissions = permissions;
        this.tokens = tokens;
    }

    /** {@code GET /api/feeds}: the feeds the caller may read, with their size. */
    public void feeds(Exchange exchange) {
        answer(exchange, () -> {
            String principal = authenticate(exchange);
            shape(segments(exchange), 2, "feeds");
            Set<String> readable = permissions.readableFeeds(principal);
            List<Map<String, Object>> out = new ArrayList<>();
            // only the granted feeds are read: what the caller may not see costs nothing and cannot fail the answer
            for (LakeReport.Feed f : LakeReports.build(storage, feedsDir, clock,
                    name -> readable.contains(Permissions.ALL_FEEDS) || readable.contains(name)).feeds()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", f.feed());
                m.put("type", f.type());
                m.put("state", f.state());
                m.put("records", f.records());
                m.put("size_bytes", f.sizeBytes());
                m.put("files", f.files());
                m.put("last_export", f.lastExport());
                out.add(m);
            }
            json(exchange, 200, Map.of("feeds", out));
        });
    }

    /** {@code GET /api/feeds/{name}}: the feed's {@code _metadata.json}. */
    public void feed(Exchange exchange) {
        answer(exchange, () -> {
            String principal = authenticate(exchange);
            List<String> path = segments(exchange);
            shape(path, 3, "feeds");
            FeedFolder folder = grantedFolder(principal, path.get(2));
            respond(exchange, 200, "application/json", folder.metadata());
        });
    }

    /** {@code GET /api/feeds/{name}/partitions}: a stream's partitions or a table's versions, and the files to download. */
    public void partitions(Exchange exchange) {
        answer(exchange, () -> {
            String principal = authenticate(exchange);
            List<String> path = segments(exchange);
            shape(path, 4, "feeds");
            if (!"partitions".equals(path.get(3))) {
                throw ApiException.notFound("no such resource");
            }
            String name = path.get(2);
            FeedFolder folder = grantedFolder(principal, name);
            LakeReport.Feed f = LakeReports.landed(storage, name).orElseThrow(() -> ApiException.notFound("nothing landed"));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("type", f.type());
            if (f.isTable()) {
                m.put("current_version", f.currentVersion());
                m.put("versions", f.versions());
            } else {
                m.put("partitions", f.partitions());
            }
            m.put("files", folder.dataFiles());
            json(exchange, 200, m);
        });
    }

    /** {@code GET /api/feeds/{name}/files/{path…}}: one published file, streamed. */
    public void file(Exchange exchange) {
        answer(exchange, () -> {
            String principal = authenticate(exchange);
            List<String> path = segments(exchange);
            if (path.size() < 5 || !"files".equals(path.get(3))) {
                throw ApiException.notFound("no such resource");
            }
            shape(path.subList(0, 3), 3, "feeds");
            FeedFolder folder = grantedFolder(principal, path.get(2));
            FeedFolder.Download d = folder.open(path.subList(4, path.size()));
            Message out = cleared(exchange, 200);
            out.setHeader(Exchange.CONTENT_TYPE, "application/octet-stream");
            // streamed with chunked encoding: platform-http sets Content-Length only for in-memory bodies
            // (the size is in /partitions' size_bytes)
            out.setHeader("Content-Disposition", "attachment; filename=\"" + d.fileName().replaceAll("[^A-Za-z0-9._+=-]", "_") + "\"");
            out.setBody(d.content());
        });
    }

    private FeedFolder grantedFolder(String principal, String name) throws Exception {
        if (!FeedFileParser.FEED_NAME.matcher(name).matches()) {
            throw ApiException.badRequest("invalid feed name");
        }
        if (!permissions.mayRead(principal, name)) {
            throw ApiException.forbidden();
        }
        return FeedFolder.of(storage, name).orElseThrow(() -> ApiException.notFound("nothing landed for this feed"));
    }

    private String authenticate(Exchange exchange) throws Exception {
        List<String> values = request(exchange).headers().getAll("Authorization");
        String token = null;
        if (values.size() == 1) {
            String v = values.get(0).trim();
            if (v.regionMatches(true, 0, "Bearer ", 0, 7)) {
                token = v.substring(7).trim();
            }
        }
        if (token == null) {
            throw new ApiException(401, "a bearer token is required");
        }
        return tokens.principalOf(token).orElseThrow(() -> new ApiException(401, "invalid token"));
    }

    private static List<String> segments(Exchange exchange) throws ApiException {
        return RequestPath.segments(request(exchange).uri());
    }

    /** The path is /api/feeds… with {@code size} segments; anything else is not a resource here. */
    private static void shape(List<String> path, int size, String second) throws ApiException {
        if (path.size() != size || !"api".equals(path.get(0)) || !second.equals(path.get(1))) {
            throw ApiException.notFound("no such resource");
        }
    }

    private static HttpServerRequest request(Exchange exchange) {
        if (exchange.getIn() instanceof HttpMessage m) {
            return m.getRequest();
        }
        throw new IllegalStateException("not a platform-http (Vert.x) request");
    }

    private interface Handler {
        void handle() throws Exception;
    }

    private static void answer(Exchange exchange, Handler handler) {
        try {
            handler.handle();
        } catch (ApiException e) {
            Message out = jsonQuietly(exchange, e.status(), Map.of("error", e.getMessage()));
            if (e.status() == 401) {
                out.setHeader("WWW-Authenticate", "Bearer realm=\"camel-datalake\"");
            }
        } catch (Exception e) {
            LOG.warn("read API: {} failed", request(exchange).path(), e);
            jsonQuietly(exchange, 500, Map.of("error", "internal error"));
        }
    }

    private static Message jsonQuietly(Exchange exchange, int status, Object body) {
        try {
            return json(exchange, status, body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Message json(Exchange exchange, int status, Object body) throws Exception {
        return respond(exchange, status, "application/json", JSON.writeValueAsBytes(body));
    }

    private static Message respond(Exchange exchange, int status, String contentType, byte[] body) {
        Message out = cleared(exchange, status);
        out.setHeader(Exchange.CONTENT_TYPE, contentType);
        out.setBody(body);
        return out;
    }

    /** The message with none of the request's headers (they would be echoed back, the Authorization header among them). */
    private static Message cleared(Exchange exchange, int status) {
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        return out;
    }
}
