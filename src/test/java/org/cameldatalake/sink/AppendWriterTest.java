package org.cameldatalake.sink;

import org.cameldatalake.decode.KsqlRowDecoder;
import org.cameldatalake.decode.SourceRecord;
import org.cameldatalake.metadata.ExportLog;
import org.cameldatalake.storage.Storage;
import org.cameldatalake.storage.Storages;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.feed.FeedFileParser;
import org.cameldatalake.support.Lake;
import org.cameldatalake.schema.KsqlRowSchema;
import org.cameldatalake.schema.KsqlType;
import org.cameldatalake.support.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The append writer on its own (no broker), read back with DuckDB. */
class AppendWriterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LocalDate DAY = LocalDate.of(2025, 10, 13);

    @TempDir
    Path dir;
    private Storage storage;
    private MutableClock clock;
    private Lake lake;

    @BeforeEach
    void lake() throws Exception {
        storage = Storages.open(dir.toString());
        clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        lake = new Lake(dir);
    }

    private AppendWriter writer(String feedJson, AppendSettings settings) throws Exception {
        FeedDefinition feed = FeedFileParser.parse(dir.resolve("f.json"), feedJson);
        AppendWriter w = new AppendWriter(feed, storage, settings, clock, new ExportLog(storage, clock, ZoneOffset.UTC));
        w.start();
        return w;
    }

    private static AppendSettings settings(long maxRecords, Duration maxAge, long budget, int maxOpen) {
        return settings(maxRecords, maxAge, budget, maxOpen, true);
    }

    private static AppendSettings settings(long maxRecords, Duration maxAge, long budget, int maxOpen, boolean learnDictionary) {
        return new AppendSettings(maxRecords, 128L << 20, maxAge, Duration.ZERO, new MemoryBudget(budget), maxOpen, 32L << 20,
                ZoneOffset.UTC, learnDictionary);
    }

    private static final String FEED = "{\"feed_name\": \"events\", \"feed_type\": \"stream\", "
            + "\"partitioning\": {\"timestamp_field\": \"TS\"}}";

    private static String event(int id) {
        return "{\"ID\": " + id + ", \"TS\": \"2025-10-13T10:00:00Z\"}";
    }

    private static SourceRecord rec(int partition, long offset, String json) {
        return new SourceRecord("EVENTS", partition, offset, -1, null, json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A {@code unique} verdict depends on the batch: after a crash the replayed records may be batched otherwise. The
     * rejected file waits for the partition's open files, and the commit stops before it, so that a replay finds
     * every record of a published rejected range either there or in a published data file.
     */
    @Test
    void uniqueRejectionsWaitForThePartitionsFilesSoAReplayAfterACrashNeitherLosesNorRepeats() throws Exception {
        String feed = "{\"feed_name\": \"events\", \"feed_type\": \"stream\", \"partitioning\": {\"timestamp_field\": \"TS\"}, "
                + "\"quality\": [{\"column\": \"ID\", \"rule\": \"unique\"}]}";
        TopicPartition tp = new TopicPartition("EVENTS", 0);
        AppendWriter w = writer(feed, settings(1000, Duration.ofHours(1), 64L << 20, 64));
        List<SourceRecord> all = List.of(rec(0, 0, event(9)), rec(0, 1, event(1)), rec(0, 2, event(1)),
                rec(0, 3, event(9)), rec(0, 4, event(1)));
        w.append(all.subList(0, 1));
        w.append(all.subList(1, 5)); // 9 is new to this batch: offset 3 lands; offsets 2 and 4 are rejected
        assertThat(dir.resolve("_rejected/events")).as("waiting for the open file").doesNotExist();
        assertThat(w.committable(List.of(tp))).isEqualTo(Map.of(tp, 0L));
        w.reset(List.of(tp)); // a crash: nothing published, nothing committed
        w.close();

        // the replay comes as one batch: offset 3 is now a repeat of offset 0
        AppendWriter again = writer(feed, settings(1000, Duration.ofHours(1), 64L << 20, 64));
        var r = again.append(all);
        again.publishAll();
        String t = lake.stream("events");
        long landed = lake.count("SELECT count(*) FROM " + t);
        long rejected;
        try (Stream<Path> files = Files.walk(dir.resolve("_rejected/events"))) {
            rejected = files.filter(f -> f.toString().endsWith(".jsonl")).mapToLong(f -> {
                try {
                    return Files.readAllLines(f).size();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sum();
        }
        assertThat(landed + rejected).as("every offset once, in the data or in _rejected/").isEqualTo(5);
        assertThat(r.written() + r.rejected()).isEqualTo(5);
        again.close();
    }

    @Test
    void newFieldsAndWiderNumbersStartNewSchemaVersionsAndEveryValueSurvives() throws Exception {
        AppendWriter w = writer(FEED, settings(1000, Duration.ofHours(1), 64L << 20, 64));
        w.append(List.of(rec(0, 0, "{\"ID\": 1, \"TS\": \"2025-10-13T10:00:00Z\", \"N\": 5}")));
        // wider number, a new nested field, a field with a name Parquet/Avro would not accept
        w.append(List.of(rec(0, 1, "{\"ID\": 2, \"TS\": \"2025-10-13T11:00:00Z\", \"N\": 5.5, \"GEO\": {\"CITY\": \"Paris\"}}")));
        w.append(List.of(rec(0, 2, "{\"ID\": 3, \"TS\": \"2025-10-13T12:00:00Z\", \"N\": 7, \"first name\": \"Ada\", \"TAGS\": [\"a\", null]}")));
        // a type that cannot be widened: rejected, the feed goes on
        var r = w.append(List.of(rec(0, 3, "{\"ID\": \"four\", \"TS\": \"2025-10-13T12:00:00Z\"}"),
                rec(0, 4, "{\"ID\": 5, \"TS\": \"2025-10-13T13:00:00Z\", \"N\": 1}")));
        assertThat(r.written()).isEqualTo(1);
        assertThat(r.rejected()).isEqualTo(1);
        w.close();

        String t = lake.stream("events");
        assertThat(lake.rows("SELECT ID, N, GEO.CITY, first_name, TAGS FROM " + t + " ORDER BY ID").toString())
                .isEqualTo("[[1, 5.0, null, null, null], [2, 5.5, Paris, null, null], [3, 7.0, null, Ada, [a, null]], [5, 1.0, null, null, null]]");
        JsonNode meta = JSON.readTree(dir.resolve("streams/events/_metadata.json").toFile());
        assertThat(meta.get("schema_version").asInt()).isEqualTo(3);
        assertThat(meta.get("schemas").get(0).get("fields").toString()).isEqualTo("{\"ID\":\"long\",\"TS\":\"string\",\"N\":\"long\"}");
        assertThat(meta.get("rejected_records").asInt()).isEqualTo(1);
        // the schema outlives the writer: a restart continues at the same version
        AppendWriter again = writer(FEED, settings(1000, Duration.ofHours(1), 64L << 20, 64));
        again.append(List.of(rec(0, 5, "{\"ID\": 6, \"TS\": \"2025-10-13T14:00:00Z\", \"N\": 2}")));
        again.close();
        assertThat(JSON.readTree(dir.resolve("streams/events/_metadata.json").toFile()).get("schema_version").asInt()).isEqualTo(3);
        assertThat(lake.count("SELECT count(*) FROM " + t)).isEqualTo(5);
    }

    @Test
    void aBatchDecodedBeforeTheSchemaWidenedLandsUnderTheWiderSchema() throws Exception {
        AppendWriter w = writer(FEED, settings(1000, Duration.ofHours(1), 64L << 20, 64));
        w.append(List.of(rec(0, 0, "{\"ID\": 1, \"TS\": \"2025-10-13T10:00:00Z\", \"N\": 5}")));
        // the consumer decodes its next batch (straight into schema version 1) while the one before widens the schema
        AppendWriter.DecodedBatch ahead = w.decode(List.of(rec(0, 2, "{\"ID\": 3, \"TS\": \"2025-10-13T12:00:00Z\", \"N\": 7}")));
        w.append(List.of(rec(0, 1, "{\"ID\": 2, \"TS\": \"2025-10-13T11:00:00Z\", \"N\": 5.5, \"GEO\": {\"CITY\": \"Paris\"}}")));
        assertThat(w.append(ahead).written()).isEqualTo(1);
        w.close();

        assertThat(lake.rows("SELECT ID, N, GEO.CITY FROM " + lake.stream("events") + " ORDER BY ID").toString())
                .isEqualTo("[[1, 5.0, null], [2, 5.5, Paris], [3, 7.0, null]]");
    }

    @Test
    void aRecordWithADuplicateKeyAtAnyDepthIsRejectedWithTheKeyNamed() throws Exception {
        AppendWriter w = writer(FEED, settings(1000, Duration.ofHours(1), 64L << 20, 64));
        var r = w.append(List.of(rec(0, 0, "{\"ID\": 1, \"TS\": \"2025-10-13T10:00:00Z\", \"ID\": 2}"),
                rec(0, 1, "{\"ID\": 3, \"TS\": \"2025-10-13T10:00:00Z\", \"GEO\": {\"CITY\": \"a\", \"CITY\": \"b\"}}"),
                rec(0, 2, "{\"ID\": 4, \"TS\": \"2025-10-13T10:00:00Z\", \"GEO\": {\"CITY\": \"c\"}}")));
        w.close();
        assertThat(r.written()).isEqualTo(1);
        assertThat(r.rejected()).isEqualTo(2);
        assertThat(lake.rows("SELECT ID, GEO.CITY FROM " + lake.stream("events")).toString()).isEqualTo("[[4, c]]");
        try (var files = java.nio.file.Files.walk(dir.resolve("_rejected/events"))) {
            String lines = files.filter(f -> f.toString().endsWith(".jsonl")).map(f -> {
                try {
                    return java.nio.file.Files.readString(f);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).reduce("", String::concat);
            assertThat(lines).contains("Duplicate field 'ID'").contains("Duplicate field 'CITY'");
        }
    }

    @Test
    void manyOpenDayPartitionsOfTwoFeedsStayWithinOneSharedMemoryBudget() throws Exception {
        long limit = 256 * 1024;
        AppendSettings shared = settings(1_000_000, Duration.ofHours(1), limit, 1000);
        AppendWriter a = writer(FEED, shared);
        AppendWriter b = writer(FEED.replace("events", "others"), shared);
        String pad = "x".repeat(200);
        long offset = 0;
        for (int batch = 0; batch < 12; batch++) {
            for (AppendWriter w : List.of(a, b)) {
                List<SourceRecord> records = new ArrayList<>();
                for (int i = 0; i < 250; i++) {
                    long o = offset + i;
                    LocalDate day = DAY.minusDays(o % 60); // 60 day partitions open at once, interleaved
                    records.add(rec(0, o, "{\"ID\": " + o + ", \"TS\": \"" + day + "T10:00:00Z\", \"PAD\": \"" + pad + o + "\"}"));
                }
                w.append(records);
                assertThat(a.bufferedBytes() + b.bufferedBytes()).isLessThanOrEqualTo(limit);
            }
            offset += 250;
        }
        a.close();
        b.close();
        for (String feed : List.of("events", "others")) {
            String t = lake.stream(feed);
            assertThat(lake.count("SELECT count(*) FROM " + t)).isEqualTo(offset);
            assertThat(lake.count("SELECT count(DISTINCT ID) FROM " + t)).isEqualTo(offset);
            assertThat(lake.count("SELECT count(DISTINCT (year, month, day)) FROM " + t)).isEqualTo(60);
        }
        assertThat(a.counters().filesPublished()).isGreaterThan(60); // the budget forced early publishing
    }

    @Test
    void aFileThatGetsNoRecordForMaxIdleIsPublishedWhileABusyOneKeepsFilling() throws Exception {
        AppendSettings idle = new AppendSettings(1_000_000, 128L << 20, Duration.ofHours(1), Duration.ofSeconds(5),
                new MemoryBudget(64L << 20), 64, 32L << 20, ZoneOffset.UTC, true);
        AppendWriter w = writer(FEED, idle);
        long offset = 0;
        w.append(List.of(rec(0, offset++, "{\"ID\": 0, \"TS\": \"" + DAY.minusDays(1) + "T10:00:00Z\"}"))); // then quiet
        for (int second = 0; second < 8; second++) {
            w.append(List.of(rec(0, offset, "{\"ID\": " + offset + ", \"TS\": \"" + DAY + "T10:00:00Z\"}")));
            offset++;
            clock.advance(Duration.ofSeconds(1));
            w.rotateExpired();
        }
        // 8 s after its only record the quiet day is published; the day that got one record a second is still open
        assertThat(lake.rows("SELECT CAST(make_date(year, month, day) AS VARCHAR), count(*) FROM " + lake.stream("events")
                + " GROUP BY ALL ORDER BY 1").toString()).isEqualTo("[[" + DAY.minusDays(1) + ", 1]]");
        assertThat(w.committable(null)).containsEntry(new TopicPartition("EVENTS", 0), 1L);
        clock.advance(Duration.ofSeconds(3));
        w.rotateExpired();
        assertThat(w.counters().filesPublished()).isEqualTo(1); // 4 s since its last record: not yet
        clock.advance(Duration.ofSeconds(1));
        w.rotateExpired();
        assertThat(lake.rows("SELECT CAST(make_date(year, month, day) AS VARCHAR), count(*), count(DISTINCT filename) FROM "
                + lake.stream("events") + " GROUP BY ALL ORDER BY 1").toString())
                .isEqualTo("[[" + DAY.minusDays(1) + ", 1, 1], [" + DAY + ", 8, 1]]");
        assertThat(w.committable(null)).containsEntry(new TopicPartition("EVENTS", 0), 9L);
        w.close();
    }

    @Test
    void lateRecordsForAnOldDayGatherInOneFileInsteadOfOneFileEach() throws Exception {
        AppendWriter w = writer(FEED, settings(1_000_000, Duration.ofMinutes(1), 64L << 20, 64));
        long offset = 0;
        for (int batch = 0; batch < 20; batch++) {
            List<SourceRecord> records = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                LocalDate day = i == 50 ? DAY.minusDays(30) : DAY; // one late record per batch
                records.add(rec(0, offset, "{\"ID\": " + offset + ", \"TS\": \"" + day + "T10:00:00Z\"}"));
                offset++;
            }
            w.append(records);
            clock.advance(Duration.ofSeconds(1));
        }
        clock.advance(Duration.ofMinutes(2));
        w.rotateExpired();
        assertThat(lake.rows("SELECT CAST(make_date(year, month, day) AS VARCHAR), count(*), count(DISTINCT filename) FROM "
                + lake.stream("events") + " GROUP BY ALL ORDER BY 1").toString())
                .isEqualTo("[[2025-09-13, 20, 1], [2025-10-13, 1980, 1]]");
        w.close();
    }

    @Test
    void rowsWithTheSameRowtimeStayInOneFileSoAReplayAfterACrashLosesNone() throws Exception {
        AppendWriter w = writer(FEED, settings(3, Duration.ofHours(1), 64L << 20, 64));
        KsqlRowSchema schema = new KsqlRowSchema("events", KsqlType.parseColumns("`ROWTIME` BIGINT, `ID` INTEGER, `TS` STRING"));
        long[] rowtimes = {1, 2, 2, 2, 2, 3};
        List<KsqlRowDecoder.Row> rows = new ArrayList<>();
        for (int i = 0; i < rowtimes.length; i++) {
            rows.add(new KsqlRowDecoder.Row("EVENTS", 0, rowtimes[i], rowtimes[i],
                    JSON.readTree("[" + rowtimes[i] + ", " + i + ", \"2025-10-13T10:00:00Z\"]")));
        }
        w.appendDeclared(schema, rows);
        // the 3-record limit waits for the end of the tie: rows 0..4 are published together, row 5 is still open
        assertThat(lake.count("SELECT count(*) FROM " + lake.stream("events"))).isEqualTo(5);
        w.reset(List.of(new TopicPartition("EVENTS", 0))); // a crash: the open file is lost, the poll runs again
        var replay = w.appendDeclared(schema, rows);
        assertThat(replay.skipped()).isEqualTo(5);
        assertThat(replay.written()).isEqualTo(1);
        w.close();
        assertThat(lake.rows("SELECT list(ID ORDER BY ID) FROM " + lake.stream("events")).toString()).isEqualTo("[[[0, 1, 2, 3, 4, 5]]]");
    }

    /**
     * A column whose values repeat at first and then outgrow the dictionary (REF) gives it up within the first file;
     * with {@code learn} (the default) the files after it are written without one for that column, while a column of
     * few values (STATUS) keeps its dictionary; with {@code always} every file tries it again. A column of unique
     * values (ID) gives it up at its first page, before any dictionary page is written. The same rows either way, read
     * back by DuckDB.
     */
    @Test
    void aColumnWhoseDictionaryWasGivenUpIsWrittenWithoutOneInTheFeedsNextFiles() throws Exception {
        for (boolean learn : new boolean[] {true, false}) {
            Path feedRoot = dir.resolve(learn ? "learn" : "always");
            storage = Storages.open(feedRoot.toString());
            AppendWriter w = writer(FEED, settings(20_000, Duration.ofHours(1), 64L << 20, 64, learn));
            List<SourceRecord> batch = new ArrayList<>();
            for (int o = 0; o < 60_000; o++) {
                batch.add(rec(0, o, "{\"ID\": \"TXN-" + (0x10000000L + o * 7919L) + "\", \"REF\": \"" + "%040d".formatted(o / 2)
                        + "\", \"STATUS\": \"" + (o % 3 == 0 ? "failed" : "completed") + "\", \"TS\": \"2025-10-13T10:00:00Z\"}"));
                if (batch.size() == 500) {
                    w.append(batch);
                    batch.clear();
                }
            }
            w.close();
            Lake read = new Lake(feedRoot);
            assertThat(read.rows("SELECT count(*), count(DISTINCT ID), count(*) FILTER (WHERE STATUS = 'failed') FROM "
                    + read.stream("events")).toString()).isEqualTo("[[60000, 60000, 20000]]");
            // per file, in the order written: whether each column chunk has a dictionary page
            String files = feedRoot.resolve("streams/events") + "/**/*.parquet";
            assertThat(read.rows("SELECT path_in_schema, list(dictionary_page_offset IS NOT NULL ORDER BY file_name) FROM parquet_metadata('"
                    + files + "') WHERE path_in_schema IN ('ID', 'REF', 'STATUS') GROUP BY ALL ORDER BY 1").toString())
                    .isEqualTo("[[ID, [false, false, false]], [REF, " + (learn ? "[true, false, false]" : "[true, true, true]")
                            + "], [STATUS, [true, true, true]]]");
        }
    }

    /**
     * A file of a few records gives up the dictionary of every column: the dictionary itself outweighs so few values.
     * That says nothing of the column, and the feed's later, larger files keep trying one for it.
     */
    @Test
    void aFileOfAFewRecordsTeachesNothingAboutTheDictionary() throws Exception {
        AppendWriter w = writer(FEED, settings(1_000_000, Duration.ofHours(1), 64L << 20, 64, true));
        w.append(List.of(rec(0, 0, "{\"ID\": 0, \"STATUS\": \"completed\", \"TS\": \"2025-10-13T10:00:00Z\"}")));
        w.publishAll();
        List<SourceRecord> batch = new ArrayList<>();
        for (int o = 1; o <= 5_000; o++) {
            batch.add(rec(0, o, "{\"ID\": " + o + ", \"STATUS\": \"" + (o % 3 == 0 ? "failed" : "completed")
                    + "\", \"TS\": \"2025-10-13T10:00:00Z\"}"));
        }
        w.append(batch);
        w.close();
        String files = dir.resolve("streams/events") + "/**/*.parquet";
        assertThat(lake.rows("SELECT list(dictionary_page_offset IS NOT NULL ORDER BY num_values) FROM parquet_metadata('"
                + files + "') WHERE path_in_schema = 'STATUS'").toString()).isEqualTo("[[[false, true]]]");
        assertThat(lake.count("SELECT count(*) FROM " + lake.stream("events"))).isEqualTo(5_001);
    }

    @Test
    void offsetsDeliveredAgainAfterARebalanceAreNotWrittenTwice() throws Exception {
        AppendWriter w = writer(FEED, settings(1000, Duration.ofHours(1), 64L << 20, 64));
        List<SourceRecord> first = new ArrayList<>();
        for (int o = 0; o < 5; o++) {
            first.add(rec(0, o, "{\"ID\": " + o + ", \"TS\": \"2025-10-13T10:00:00Z\"}"));
        }
        w.append(first);
        // camel-kafka handed over records it had queued, then the consumer fetched from the commit again
        var again = w.append(List.of(rec(0, 3, "{\"ID\": 3, \"TS\": \"2025-10-13T10:00:00Z\"}"),
                rec(0, 4, "{\"ID\": 4, \"TS\": \"2025-10-13T10:00:00Z\"}"),
                rec(0, 5, "{\"ID\": 5, \"TS\": \"2025-10-13T10:00:00Z\"}")));
        assertThat(again.skipped()).isEqualTo(2);
        w.close();
        assertThat(lake.count("SELECT count(*) FROM " + lake.stream("events"))).isEqualTo(6);
        assertThat(lake.count("SELECT count(DISTINCT ID) FROM " + lake.stream("events"))).isEqualTo(6);
    }

    @Test
    void offsetsAreCommittableOnlyUpToWhatIsPublished() throws Exception {
        AppendWriter w = writer(FEED, settings(3, Duration.ofHours(1), 64L << 20, 64));
        TopicPartition p0 = new TopicPartition("EVENTS", 0);
        w.append(List.of(rec(0, 0, "{\"ID\": 0, \"TS\": \"2025-10-13T10:00:00Z\"}"),
                rec(0, 1, "{\"ID\": 1, \"TS\": \"2025-10-12T10:00:00Z\"}"),
                rec(0, 2, "{\"ID\": 2, \"TS\": \"2025-10-13T10:00:00Z\"}")));
        assertThat(w.committable(null)).isEqualTo(Map.of(p0, 0L)); // offset 0 sits in an open file
        w.append(List.of(rec(0, 3, "{\"ID\": 3, \"TS\": \"2025-10-13T10:00:00Z\"}"))); // day 13 reaches 3 records
        assertThat(w.committable(null)).isEqualTo(Map.of(p0, 1L)); // day 12 (offset 1) is still open
        w.committed(Map.of(p0, 1L));
        // a replay of the same offsets (after a crash or a rebalance) adds nothing
        w.reset(List.of(p0));
        var again = w.append(List.of(rec(0, 1, "{\"ID\": 1, \"TS\": \"2025-10-12T10:00:00Z\"}"),
                rec(0, 2, "{\"ID\": 2, \"TS\": \"2025-10-13T10:00:00Z\"}"),
                rec(0, 3, "{\"ID\": 3, \"TS\": \"2025-10-13T10:00:00Z\"}")));
        assertThat(again.skipped()).isEqualTo(2);
        assertThat(again.written()).isEqualTo(1);
        w.close();
        assertThat(lake.count("SELECT count(*) FROM " + lake.stream("events"))).isEqualTo(4);
        try (Stream<Path> files = Files.walk(dir.resolve("streams/events"))) {
            assertThat(files.filter(p -> p.toString().endsWith(".parquet")).map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("data_20260101_000000_EVENTS+0+0+3.parquet", "data_20260101_000000_EVENTS+0+1+1.parquet");
        }
    }
}
