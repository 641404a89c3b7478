package org.cameldatalake.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.cameldatalake.feed.FeedCatalog;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.feed.FeedDefinition.FeedType;
import org.cameldatalake.runtime.FeedRouteManager;
import org.cameldatalake.runtime.ScheduledWork;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "export", description = {"One export pass, then exit (the seed's export_to_data_lake.py).",
        "A table feed takes one snapshot; a Kafka stream feed consumes up to the end offsets seen at start.",
        "Exit status 1, with a one-line reason, when ksqlDB or Kafka is unreachable or a feed fails."})
public final class ExportCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    static final class Target {
        @Option(names = "--all", required = true, description = "every enabled feed in feeds/active/")
        boolean all;
        @Option(names = "--feed", required = true, paramLabel = "NAME", description = "one feed")
        String feed;
        @Option(names = "--stream", required = true, paramLabel = "NAME", description = "one stream feed")
        String stream;
        @Option(names = "--table", required = true, paramLabel = "NAME", description = "one table feed")
        String table;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
            description = "auto (redrawn in place on a terminal, plain lines otherwise), terminal, plain or off; on standard error")
    String progressMode;

    @Option(names = "--progress-every", paramLabel = "DURATION", defaultValue = "5s",
            description = "how often a plain progress line is printed (default 5s)")
    String progressEvery;

    /** The scheduled work's lead, taken for the first feed that needs it and kept to the end (a refusal too). */
    private ScheduledWork.Lease lead;
    private ScheduledWork.Refused refusal;

    @Override
    public Integer call() throws Exception {
        ProgressPrinter.Mode mode = switch (progressMode.toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> System.console() != null ? ProgressPrinter.Mode.TERMINAL : ProgressPrinter.Mode.PLAIN;
            case "terminal" -> ProgressPrinter.Mode.TERMINAL;
            case "plain" -> ProgressPrinter.Mode.PLAIN;
            case "off" -> ProgressPrinter.Mode.OFF;
            default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--progress must be auto, terminal, plain or off, not '" + progressMode + "'");
        };
        java.time.Duration every = org.cameldatalake.feed.Units.duration(progressEvery);
        try (CliRuntime runtime = new CliRuntime()) {
            FeedRouteManager manager = runtime.feeds();
            FeedCatalog catalog = manager.catalog();
            List<FeedDefinition> feeds = new ArrayList<>();
            if (target.all) {
                catalog.feeds().stream().filter(FeedDefinition::enabled).forEach(feeds::add);
            } else {
                String name = target.feed != null ? target.feed : target.stream != null ? target.stream : target.table;
                FeedDefinition f = catalog.feed(name);
                if (f == null) {
                    System.err.println("camel-datalake export: no feed named '" + name + "' in " + manager.activeFeedsDir());
                    return 1;
                }
                FeedType expected = target.stream != null ? FeedType.STREAM : target.table != null ? FeedType.TABLE : f.type();
                if (f.type() != expected) {
                    System.err.println("camel-datalake export: '" + name + "' is a " + f.type().json() + " feed, not a " + expected.json());
                    return 1;
                }
                feeds.add(f);
            }
            int failures = 0;
            try {
                for (FeedDefinition f : feeds) {
                    failures += exportOne(runtime, manager, f, mode, every) ? 0 : 1;
                }
            } finally {
                if (lead != null) {
                    lead.close();
                }
            }
            return failures == 0 ? 0 : 1;
        }
    }

    private boolean exportOne(CliRuntime runtime, FeedRouteManager manager, FeedDefinition f, ProgressPrinter.Mode mode,
                              java.time.Duration every) {
        org.cameldatalake.runtime.ExportProgress progress = new org.cameldatalake.runtime.ExportProgress();
        try (ProgressPrinter printer = new ProgressPrinter(f.name(), progress, System.err, mode, every)) {
            if (!f.isKafkaStream()) {
                leadScheduledWork(runtime); // its snapshots and polls are the scheduled work's job
            }
            String result = manager.exportOnce(f, progress);
            printer.close(); // its last line before the result
            System.out.println(f.name() + ": " + result);
            return true;
        } catch (Exception e) {
            System.err.println("camel-datalake export: " + f.name() + ": " + FeedRouteManager.reason(e));
            return false;
        }
    }

    private void leadScheduledWork(CliRuntime runtime) throws Exception {
        if (refusal != null) {
            throw refusal;
        }
        if (lead == null) {
            try {
                lead = runtime.leadScheduledWork();
            } catch (ScheduledWork.Refused e) {
                refusal = e;
                throw e;
            }
        }
    }
}
