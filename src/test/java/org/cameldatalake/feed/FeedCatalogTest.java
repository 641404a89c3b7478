package org.cameldatalake.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeedCatalogTest {
    @TempDir
    Path dir;

    @Test
    void aDuplicateNameKeepsTheFirstFileOrTheOneARunningFeedCameFrom() throws Exception {
        Path active = Files.createDirectories(dir.resolve("active"));
        Path running = Files.writeString(active.resolve("x.json"), "{\"feed_name\": \"x\", \"feed_type\": \"stream\", \"kafka_topic\": \"REAL\"}");
        Files.writeString(active.resolve("a_draft.json"), "{\"feed_name\": \"x\", \"feed_type\": \"stream\", \"kafka_topic\": \"DRAFT\"}");

        FeedCatalog cold = FeedCatalog.load(dir); // at start-up: name order decides
        assertThat(cold.feed("x").kafkaTopic()).isEqualTo("DRAFT");
        assertThat(cold.problems()).singleElement().satisfies(p -> assertThat(p.file()).isEqualTo(running));

        FeedCatalog hot = FeedCatalog.load(dir, "active", Map.of("x", running)); // while x runs from x.json
        assertThat(hot.feed("x").kafkaTopic()).isEqualTo("REAL");
        assertThat(hot.problems()).singleElement().satisfies(p -> {
            assertThat(p.file().getFileName().toString()).isEqualTo("a_draft.json");
            assertThat(p.getMessage()).contains("already declared by x.json (running)");
        });
    }
}
