package org.cameldatalake.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain HTTP GETs against the service, as curl or Prometheus would make them. */
public final class Http {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Http() {
    }

    public static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** One named check of a Camel health response ({@code /observe/health/ready}); fails when absent. */
    public static JsonNode check(String health, String name) throws IOException {
        for (JsonNode c : JSON.readTree(health).path("checks")) {
            if (name.equals(c.path("name").asText())) {
                return c;
            }
        }
        throw new AssertionError("no check named " + name + " in " + health);
    }

    /** A sample's value in the Prometheus text format, by metric name and feed label; fails when absent. */
    public static double metric(String prometheus, String metric, String feed) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + metric + "\\{([^}]*)\\} (\\S+)$").matcher(prometheus);
        while (m.find()) {
            if (m.group(1).contains("feed=\"" + feed + "\"")) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError("no " + metric + "{feed=\"" + feed + "\"} in the scrape");
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
