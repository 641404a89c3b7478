package org.cameldatalake.sink;

import org.cameldatalake.decode.SourceRecord;
import org.cameldatalake.metadata.ExportLog;
import org.cameldatalake.storage.Storage;
import org.cameldatalake.storage.Storages;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.kafka.common.TopicPartition;
import org.cameldatalake.feed.FeedFileParser;
import org.cameldatalake.decode.JsonRecordDecoder;
import org.cameldatalake.support.BadRecords;
import org.cameldatalake.support.BadRecordsInLake;
import org.cameldatalake.support.Fuzz;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad Kafka values among good ones, straight into the append writer (decoding, schema inference, Avro/Parquet),
 * including the 10 MB and 25 MB values a default broker (1 MB messages) would refuse: every batch returns, every bad
 * value is in {@code _rejected/} once with its reason and raw bytes, every good one is in the lake once, unchanged.
 */
class AppendWriterFuzzTest {
    private static final LocalDate DAY = LocalDate.of(2025, 10, 13);
    private static final long NOON = DAY.atTime(12, 0).toInstant(ZoneOffset.UTC).toEpochMilli();
    private static final String FEED = "{\"feed_name\": \"fuzz\", \"feed_type\": \"stream\", "
            + "\"partitioning\": {\"timestamp_field\": \"TIMESTAMP\"}}";
    private static final int BAD = 12_000;
    private static final int GOOD = 12_000;

    @TempDir
    Path dir;
    private Storage storage;
    private Lake lake;

    @BeforeEach
    void lake() throws Exception {
        storage = Storages.open(dir.toString());
        lake = new Lake(dir);
    }

    private AppendWriter writer() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        AppendSettings settings = new AppendSettings(5_000, 128L << 20, Duration.ofHours(1), Duration.ZERO, new MemoryBudget(64L << 20), 64,
                32L << 20, ZoneOffset.UTC, true);
        AppendWriter w = new AppendWriter(FeedFileParser.parse(dir.resolve("f.json"), FEED), storage, settings, clock,
                new ExportLog(storage, clock, ZoneOffset.UTC));
        w.start();
        return w;
    }

    @Test
    void everyBadValueIsRejectedOnceWithItsReasonAndEveryGoodOneLandsOnceUnchanged() throws Exception {
        long seed = Fuzz.seed("AppendWriterFuzzTest");
        BadRecords generator = new BadRecords(seed, DAY, 3);
        SplittableRandom random = new SplittableRandom(seed);
        List<BadRecords.Value> values = Fuzz.mixed(random, BAD, generator::bad, GOOD, generator::good,
                generator.bad(BadRecords.Kind.HUGE_VALUE), generator.bad(BadRecords.Kind.HUGE_VALUE),
                generator.goodHuge(BadRecords.TEN_MB), generator.goodHuge(BadRecords.TEN_MB));
        // two partitions, offsets in order, batches of any size (a bad value may open a batch or end it)
        long[] next = new long[2];
        List<BadRecordsInLake.Sent> sent = new ArrayList<>();
        for (BadRecords.Value v : values) {
            int p = random.nextInt(2);
            sent.add(new BadRecordsInLake.Sent(p, next[p]++, v));
        }

        AppendWriter w = writer();
        long start = System.nanoTime();
        for (int i = 0; i < sent.size(); ) {
            int n = Math.min(sent.size() - i, 1 + random.nextInt(1000));
            List<SourceRecord> batch = new ArrayList<>(n);
            sent.subList(i, i + n).forEach(s -> batch.add(new SourceRecord("FUZZ", s.partition(), s.offset(), NOON, "k",
                    s.value().bytes())));
            w.append(batch); // throws on a failed batch: the test fails, as the feed would be stuck on it
            i += n;
        }
        w.publishAll();
        double seconds = (System.nanoTime() - start) / 1e9;
        // nothing is left unpublished: the consumer could commit up to the end of both partitions
        assertThat(w.committable(null)).isEqualTo(Map.of(new TopicPartition("FUZZ", 0), next[0], new TopicPartition("FUZZ", 1), next[1]));
        w.close();

        Map<BadRecords.Kind, Long> byKind = BadRecordsInLake.check(dir, "fuzz", sent);
        System.out.printf("AppendWriterFuzzTest: %d bad values %s and %d good ones (%d of them edge cases) appended in %.1f s%n",
                byKind.values().stream().mapToLong(Long::longValue).sum(), byKind,
                sent.stream().filter(s -> s.value().good()).count(),
                sent.stream().filter(s -> s.value().good() && !s.value().variant().equals("transaction")).count(), seconds);
        assertThat(byKind.keySet()).containsExactlyInAnyOrder(BadRecords.Kind.values());
    }

    @Test
    void badValuesAtTheHeadOfANewFeedDoNotDecideItsSchema() throws Exception {
        BadRecords generator = new BadRecords(7, DAY, 1);
        List<SourceRecord> batch = new ArrayList<>();
        String first = new String(generator.good().bytes(), StandardCharsets.UTF_8);
        // the first values of the topic give AMOUNT and LOCATION other types than the transactions that follow
        batch.add(rec(0, BadRecords.replace(first, "AMOUNT", "\"12.50\"")));
        batch.add(rec(1, BadRecords.replace(first, "LOCATION", "\"Paris\"")));
        batch.add(rec(2, BadRecords.replace(first, "AMOUNT", "\"7.00\"")));
        Set<String> ids = new HashSet<>();
        for (int i = 3; i < 10; i++) {
            BadRecords.Value v = generator.good();
            ids.add(v.id());
            batch.add(new SourceRecord("FUZZ", 0, i, -1, null, v.bytes()));
        }
        AppendWriter w = writer();
        AppendWriter.BatchResult r = w.append(batch);
        w.close();
        assertThat(r.written()).isEqualTo(7);
        assertThat(r.rejected()).isEqualTo(3);
        assertThat(new HashSet<>(lake.rows("SELECT TRANSACTION_ID FROM " + lake.stream("fuzz")).stream()
                .map(x -> (String) x.get(0)).toList())).isEqualTo(ids);
        assertThat(lake.rows("SELECT DISTINCT typeof(AMOUNT), typeof(LOCATION) FROM " + lake.stream("fuzz")).toString())
                .isEqualTo("[[DOUBLE, STRUCT(CITY VARCHAR, COUNTRY VARCHAR)]]");
        assertThat(BadRecordsInLake.rejectedLines(dir, "fuzz").values()).extracting(l -> l.get("reason").asText()).containsExactlyInAnyOrder(
                "schema conflict: field AMOUNT: cannot widen double to string",
                "schema conflict: field LOCATION: cannot widen object to string",
                "schema conflict: field AMOUNT: cannot widen double to string");
    }

    @Test
    void theDeepestValueTheDecoderTakesLandsAndOneLevelMoreIsRejected() throws Exception {
        int inner = JsonRecordDecoder.MAX_DEPTH - 1; // the record itself is the first level
        String deepest = "{\"ID\": 1, \"TIMESTAMP\": \"2025-10-13T10:00:00Z\", \"D\": " + "{\"D\":".repeat(inner - 1) + "1"
                + "}".repeat(inner - 1) + ", \"A\": " + "[".repeat(inner) + "2" + "]".repeat(inner) + "}";
        String tooDeep = "{\"ID\": 2, \"TIMESTAMP\": \"2025-10-13T10:00:00Z\", \"A\": " + "[".repeat(inner + 1) + "2"
                + "]".repeat(inner + 1) + "}";
        AppendWriter w = writer();
        AppendWriter.BatchResult r = w.append(List.of(rec(0, deepest), rec(1, tooDeep)));
        w.close();
        assertThat(r.written()).isEqualTo(1);
        assertThat(lake.rows("SELECT ID, D" + ".D".repeat(inner - 1) + ", A" + "[1]".repeat(inner) + " FROM "
                + lake.stream("fuzz")).toString()).isEqualTo("[[1, 1, 2]]");
        assertThat(BadRecordsInLake.rejectedLines(dir, "fuzz").get("0/1").get("reason").asText())
                .startsWith("beyond the decoder's limits: Document nesting depth (17) exceeds the maximum allowed (16");
    }

    private static SourceRecord rec(long offset, String json) {
        return new SourceRecord("FUZZ", 0, offset, -1, null, json.getBytes(StandardCharsets.UTF_8));
    }
}
