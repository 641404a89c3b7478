package org.cameldatalake;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.cameldatalake.runtime.FeedRouteManager;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feed files written to break out of the lake or the SQL: each is refused with its file and field named, the valid
 * feeds beside them run (one named after an SQL keyword), and nothing is written outside the lake root.
 */
class HostileConfigTest {
    @TempDir
    Path dir;

    @Test
    void hostileFeedFilesAreRefusedByFileAndFieldAndNothingLandsOutsideTheLake() throws Exception {
        KafkaSupport.broker().createTopics(2, List.of("HOSTILE_TX"));
        KafkaSupport.sendTransactions("HOSTILE_TX", 31, 200, LocalDate.of(2025, 5, 1), 1);
        Map<String, String> hostile = Map.ofEntries(
                Map.entry("dotdot.json", stream("../escape", "HOSTILE_TX")),
                Map.entry("slash.json", stream("a/b", "HOSTILE_TX")),
                Map.entry("space.json", stream("has space", "HOSTILE_TX")),
                Map.entry("upper.json", stream("UPPER", "HOSTILE_TX")),
                Map.entry("long.json", stream("x".repeat(300), "HOSTILE_TX")),
                Map.entry("topic.json", stream("bad_topic", "../../etc/passwd")),
                Map.entry("zz_duplicate.json", stream("select", "HOSTILE_TX")),
                Map.entry("unknown.json", stream("unknown_field", "HOSTILE_TX").replace("{", "{\"feed_nmae\": \"typo\", ")),
                Map.entry("cron.json", """
                        {"feed_name": "bad_cron", "feed_type": "table", "source": "ksqldb", "ksqldb_source": "t",
                         "schedule": "every hour"}"""));
        Map<String, String> fieldOf = Map.of("dotdot.json", "feed_name", "slash.json", "feed_name", "space.json", "feed_name",
                "upper.json", "feed_name", "long.json", "feed_name", "topic.json", "kafka_topic", "zz_duplicate.json", "feed_name",
                "unknown.json", "feed_nmae", "cron.json", "schedule");
        try (Service service = new Service(dir)) {
            service.feedFile("select.json", stream("select", "HOSTILE_TX")); // an SQL keyword is a fine feed name
            for (Map.Entry<String, String> e : hostile.entrySet()) {
                service.feedFile(e.getKey(), e.getValue());
            }
            service.set("datalake.append.max-age", "1s").start();
            await().atMost(60, SECONDS).until(() -> service.lake().streamRows("select") == 200);

            List<FeedRouteManager.FeedStatus> status = service.feeds().status();
            for (String file : hostile.keySet()) {
                assertThat(status).as(file).anySatisfy(st -> {
                    assertThat(st.state()).isEqualTo(FeedRouteManager.State.INVALID);
                    assertThat(st.file()).endsWith(file);
                    assertThat(st.detail()).contains(file).contains("field '" + fieldOf.get(file) + "'");
                });
            }
            assertThat(status).filteredOn(st -> st.state() == FeedRouteManager.State.RUNNING)
                    .extracting(FeedRouteManager.FeedStatus::feed).containsExactly("select");
        }
        try (Stream<Path> top = Files.list(dir)) {
            assertThat(top.map(p -> p.getFileName().toString()).collect(Collectors.toSet()))
                    .as("nothing beside the lake and the feeds folder").containsExactlyInAnyOrder("data_lake", "feeds");
        }
        try (Stream<Path> streams = Files.list(dir.resolve("data_lake/streams"))) {
            assertThat(streams.map(p -> p.getFileName().toString())).containsExactly("select");
        }
        try (Stream<Path> all = Files.walk(dir.resolve("data_lake"))) {
            assertThat(all.map(p -> dir.resolve("data_lake").relativize(p).toString()))
                    .noneMatch(p -> p.contains("escape") || p.contains("passwd") || p.contains("UPPER") || p.contains(" "));
        }
    }

    private static String stream(String name, String topic) {
        return """
                {"feed_name": "%s", "feed_type": "stream", "source": "kafka", "kafka_topic": "%s",
                 "partitioning": {"type": "date", "columns": ["year", "month", "day"], "timestamp_field": "TIMESTAMP"}}
                """.formatted(name, topic);
    }
}
