package org.cameldatalake.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.cameldatalake.runtime.DatalakeRuntime;
import org.cameldatalake.runtime.DatalakeSettings;
import org.cameldatalake.feed.FeedCatalog;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.feed.FeedFileException;
import org.cameldatalake.runtime.FeedRouteManager;
import org.cameldatalake.kafka.KafkaProbe;
import org.cameldatalake.health.SourceHealthChecks;
import org.cameldatalake.storage.Storage;
import org.cameldatalake.warehouse.Warehouse;
import picocli.CommandLine.Command;

@Command(name = "doctor", description = {"Checks an installation (the seed's test_setup.py): Java, configuration, lake root,",
        "feed files, Kafka, ksqlDB and the warehouse. One ✓/✗ line each; exit status 1 when any check fails.",
        "A source no active feed reads is not checked (–)."})
public final class DoctorCommand implements Callable<Integer> {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final List<String> CRONS = List.of("datalake.maintenance.retention-cron", "datalake.maintenance.archiving-cron",
            "datalake.maintenance.permissions-cron", "datalake.maintenance.reports-cron");

    private enum Outcome { PASS, FAIL, SKIP }

    private record Check(Outcome outcome, String what, String detail) {
        String line() {
            String mark = switch (outcome) {
                case PASS -> "✓";
                case FAIL -> "✗";
                case SKIP -> "–";
            };
            return mark + " " + what + (detail == null || detail.isEmpty() ? "" : ": " + detail);
        }
    }

    @Override
    public Integer call() {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        List<Check> checks = new ArrayList<>();
        checks.add(java());
        DatalakeSettings settings;
        try {
            // the settings the service would start with, read as it reads them but without starting Camel
            settings = DatalakeSettings.withoutCamel();
        } catch (RuntimeException e) {
            checks.add(new Check(Outcome.FAIL, "configuration", "the service does not start: " + FeedRouteManager.reason(e)));
            checks.forEach(c -> out.println(c.line()));
            return 1;
        }
        checks.add(configuration());
        KafkaProbe probe = new KafkaProbe(DatalakeRuntime.setting("camel.component.kafka.brokers", null));
        try (probe) {
            List<FeedDefinition> active = new ArrayList<>();
            List<Check> feedFiles = feedFiles(settings.feedsDir(), active);
            long kafkaFeeds = active.stream().filter(FeedDefinition::isKafkaStream).count();
            // the Kafka client loads and connects (most of a second in a cold JVM) while the lake is checked
            CompletableFuture<String> cluster = kafkaFeeds == 0 ? null : CompletableFuture.supplyAsync(() -> {
                try {
                    return probe.clusterId(TIMEOUT);
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            try (CliLake lake = CliLake.open(settings)) {
                checks.add(lakeRoot(lake.storage()));
                checks.addAll(feedFiles);
                checks.addAll(retention(lake.storage(), active));
                checks.add(kafka(probe.brokers(), cluster, kafkaFeeds));
                checks.add(ksqlDb(settings.ksqldbUrl(), active.stream().filter(f -> f.source() == FeedDefinition.SourceKind.KSQLDB).count()));
                String configured = DatalakeRuntime.setting("datalake.warehouse.url", null);
                boolean used = active.stream().anyMatch(f -> f.warehouse() != null);
                checks.add(warehouse(configured != null ? configured : used
                        ? Warehouse.fromSettings(null, lake.storage().localRoot()).url() : null));
            }
        } catch (Exception e) {
            checks.add(new Check(Outcome.FAIL, "doctor", FeedRouteManager.reason(e)));
        }
        checks.forEach(c -> out.println(c.line()));
        long failed = checks.stream().filter(c -> c.outcome() == Outcome.FAIL).count();
        out.println(failed == 0 ? "all checks passed" : failed + " check(s) failed");
        return failed == 0 ? 0 : 1;
    }

    private static Check java() {
        Runtime.Version v = Runtime.version();
        String what = "Java " + v + " (" + System.getProperty("java.vendor") + ")";
        return v.feature() >= 17 ? new Check(Outcome.PASS, what, null) : new Check(Outcome.FAIL, what, "Java 17 or later is needed");
    }

    private static Check configuration() {
        Path file = Path.of("application.properties").toAbsolutePath();
        String from = Files.isRegularFile(file) ? file.toString() : "the copy inside the jar";
        List<String> bad = new ArrayList<>();
        for (String key : CRONS) {
            String cron = DatalakeRuntime.setting(key, null);
            if (cron != null && !org.quartz.CronExpression.isValidExpression(cron)) {
                bad.add(key + " = '" + cron + "' is not a Quartz cron");
            }
        }
        return bad.isEmpty() ? new Check(Outcome.PASS, "configuration", "settings from " + from)
                : new Check(Outcome.FAIL, "configuration", String.join("; ", bad));
    }

    private static Check lakeRoot(Storage storage) {
        String what = "lake root " + storage.root() + " is writable";
        try {
            org.apache.hadoop.fs.Path probe = storage.path(".doctor-" + ProcessHandle.current().pid());
            storage.writeNew(probe, "doctor".getBytes(StandardCharsets.UTF_8));
            storage.delete(probe, false);
            return new Check(Outcome.PASS, what, null);
        } catch (Exception e) {
            return new Check(Outcome.FAIL, what, e.getMessage());
        }
    }

    private static List<Check> feedFiles(Path feedsDir, List<FeedDefinition> active) {
        List<Check> out = new ArrayList<>();
        if (!Files.isDirectory(feedsDir.resolve("active"))) {
            out.add(new Check(Outcome.FAIL, "feed files", "no folder " + feedsDir.resolve("active").toAbsolutePath()));
            return out;
        }
        int valid = 0;
        List<FeedFileException> problems = new ArrayList<>();
        for (String folder : List.of("active", "archived")) {
            FeedCatalog catalog = FeedCatalog.load(feedsDir, folder);
            valid += catalog.feeds().size();
            problems.addAll(catalog.problems());
            if (folder.equals("active")) {
                catalog.feeds().stream().filter(FeedDefinition::enabled).forEach(active::add);
            }
        }
        if (problems.isEmpty()) {
            out.add(new Check(Outcome.PASS, "feed files", valid + " valid in " + feedsDir.toAbsolutePath() + " ("
                    + active.size() + " active and enabled)"));
        }
        problems.forEach(p -> out.add(new Check(Outcome.FAIL, "feed file", p.getMessage())));
        return out;
    }

    /** Feeds whose last retention run failed, as recorded in their metadata by whichever instance ran it. */
    private static List<Check> retention(Storage storage, List<FeedDefinition> active) {
        List<Check> out = new ArrayList<>();
        org.cameldatalake.partition.LakeLayout layout = new org.cameldatalake.partition.LakeLayout(storage);
        for (FeedDefinition f : active) {
            try {
                org.apache.hadoop.fs.Path meta = layout.metadata(f.type(), f.name());
                if (storage.exists(meta)) {
                    com.fasterxml.jackson.databind.JsonNode r = org.cameldatalake.metadata.StreamMetadata.JSON
                            .readTree(storage.read(meta)).at("/maintenance/retention");
                    if ("failed".equals(r.path("outcome").asText())) {
                        out.add(new Check(Outcome.FAIL, "retention of feed " + f.name(), "failed at "
                                + r.path("time").asText() + ": " + r.path("error").asText()));
                    }
                }
            } catch (Exception e) {
                out.add(new Check(Outcome.FAIL, "metadata of feed " + f.name(), FeedRouteManager.reason(e)));
            }
        }
        return out;
    }

    private static Check kafka(String brokers, CompletableFuture<String> cluster, long feeds) {
        String what = "Kafka at " + brokers;
        if (feeds == 0) {
            return new Check(Outcome.SKIP, what, "not checked, no active feed reads Kafka");
        }
        try {
            return new Check(Outcome.PASS, what, "cluster " + cluster.join() + ", read by " + feeds + " feed(s)");
        } catch (CompletionException e) {
            return new Check(Outcome.FAIL, what, "unreachable (" + FeedRouteManager.reason(e.getCause()) + ")");
        }
    }

    private static Check ksqlDb(String url, long feeds) {
        String what = "ksqlDB at " + url;
        if (feeds == 0) {
            return new Check(Outcome.SKIP, what, "not checked, no active feed reads ksqlDB");
        }
        try {
            return new Check(Outcome.PASS, what, "version " + SourceHealthChecks.KsqlDb.serverVersion(url) + ", read by " + feeds + " feed(s)");
        } catch (Exception e) {
            return new Check(Outcome.FAIL, what, "unreachable (" + FeedRouteManager.reason(e) + ")");
        }
    }

    private static Check warehouse(String url) {
        if (url == null || url.isBlank()) {
            return new Check(Outcome.SKIP, "warehouse", "not checked, not configured (datalake.warehouse.url) and no active feed has a warehouse section");
        }
        String what = "warehouse at " + Warehouse.mask(url);
        try {
            java.sql.DriverManager.setLoginTimeout((int) TIMEOUT.toSeconds());
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(url)) {
                return new Check(Outcome.PASS, what, c.getMetaData().getDatabaseProductName() + " "
                        + c.getMetaData().getDatabaseProductVersion());
            }
        } catch (Exception e) {
            return new Check(Outcome.FAIL, what, "unreachable (" + Warehouse.mask(url, e.getMessage()) + ")");
        }
    }
}
