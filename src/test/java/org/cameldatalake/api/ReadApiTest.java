package org.cameldatalake.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDate;
import java.util.List;
import org.cameldatalake.runtime.FeedRouteManager;
import org.cameldatalake.support.Cli;
import org.cameldatalake.support.Http;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.RawHttp;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read API through the real service, on a lake it landed: {@code api_tx} (granted to the analyst) and
 * {@code api_secret} (not granted). Tokens and grants are made with the real command line. Hostile paths go over a
 * raw socket so that the server receives them exactly as written.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReadApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MARKER = "MARKER-OUTSIDE-THE-FEED-7f3a";
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    static Path dir;
    private Service service;
    private int port;
    private int managementPort;
    private String analyst;
    private String outsider;

    @BeforeAll
    void landTwoFeedsAndGrantOne() throws Exception {
        KafkaSupport.broker().createTopics(2, List.of("API_TX", "API_SECRET"));
        KafkaSupport.sendTransactions("API_TX", 21, 400, LocalDate.of(2025, 1, 2), 2);
        KafkaSupport.sendTransactions("API_SECRET", 22, 50, LocalDate.of(2025, 1, 2), 1);
        port = Http.freePort();
        managementPort = Http.freePort();
        service = new Service(dir.resolve("svc"));
        service.kafkaFeed("api_tx", "API_TX");
        service.kafkaFeed("api_secret", "API_SECRET");
        service.set("datalake.feeds.autostart", "false").set("datalake.api.port", String.valueOf(port))
                .set("datalake.management.port", String.valueOf(managementPort)).start();
        FeedRouteManager feeds = service.feeds();
        feeds.exportOnce(feeds.catalog().feed("api_tx"));
        feeds.exportOnce(feeds.catalog().feed("api_secret"));

        // what no request may ever return: files beside the feed folder, in another feed, and behind a symbolic link
        Path lake = service.lakeRoot();
        Files.writeString(lake.resolve("marker.txt"), MARKER);
        Files.writeString(lake.resolve("streams/marker.txt"), MARKER);
        Files.writeString(lake.resolve("streams/api_secret/marker.txt"), MARKER);
        Files.createSymbolicLink(lake.resolve("streams/api_tx/escape.txt"), lake.resolve("marker.txt"));
        Files.createSymbolicLink(lake.resolve("streams/api_tx/secret_feed"), lake.resolve("streams/api_secret"));
        // a feed nobody is granted, with metadata that cannot be read: the listing never reads it
        Files.createDirectories(lake.resolve("streams/api_broken"));
        Files.writeString(lake.resolve("streams/api_broken/_metadata.json"), "{\"total_records\": ");

        analyst = cli("tokens", "create", "--principal", "analyst").out().get(0).trim();
        outsider = cli("tokens", "create", "--principal", "outsider").out().get(0).trim();
        Cli.Result grant = cli("grant", "--principal", "analyst", "--feed", "api_tx");
        assertThat(grant.out()).anyMatch(l -> l.contains("granted read on api_tx to analyst"));
        Cli.Result unknown = cli("grant", "--principal", "analyst", "--feed", "not_there_yet");
        assertThat(unknown.err()).anyMatch(l -> l.contains("warning: no feed file and no data"));
        assertThat(cli("permissions", "list", "--principal", "analyst").out())
                .anyMatch(l -> l.matches("analyst\\s+api_tx\\s+read\\s+20\\d\\d-.*"))
                .anyMatch(l -> l.matches("analyst\\s+not_there_yet\\s+read\\s+.*"));
    }

    @AfterAll
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void withoutAValidTokenEverythingIs401() throws Exception {
        for (String path : List.of("/api/feeds", "/api/feeds/api_tx", "/api/feeds/api_tx/partitions",
                "/api/feeds/nope/files/x.parquet")) {
            HttpResponse<String> none = get(path, null);
            assertThat(none.statusCode()).as(path).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            assertThat(get(path, "not-a-token").statusCode()).as(path).isEqualTo(401);
            assertThat(get(path, analyst.substring(1) + "x").statusCode()).as(path).isEqualTo(401);
        }
    }

    @Test
    void listingShowsOnlyGrantedFeeds() throws Exception {
        HttpResponse<String> r = get("/api/feeds", analyst);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(r.headers().map().keySet()).noneMatch(h -> h.equalsIgnoreCase("Authorization"));
        JsonNode feeds = JSON.readTree(r.body()).path("feeds");
        assertThat(feeds).hasSize(1);
        assertThat(feeds.get(0).path("name").asText()).isEqualTo("api_tx");
        assertThat(feeds.get(0).path("records").asLong()).isEqualTo(400);
        assertThat(r.body()).doesNotContain("api_secret");
        assertThat(JSON.readTree(get("/api/feeds", outsider).body()).path("feeds")).isEmpty();
    }

    @Test
    void detailAndPartitionsOfAGrantedFeed() throws Exception {
        HttpResponse<String> detail = get("/api/feeds/api_tx", analyst);
        assertThat(detail.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(detail.body()).path("total_records").asLong()).isEqualTo(400);
        JsonNode parts = JSON.readTree(get("/api/feeds/api_tx/partitions", analyst).body());
        assertThat(parts.path("partitions")).hasSize(2);
        long records = 0;
        for (JsonNode p : parts.path("partitions")) {
            records += p.path("records").asLong();
        }
        assertThat(records).isEqualTo(400);
        assertThat(parts.path("files")).isNotEmpty().allSatisfy(f -> assertThat(f.path("path").asText())
                .matches("year=2025/month=01/day=0[23]/data_.*\\.parquet"));
    }

    @Test
    void aFeedWithoutGrantIs403WhetherItExistsOrNot() throws Exception {
        for (String feed : List.of("api_secret", "does_not_exist")) {
            for (String path : List.of("/api/feeds/" + feed, "/api/feeds/" + feed + "/partitions",
                    "/api/feeds/" + feed + "/files/marker.txt", "/api/feeds/" + feed + "/files/year=2025/month=01/day=02/x.parquet")) {
                HttpResponse<String> r = get(path, analyst);
                assertThat(r.statusCode()).as(path).isEqualTo(403);
                assertThat(r.body()).doesNotContain(MARKER).doesNotContain("api_secret");
            }
        }
    }

    @Test
    void grantedButMissingIs404() throws Exception {
        assertThat(get("/api/feeds/api_tx/files/year=2025/month=01/day=02/nope.parquet", analyst).statusCode()).isEqualTo(404);
        assertThat(get("/api/feeds/api_tx/files/_metadata.json", analyst).statusCode()).isEqualTo(404);
        assertThat(get("/api/feeds/not_there_yet", analyst).statusCode()).as("granted, nothing landed").isEqualTo(404);
        assertThat(get("/api/feeds/api_tx/files/year=2025", analyst).statusCode()).as("a folder").isEqualTo(404);
    }

    @Test
    void traversalAttemptsNeverReachOutsideTheFeedFolder() throws Exception {
        List<String> hostile = List.of(
                "/api/feeds/api_tx/files/../marker.txt",
                "/api/feeds/api_tx/files/../../marker.txt",
                "/api/feeds/api_tx/files/../api_secret/marker.txt",
                "/api/feeds/api_tx/files/%2e%2e/marker.txt",
                "/api/feeds/api_tx/files/%2E%2E%2Fmarker.txt",
                "/api/feeds/api_tx/files/..%2fmarker.txt",
                "/api/feeds/api_tx/files/..%2F..%2Fmarker.txt",
                "/api/feeds/api_tx/files/%2e%2e%2f%2e%2e%2fmarker.txt",
                "/api/feeds/api_tx/files/%252e%252e%252fmarker.txt",
                "/api/feeds/api_tx/files//etc/passwd",
                "/api/feeds/api_tx/files/%2fetc%2fpasswd",
                "/api/feeds/api_tx/files/%2Fetc/passwd",
                "/api/feeds/api_tx/files/..\\marker.txt",
                "/api/feeds/api_tx/files/..%5cmarker.txt",
                "/api/feeds/api_tx/files/..%5c..%5cmarker.txt",
                "/api/feeds/api_tx/files/year=2025/%00/../../marker.txt",
                "/api/feeds/api_tx/files/escape.txt",
                "/api/feeds/api_tx/files/secret_feed/marker.txt",
                "/api/feeds/api_tx/../api_secret/files/marker.txt",
                "/api/feeds/..%2fapi_secret/files/marker.txt",
                "/api/feeds/api_tx/files/" + service.lakeRoot().resolve("marker.txt"),
                "/etc/passwd",
                "/api/feeds/api_tx/files/" + "%2e%2e/".repeat(20) + "etc/passwd");
        for (String target : hostile) {
            RawHttp.Response r = RawHttp.get(port, target, analyst);
            assertThat(r.status()).as(target + "\n" + r.head()).isIn(400, 403, 404);
            assertThat(r.body()).as(target).doesNotContain(MARKER).doesNotContain("root:");
        }
    }

    @Test
    void aGrantedPrincipalDownloadsAParquetFileThatDuckDbReads() throws Exception {
        JsonNode files = JSON.readTree(get("/api/feeds/api_tx/partitions", analyst).body()).path("files");
        long total = 0;
        for (JsonNode f : files) {
            String path = f.path("path").asText();
            Path copy = dir.resolve("download").resolve(path.replace('/', '_'));
            Files.createDirectories(copy.getParent());
            HttpResponse<Path> r = CLIENT.send(request("/api/feeds/api_tx/files/" + path, analyst),
                    HttpResponse.BodyHandlers.ofFile(copy));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
            assertThat(r.headers().firstValue("Content-Disposition")).hasValueSatisfying(v -> assertThat(v)
                    .isEqualTo("attachment; filename=\"" + path.substring(path.lastIndexOf('/') + 1) + "\""));
            assertThat(Files.size(copy)).isEqualTo(f.path("size_bytes").asLong());
            assertThat(Files.readAllBytes(copy)).isEqualTo(Files.readAllBytes(service.lakeRoot().resolve("streams/api_tx/" + path)));
            total += new Lake(dir).count("SELECT count(*) FROM read_parquet('" + copy + "')");
        }
        assertThat(total).isEqualTo(400);
    }

    @Test
    void healthAndMetricsAreOnTheirOwnPortOnlyForThisMachine() throws Exception {
        for (String path : List.of("/observe/health", "/observe/health/ready", "/observe/metrics")) {
            HttpResponse<String> onApiPort = Http.get("http://localhost:" + port + path);
            assertThat(onApiPort.statusCode()).as(path).isEqualTo(404);
            assertThat(onApiPort.body()).as(path).doesNotContain("api_tx").doesNotContain("api_secret");
        }
        assertThat(Http.get("http://127.0.0.1:" + managementPort + "/observe/health/live").statusCode()).isEqualTo(200);
        assertThat(Http.get("http://127.0.0.1:" + managementPort + "/observe/metrics").body()).contains("camel_exchanges_total");

        // from another machine: this machine's network address answers on the API port, not on the management port
        String address = java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(i -> java.util.Collections.list(i.getInetAddresses()).stream())
                .filter(a -> a instanceof java.net.Inet4Address && !a.isLoopbackAddress()).map(java.net.InetAddress::getHostAddress)
                .findFirst().orElseThrow(() -> new AssertionError("this machine has no network address to test with"));
        assertThat(Http.get("http://" + address + ":" + port + "/api/feeds").statusCode()).isEqualTo(401);
        assertThatThrownBy(() -> new java.net.Socket(address, managementPort).close()).isInstanceOf(java.net.ConnectException.class);
    }

    @Test
    void theWarehouseFileIsForItsOwnerOrTheLakesGroupOnly() throws Exception {
        // it holds the token hashes and grants (and the mirrored rows of restricted feeds)
        Path warehouse = service.lakeRoot().resolve("warehouse.db");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(warehouse))).isEqualTo("rw-------");

        // a lake given to a group (as root, the tests may give it any group): the group may read it, nobody else
        Path lake = Files.createDirectories(dir.resolve("shared/data_lake"));
        int group = (Integer) Files.getAttribute(lake, "unix:gid") + 4242;
        Files.setAttribute(lake, "unix:gid", group);
        java.util.Map<String, String> settings = new java.util.HashMap<>(service.settings());
        settings.put("datalake.root", lake.toString());
        Cli.Result r = Cli.run(dir, settings, "tokens", "create", "--principal", "groupie");
        assertThat(r.exit()).as(String.join("\n", r.err())).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(lake.resolve("warehouse.db")))).isEqualTo("rw-r-----");
        assertThat(Files.getAttribute(lake.resolve("warehouse.db"), "unix:gid")).isEqualTo(group);
    }

    private Cli.Result cli(String... args) throws Exception {
        Cli.Result r = Cli.run(dir, service.settings(), args);
        assertThat(r.exit()).as(List.of(args) + "\n" + String.join("\n", r.err())).isZero();
        return r;
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        return CLIENT.send(request(path, token), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b.build();
    }
}
