package org.cameldatalake.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.camel.ProducerTemplate;
import org.cameldatalake.feed.FeedCatalog;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.feed.FeedFileParser;
import org.cameldatalake.feed.FeedRouteManager;
import org.cameldatalake.source.KsqlDbCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "feeds", description = "Manage feed files.", subcommands = {FeedsCommand.Discover.class})
public final class FeedsCommand {

    @Command(name = "discover", description = {"List the ksqlDB streams and tables that have no feed file;",
            "with --write, create a feed file for each in feeds/active/."})
    static final class Discover implements Callable<Integer> {
        @Option(names = "--write", description = "create the missing feed files")
        boolean write;

        @Override
        public Integer call() throws Exception {
            try (CliRuntime runtime = new CliRuntime(); ProducerTemplate template = runtime.context().createProducerTemplate()) {
                String url = runtime.context().resolvePropertyPlaceholders("{{datalake.ksqldb.url}}");
                List<KsqlDbCatalog.SourceInfo> sources;
                try {
                    sources = KsqlDbCatalog.list(template, url);
                } catch (Exception e) {
                    System.err.println("camel-datalake feeds discover: ksqlDB at " + url + ": " + FeedRouteManager.reason(e));
                    return 1;
                }
                FeedRouteManager manager = runtime.feeds();
                FeedCatalog catalog = manager.catalog();
                int missing = 0;
                for (KsqlDbCatalog.SourceInfo s : sources) {
                    if (s.name().startsWith("KSQL_")) {
                        continue; // ksqlDB's own processing log
                    }
                    boolean covered = catalog.feeds().stream().anyMatch(f -> s.name().equalsIgnoreCase(f.ksqldbSource())
                            || (f.source() == FeedDefinition.SourceKind.KAFKA && s.topic().equals(f.kafkaTopic())));
                    if (covered) {
                        continue;
                    }
                    missing++;
                    String name = s.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
                    String type = s.type().equalsIgnoreCase("TABLE") ? "table" : "stream";
                    System.out.printf("%-6s %-40s topic %-40s %s%s%n", type, s.name(), s.topic(), s.valueFormat(),
                            s.windowed() ? " windowed" : "");
                    if (write) {
                        Path file = manager.activeFeedsDir().resolve(name + ".json");
                        if (Files.exists(file)) {
                            System.err.println("  not written: " + file + " exists");
                            continue;
                        }
                        String json = "{\"feed_name\": \"" + name + "\", \"feed_type\": \"" + type + "\", \"source\": \"ksqldb\", "
                                + "\"ksqldb_source\": \"" + s.name() + "\", \"kafka_topic\": \"" + s.topic() + "\", "
                                + "\"description\": \"discovered in ksqlDB\"}";
                        FeedDefinition f = FeedFileParser.parse(file, json); // same checks as every feed file
                        Files.createDirectories(file.getParent());
                        Files.writeString(file, FeedFileParser.JSON.writerWithDefaultPrettyPrinter()
                                .writeValueAsString(FeedFileParser.toJson(f)) + "\n");
                        System.out.println("  written: " + file);
                    }
                }
                System.out.println(missing == 0 ? "every ksqlDB stream and table has a feed file"
                        : missing + " ksqlDB source(s) without a feed file" + (write ? "" : " (use --write to create them)"));
                return 0;
            }
        }
    }
}
