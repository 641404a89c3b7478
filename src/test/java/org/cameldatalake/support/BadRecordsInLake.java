package org.cameldatalake.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.cameldatalake.sink.RejectedRecords;

/**
 * What a stream feed's lake must hold once {@link BadRecords} values were sent to it: every good value exactly once
 * (read with DuckDB), edge values unchanged; every bad value exactly once in {@code _rejected/}, at its position, with
 * a reason of its kind and its raw bytes; and the counts in {@code _metadata.json}, without a batch error.
 */
public final class BadRecordsInLake {
    /** Rejected lines keep raw values of 25 MB, more than Jackson reads by default. */
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build()).build());

    /** A value as it went to the feed, at its source position. */
    public record Sent(int partition, long offset, BadRecords.Value value) {
    }

    private BadRecordsInLake() {
    }

    /** Asserts all of the above; returns the number of bad values sent, by kind. */
    public static Map<BadRecords.Kind, Long> check(Path lakeRoot, String feed, List<Sent> sent) throws Exception {
        Map<BadRecords.Kind, Long> byKind = new EnumMap<>(BadRecords.Kind.class);
        sent.stream().filter(s -> !s.value().good()).forEach(s -> byKind.merge(s.value().kind(), 1L, Long::sum));
        long bad = byKind.values().stream().mapToLong(Long::longValue).sum();
        long good = sent.size() - bad;

        Lake lake = new Lake(lakeRoot);
        String t = lake.stream(feed);
        Set<String> goodIds = new HashSet<>();
        sent.stream().filter(s -> s.value().good()).forEach(s -> goodIds.add(s.value().id()));
        assertThat(lake.count("SELECT count(*) FROM " + t)).isEqualTo(good);
        assertThat(new HashSet<>(lake.rows("SELECT TRANSACTION_ID FROM " + t).stream().map(r -> (String) r.get(0)).toList()))
                .isEqualTo(goodIds);
        Map<String, String> landed = new HashMap<>();
        for (List<Object> r : lake.rows("SELECT TRANSACTION_ID, USER_NAME FROM " + t + " WHERE length(USER_NAME) > 40 "
                + "OR regexp_matches(USER_NAME, '[^A-Za-z]')")) {
            landed.put((String) r.get(0), (String) r.get(1));
        }
        for (Sent s : sent) {
            if (s.value().good() && s.value().field() != null) {
                assertThat(landed.get(s.value().id())).as(s.value().variant()).isEqualTo(s.value().landed());
            }
        }

        Map<String, JsonNode> rejected = rejectedLines(lakeRoot, feed);
        assertThat(rejected).hasSize((int) bad);
        for (Sent s : sent) {
            BadRecords.Value v = s.value();
            if (v.good()) {
                continue;
            }
            JsonNode line = rejected.get(s.partition() + "/" + s.offset());
            assertThat(line).as(v + " at " + s.partition() + "/" + s.offset()).isNotNull();
            assertThat(line.get("reason").asText()).as(v.toString()).matches(v.reason());
            if (v.bytes() == null) {
                assertThat(line.get("value").isNull()).isTrue();
            } else if (RejectedRecords.utf8(v.bytes()) != null) {
                assertThat(line.get("value").asText().getBytes(StandardCharsets.UTF_8)).as(v.toString()).isEqualTo(v.bytes());
            } else {
                assertThat(Base64.getDecoder().decode(line.get("value_base64").asText())).as(v.toString()).isEqualTo(v.bytes());
            }
        }
        JsonNode meta = JSON.readTree(lakeRoot.resolve("streams").resolve(feed).resolve("_metadata.json").toFile());
        assertThat(meta.get("rejected_records").asLong()).isEqualTo(bad);
        assertThat(meta.get("total_records").asLong()).isEqualTo(good);
        assertThat(meta.path("last_error").isNull() || meta.path("last_error").isMissingNode()).as("no batch failed").isTrue();
        return byKind;
    }

    /** The rejected lines of a feed by "partition/offset"; a position rejected twice fails. */
    public static Map<String, JsonNode> rejectedLines(Path lakeRoot, String feed) throws Exception {
        Map<String, JsonNode> out = new HashMap<>();
        Path dir = lakeRoot.resolve("_rejected").resolve(feed);
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    JsonNode l = JSON.readTree(line);
                    assertThat(out.put(l.get("partition").asInt() + "/" + l.get("offset").asLong(), l))
                            .as("rejected twice: " + l.get("reason")).isNull();
                }
            }
        }
        return out;
    }
}
