package org.cameldatalake;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.cameldatalake.demo.TransactionGenerator;
import org.cameldatalake.feed.FeedCatalog;
import org.cameldatalake.support.Cli;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code feeds} commands, run as a user runs them (own JVM), beside a running service. */
class FeedsCliTest {
    @TempDir
    Path dir;

    private static void produce(String topic, long seed, int n) throws Exception {
        KafkaSupport.sendTransactions(topic, seed, n, java.time.LocalDate.of(2025, 10, 13), 2);
    }

    @Test
    void archiveAndRestoreStopAndStartTheRouteWhileTheDataStaysReadable() throws Exception {
        KafkaSupport.broker().createTopics(2, List.of("FC_TX"));
        produce("FC_TX", 41, 200);
        try (Service service = new Service(dir)) {
            Map<String, String> settings = new HashMap<>(service.settings());
            Cli.Result add = Cli.run(dir, settings, "feeds", "add", "--name", "fc_tx", "--type", "stream", "--topic", "FC_TX",
                    "--timestamp-field", "TIMESTAMP", "--description", "added from the CLI");
            assertThat(add.exit()).as(String.join("\n", add.err())).isZero();
            assertThat(dir.resolve("data_lake/streams/fc_tx")).isDirectory(); // the lake folder is created
            service.set("datalake.append.max-age", "1s").start();
            Lake lake = service.lake();
            await().atMost(30, SECONDS).until(() -> lake.streamRows("fc_tx") == 200);

            Cli.Result archive = Cli.run(dir, settings, "feeds", "archive", "fc_tx");
            assertThat(archive.exit()).isZero();
            await().atMost(10, SECONDS).until(() -> service.context().getRoute("feed-fc_tx") == null); // the service saw it
            assertThat(lake.count("SELECT count(*) FROM " + lake.stream("fc_tx"))).isEqualTo(200); // data stays readable
            assertThat(FeedCatalog.load(service.feedsDir(), "archived").feed("fc_tx").enabled()).isFalse();
            assertThat(service.feedsDir().resolve("active/fc_tx.json")).doesNotExist();
            produce("FC_TX", 42, 50); // arrives while archived

            Cli.Result list = Cli.run(dir, settings, "feeds", "list");
            assertThat(list.out()).anyMatch(l -> l.startsWith("fc_tx ") && l.contains("archived") && l.contains(" 200 "));

            Cli.Result restore = Cli.run(dir, settings, "feeds", "restore", "fc_tx");
            assertThat(restore.exit()).isZero();
            await().atMost(10, SECONDS).until(() -> service.context().getRoute("feed-fc_tx") != null);
            await().atMost(30, SECONDS).until(() -> lake.streamRows("fc_tx") == 250); // catches up, nothing repeated
            assertThat(lake.count("SELECT count(DISTINCT TRANSACTION_ID) FROM " + lake.stream("fc_tx"))).isEqualTo(250);

            Cli.Result update = Cli.run(dir, settings, "feeds", "update", "fc_tx", "--set", "compression=zstd",
                    "--set", "rotation.max_age=5s");
            assertThat(update.exit()).as(String.join("\n", update.err())).isZero();
            var updated = FeedCatalog.load(service.feedsDir()).feed("fc_tx");
            assertThat(updated.compression().json()).isEqualTo("zstd");
            assertThat(updated.rotation().maxAge()).hasSeconds(5);

            assertThat(Cli.run(dir, settings, "feeds", "validate").exit()).isZero();
            Cli.Result sync = Cli.run(dir, settings, "feeds", "sync");
            assertThat(sync.out()).contains("in sync:  streams/fc_tx");
        }
    }

    @Test
    void badInputExitsTwoWithOneLineAndWritesNothing() throws Exception {
        Service service = new Service(dir);
        service.feedFile("good.json", "{\"feed_name\": \"good\", \"feed_type\": \"stream\"}");
        String before = Files.readString(service.feedsDir().resolve("active/good.json"));
        Map<String, String> settings = service.settings();
        String[][] bad = {
                {"feeds", "update", "nope", "--set", "compression=zstd"},
                {"feeds", "add", "--name", "../x", "--type", "stream"},
                {"feeds", "add", "--name", "Bad Name", "--type", "stream"},
                {"feeds", "update", "good", "--set", "colour=red"},
                {"feeds", "add", "--name", "other", "--type", "view"},
        };
        String[] expected = {"no active feed named 'nope'", "'../x' is not a feed name", "'Bad Name' is not a feed name",
                "field 'colour': unknown field", "field 'feed_type': 'view' is not one of stream | table"};
        for (int i = 0; i < bad.length; i++) {
            Cli.Result r = Cli.run(dir, settings, bad[i]);
            assertThat(r.exit()).as(String.join(" ", bad[i])).isEqualTo(2);
            List<String> errors = r.err().stream().filter(l -> l.startsWith("camel-datalake feeds")).toList();
            assertThat(errors).singleElement().asString().contains(expected[i]);
        }
        try (var files = Files.list(service.feedsDir().resolve("active"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("good.json");
        }
        assertThat(Files.readString(service.feedsDir().resolve("active/good.json"))).isEqualTo(before);
        assertThat(dir.resolve("data_lake/streams/other")).doesNotExist();
    }
}
