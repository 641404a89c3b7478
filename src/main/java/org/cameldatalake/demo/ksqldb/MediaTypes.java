package org.cameldatalake.demo.ksqldb;

import com.sun.net.httpserver.HttpExchange;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.cameldatalake.demo.ksqldb.ResultWriter.Format;

/** ksqlDB's content negotiation (§2.2, §3.2): which format a streamed result takes, and who may get JSON. */
final class MediaTypes {
    static final String V1_JSON = "application/vnd.ksql.v1+json";
    static final String DELIMITED = "application/vnd.ksqlapi.delimited.v1";
    static final String JSON = "application/json";

    /** The format of a streamed result and the Content-Type that says so. */
    record Negotiated(Format format, String contentType) {
    }

    private MediaTypes() {
    }

    /** {@code /query-stream}: delimited by default; null when nothing acceptable is offered. */
    static Negotiated queryStream(HttpExchange exchange) {
        List<String> accepted = accepted(exchange);
        if (accepted == null) {
            return new Negotiated(Format.DELIMITED, DELIMITED);
        }
        for (String type : accepted) {
            switch (type) {
                case DELIMITED, "*/*", "application/*" -> {
                    return new Negotiated(Format.DELIMITED, DELIMITED);
                }
                case JSON -> {
                    return new Negotiated(Format.JSON_ARRAY, JSON);
                }
                case V1_JSON -> {
                    return new Negotiated(Format.V1, V1_JSON);
                }
                default -> {
                }
            }
        }
        return null;
    }

    /** {@code /query} (migrated handler): v1 by default, delimited for {@code *}{@code /*}; null when nothing fits. */
    static Negotiated query(HttpExchange exchange) {
        List<String> accepted = accepted(exchange);
        if (accepted == null) {
            return new Negotiated(Format.V1, V1_JSON);
        }
        for (String type : accepted) {
            switch (type) {
                case V1_JSON, JSON, "application/*" -> {
                    return new Negotiated(Format.V1, V1_JSON);
                }
                case DELIMITED, "*/*" -> {
                    return new Negotiated(Format.DELIMITED, DELIMITED);
                }
                default -> {
                }
            }
        }
        return null;
    }

    /** /ksql, /info, /healthcheck always answer application/json, but refuse clients that do not accept it. */
    static boolean acceptsJson(HttpExchange exchange) {
        List<String> accepted = accepted(exchange);
        return accepted == null || accepted.stream().anyMatch(Set.of(V1_JSON, JSON, "*/*", "application/*")::contains);
    }

    /** The media types of the Accept header, most preferred first, without parameters; null if there is none. */
    private static List<String> accepted(HttpExchange exchange) {
        List<String> headers = exchange.getRequestHeaders().get("Accept");
        if (headers == null || headers.stream().allMatch(String::isBlank)) {
            return null;
        }
        record MediaRange(String type, double quality) {
        }
        List<MediaRange> ranges = new ArrayList<>();
        for (String header : headers) {
            for (String part : header.split(",")) {
                String[] pieces = part.split(";");
                String type = pieces[0].trim().toLowerCase(Locale.ROOT);
                double quality = 1.0;
                for (int i = 1; i < pieces.length; i++) {
                    String parameter = pieces[i].trim();
                    if (parameter.startsWith("q=")) {
                        try {
                            quality = Double.parseDouble(parameter.substring(2));
                        } catch (NumberFormatException e) {
                            quality = 0;
                        }
                    }
                }
                if (!type.isEmpty() && quality > 0) {
                    ranges.add(new MediaRange(type, quality));
                }
            }
        }
        ranges.sort(Comparator.comparingDouble(MediaRange::quality).reversed());
        return ranges.stream().map(MediaRange::type).toList();
    }
}
