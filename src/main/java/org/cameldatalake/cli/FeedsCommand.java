package org.cameldatalake.cli;

import org.cameldatalake.partition.LakeLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.camel.ProducerTemplate;
import org.cameldatalake.feed.FeedCatalog;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.feed.FeedFileParser;
import org.cameldatalake.runtime.DatalakeSettings;
import org.cameldatalake.runtime.FeedRouteManager;
import org.cameldatalake.ksqldb.KsqlDbCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import org.cameldatalake.feed.FeedFiles;

@Command(name = "feeds", description = "Manage feed files (the running service applies changes within seconds).",
        subcommands = {FeedsCommand.ListFeeds.class, FeedsCommand.Add.class, FeedsCommand.Update.class,
                FeedsCommand.Archive.class, FeedsCommand.Restore.class, FeedsCommand.Sync.class,
                FeedsCommand.Validate.class, FeedsCommand.Discover.class})
public final class FeedsCommand {
    /** Bad input on the command line: exit status 2 and one line on stderr (picocli uses 2 for usage errors too). */
    static final int BAD_INPUT = 2;

    static int fail(String command, String message) {
        System.err.println("camel-datalake feeds " + command + ": " + message);
        return BAD_INPUT;
    }

    static boolean validName(String name) {
        return FeedFileParser.FEED_NAME.matcher(name).matches();
    }

    @Command(name = "list", description = "Every feed: name, type, source, mode, retention, enabled, records, size, last export.")
    static final class ListFeeds implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            try (CliLake lake = CliLake.open()) {
                FeedFiles files = new FeedFiles(lake.settings().feedsDir());
                System.out.printf("%-32s %-6s %-7s %-9s %-9s %-8s %10s %10s  %s%n", "NAME", "TYPE", "SOURCE", "MODE",
                        "RETENTION", "ENABLED", "RECORDS", "SIZE_MB", "LAST_EXPORT");
                List<FeedDefinition> all = new java.util.ArrayList<>(lake.catalog().feeds());
                all.addAll(files.archivedFeeds());
                for (FeedDefinition f : all) {
                    var meta = metadata(lake.storage(), f);
                    System.out.printf("%-32s %-6s %-7s %-9s %-9s %-8s %10d %10.3f  %s%n", f.name(), f.type().json(),
                            f.source().json(), f.storageMode(),
                            f.type() == FeedDefinition.FeedType.STREAM ? f.retentionDays() + "d" : f.retentionVersions() + "v",
                            f.enabled() ? "yes" : "archived", meta.path("total_records").asLong(),
                            meta.path("total_size_mb").asDouble(), meta.path("last_export").asText("-"));
                }
                return 0;
            }
        }

        private static com.fasterxml.jackson.databind.JsonNode metadata(org.cameldatalake.storage.Storage storage, FeedDefinition f) {
            try {
                var path = new LakeLayout(storage).metadata(f.type(), f.name());
                return storage.exists(path) ? FeedFileParser.JSON.readTree(storage.read(path))
                        : FeedFileParser.JSON.createObjectNode();
            } catch (java.io.IOException e) {
                return FeedFileParser.JSON.createObjectNode();
            }
        }
    }

    @Command(name = "add", description = "Write a new feed file (checked like any feed file) and create its lake folder.")
    static final class Add implements Callable<Integer> {
        @Option(names = "--name", required = true) String name;
        @Option(names = "--type", required = true, description = "stream | table") String type;
        @Option(names = "--source", description = "kafka | ksqldb | sql (default: kafka for streams, ksqldb for tables)") String source;
        @Option(names = "--sql", description = "the SELECT of a SQL table feed (--source sql), over the lake's feeds") String sql;
        @Option(names = "--topic", description = "Kafka topic") String topic;
        @Option(names = "--ksqldb-source", description = "ksqlDB stream or table") String ksqldbSource;
        @Option(names = "--description") String description;
        @Option(names = "--timestamp-field") String timestampField;
        @Option(names = "--retention-days") Integer retentionDays;
        @Option(names = "--retention-versions") Integer retentionVersions;
        @Option(names = "--security-level", description = "restricted | public") String securityLevel;
        @Option(names = "--schedule", description = "Quartz cron for ksqlDB feeds") String schedule;

        @Override
        public Integer call() throws Exception {
            if (!validName(name)) {
                return fail("add", "'" + name + "' is not a feed name (^[a-z][a-z0-9_]{0,62}$)");
            }
            var json = FeedFileParser.JSON.createObjectNode();
            json.put("feed_name", name);
            json.put("feed_type", type);
            putIf(json, "source", source);
            putIf(json, "kafka_topic", topic);
            putIf(json, "ksqldb_source", ksqldbSource);
            putIf(json, "description", description);
            putIf(json, "schedule", schedule);
            putIf(json, "sql", sql);
            putIf(json, "security_level", securityLevel);
            if (timestampField != null) {
                json.putObject("partitioning").put("timestamp_field", timestampField);
            }
            if (retentionDays != null) {
                json.put("retention_days", retentionDays);
            }
            if (retentionVersions != null) {
                json.put("retention_versions", retentionVersions);
            }
            try (CliRuntime runtime = new CliRuntime()) {
                FeedRouteManager m = runtime.feeds();
                FeedDefinition f;
                try {
                    f = new FeedFiles(m.settings().feedsDir()).add(json);
                } catch (org.cameldatalake.feed.FeedFileException e) {
                    return fail("add", e.getMessage());
                }
                m.storage().mkdirs(new LakeLayout(m.storage()).feedDir(f.type(), f.name()));
                System.out.println("added " + f.file() + " (" + f.type().json() + " from " + f.source().json() + ")");
                return 0;
            }
        }

        private static void putIf(com.fasterxml.jackson.databind.node.ObjectNode o, String k, String v) {
            if (v != null) {
                o.put(k, v);
            }
        }
    }

    @Command(name = "update", description = "Change fields of a feed file: --set key=value (dotted keys for nested fields).")
    static final class Update implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Option(names = "--set", required = true, paramLabel = "KEY=VALUE") java.util.Map<String, String> settings;

        @Override
        public Integer call() throws Exception {
            if (!validName(name)) {
                return fail("update", "'" + name + "' is not a feed name (^[a-z][a-z0-9_]{0,62}$)");
            }
            try (CliRuntime runtime = new CliRuntime()) {
                FeedDefinition f = new FeedFiles(runtime.feeds().settings().feedsDir()).update(name, settings);
                System.out.println("updated " + f.file());
                return 0;
            } catch (org.cameldatalake.feed.FeedFileException e) {
                return fail("update", e.getMessage());
            }
        }
    }

    @Command(name = "archive", description = "Move a feed to feeds/archived/ (enabled: false); its data stays readable.")
    static final class Archive implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME") String name;

        @Override
        public Integer call() throws Exception {
            if (!validName(name)) {
                return fail("archive", "'" + name + "' is not a feed name (^[a-z][a-z0-9_]{0,62}$)");
            }
            try (CliRuntime runtime = new CliRuntime()) {
                System.out.println("archived to " + new FeedFiles(runtime.feeds().settings().feedsDir()).archive(name));
                return 0;
            } catch (org.cameldatalake.feed.FeedFileException e) {
                return fail("archive", e.getMessage());
            }
        }
    }

    @Command(name = "restore", description = "Bring an archived feed back to feeds/active/ (enabled: true).")
    static final class Restore implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME") String name;

        @Override
        public Integer call() throws Exception {
            if (!validName(name)) {
                return fail("restore", "'" + name + "' is not a feed name (^[a-z][a-z0-9_]{0,62}$)");
            }
            try (CliRuntime runtime = new CliRuntime()) {
                System.out.println("restored to " + new FeedFiles(runtime.feeds().settings().feedsDir()).restore(name));
                return 0;
            } catch (org.cameldatalake.feed.FeedFileException e) {
                return fail("restore", e.getMessage());
            }
        }
    }

    @Command(name = "sync", description = {"Create the lake folders and metadata of the active feeds that have none; report drift "
            + "between files and lake.", "Feeds already in the lake are not touched (safe beside a running service)."})
    static final class Sync implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            try (CliRuntime runtime = new CliRuntime()) {
                FeedRouteManager m = runtime.feeds();
                FeedCatalog catalog = m.catalog();
                catalog.problems().forEach(p -> System.out.println("invalid file: " + p.getMessage()));
                java.util.Set<String> declared = new java.util.HashSet<>();
                catalog.feeds().forEach(f -> declared.add(f.type().dir() + "/" + f.name()));
                new FeedFiles(m.settings().feedsDir()).archivedFeeds().forEach(f -> declared.add(f.type().dir() + "/" + f.name()));
                for (FeedDefinition f : catalog.feeds()) {
                    boolean existed = m.storage().exists(new LakeLayout(m.storage()).metadata(f.type(), f.name()));
                    // a feed that has metadata is left alone: a running service may own its partitions and manifests,
                    // which a writer started here would reconcile behind its back; the writer's start does it anyway
                    if (!existed && f.type() == FeedDefinition.FeedType.STREAM) {
                        m.withStreamWriter(f, w -> null); // a writer's start creates the folder and its metadata
                    } else if (!existed) {
                        m.openSnapshotWriter(f);
                    }
                    System.out.println((existed ? "in sync:  " : "created:  ") + f.type().dir() + "/" + f.name());
                }
                int orphans = 0;
                for (String dir : List.of("streams", "tables")) {
                    for (var s : m.storage().list(m.storage().path(dir))) {
                        String rel = dir + "/" + s.getPath().getName();
                        if (s.isDirectory() && !declared.contains(rel)) {
                            System.out.println("drift:    " + rel + " has data but no feed file (active or archived)");
                            orphans++;
                        }
                    }
                }
                return catalog.problems().isEmpty() && orphans == 0 ? 0 : 1;
            }
        }
    }

    @Command(name = "validate", description = "Check every feed file (active and archived); exit 1 when any is invalid.")
    static final class Validate implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            Path feedsDir = DatalakeSettings.withoutCamel().feedsDir();
            int bad = 0;
            for (String folder : List.of("active", "archived")) {
                FeedCatalog c = FeedCatalog.load(feedsDir, folder);
                for (FeedDefinition f : c.feeds()) {
                    System.out.println("valid:   " + f.file());
                }
                for (var p : c.problems()) {
                    System.out.println("invalid: " + p.getMessage());
                    bad++;
                }
            }
            return bad == 0 ? 0 : 1;
        }
    }

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
                        // names come from ksqlDB: they are values in a JSON tree, never pieces of JSON text
                        var json = FeedFileParser.JSON.createObjectNode();
                        json.put("feed_name", name);
                        json.put("feed_type", type);
                        json.put("source", "ksqldb");
                        json.put("ksqldb_source", s.name());
                        json.put("kafka_topic", s.topic());
                        json.put("description", "discovered in ksqlDB");
                        try {
                            new FeedFiles(manager.settings().feedsDir()).add(json); // same checks as every feed file
                        } catch (org.cameldatalake.feed.FeedFileException e) {
                            System.err.println("  not written: " + e.getMessage());
                            continue;
                        }
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
