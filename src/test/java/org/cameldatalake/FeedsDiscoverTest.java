package org.cameldatalake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.cameldatalake.feed.FeedCatalog;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.ksqldb.KsqlDbEmulator;
import org.cameldatalake.support.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code feeds discover [--write]} against the ksqlDB emulator, through the real command line. */
class FeedsDiscoverTest {
    @TempDir
    Path dir;

    @Test
    void listsKsqlDbSourcesWithoutAFeedFileAndWritesValidOnes() throws Exception {
        try (KsqlDbEmulator ksqldb = KsqlDbEmulator.start()) {
            ksqldb.createStream("TRANSACTION_STREAM", "TRANSACTIONS", List.of("ID STRING", "AMOUNT DOUBLE"), List.of());
            ksqldb.createStream("TRANSACTION_FLATTENED", "TRANSACTION_FLATTENED", List.of("ID STRING", "CITY STRING"), List.of());
            ksqldb.createTable("PAYMENT_METHOD_TOTALS", "PAYMENT_METHOD_TOTALS", List.of("METHOD STRING", "TOTAL DOUBLE"), List.of("METHOD"));
            ksqldb.createWindowedTable("SPEND_LAST_FIVE_MIN_BY_TYPE", "SPEND_LAST_FIVE_MIN_BY_TYPE", "TUMBLING", 300_000,
                    List.of("TRANSACTION_TYPE STRING", "TOTAL DOUBLE"), List.of("TRANSACTION_TYPE"));
            // ksqlDB takes any text as a quoted name: this one would add a field to a feed file written by joining strings
            ksqldb.createStream("`PAYMENTS\", \"security_level\": \"public`", "PAYMENTS_RAW", List.of("ID STRING"), List.of());
            Path active = Files.createDirectories(dir.resolve("feeds/active"));
            Files.copy(Path.of("feeds/active/transaction_stream.json"), active.resolve("transaction_stream.json"));
            Map<String, String> settings = Map.of("datalake.root", dir.resolve("data_lake").toString(),
                    "datalake.feeds.dir", dir.resolve("feeds").toString(), "datalake.ksqldb.url", ksqldb.url());

            Cli.Result list = Cli.run(dir, settings, "feeds", "discover");
            assertThat(list.exit()).isZero();
            assertThat(String.join("\n", list.out())).contains("TRANSACTION_FLATTENED", "PAYMENT_METHOD_TOTALS",
                    "SPEND_LAST_FIVE_MIN_BY_TYPE", "windowed", "4 ksqlDB source(s) without a feed file")
                    .doesNotContain("stream TRANSACTION_STREAM");
            assertThat(active.toFile().list()).containsExactly("transaction_stream.json"); // nothing written yet

            Cli.Result write = Cli.run(dir, settings, "feeds", "discover", "--write");
            assertThat(write.exit()).isZero();
            FeedCatalog catalog = FeedCatalog.load(dir.resolve("feeds"));
            assertThat(catalog.problems()).isEmpty();
            FeedDefinition table = catalog.feed("payment_method_totals");
            assertThat(table.type()).isEqualTo(FeedDefinition.FeedType.TABLE);
            assertThat(table.ksqldbSource()).isEqualTo("PAYMENT_METHOD_TOTALS");
            assertThat(catalog.feed("transaction_flattened").isKsqldbStream()).isTrue();
            assertThat(catalog.feed("spend_last_five_min_by_type")).isNotNull();
            assertThat(catalog.feeds()).as("the name stays a value: no feed gets a field from it")
                    .noneMatch(f -> f.securityLevel() == FeedDefinition.SecurityLevel.PUBLIC)
                    .noneMatch(f -> f.name().startsWith("payments"));
            assertThat(write.err()).anyMatch(l -> l.startsWith("  not written: ") && l.contains("field 'ksqldb_source'")
                    && l.contains("is not a ksqlDB identifier"));

            Cli.Result again = Cli.run(dir, settings, "feeds", "discover");
            assertThat(again.out()).contains("1 ksqlDB source(s) without a feed file (use --write to create them)");

            ksqldb.close();
            Cli.Result down = Cli.run(dir, settings, "feeds", "discover");
            assertThat(down.exit()).isEqualTo(1);
            assertThat(down.err()).anyMatch(l -> l.startsWith("camel-datalake feeds discover: ksqlDB at " + ksqldb.url()));
        }
    }
}
