package org.cameldatalake.cli;

import java.util.concurrent.Callable;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.runtime.FeedRouteManager;
import org.cameldatalake.runtime.ScheduledWork;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "rollback", description = "Make an earlier snapshot version of a table current again (newer versions are kept).")
public final class RollbackCommand implements Callable<Integer> {
    @Option(names = "--table", required = true, paramLabel = "NAME")
    String table;

    @Option(names = "--to", required = true, paramLabel = "vN", description = "the version to make current, e.g. v3")
    String to;

    @Override
    public Integer call() throws Exception {
        if (!to.matches("v?\\d+")) {
            System.err.println("camel-datalake rollback: --to takes a version like v3, not '" + to + "'");
            return 1;
        }
        int version = Integer.parseInt(to.startsWith("v") ? to.substring(1) : to);
        try (CliRuntime runtime = new CliRuntime()) {
            FeedRouteManager manager = runtime.feeds();
            FeedDefinition f = manager.catalog().feed(table);
            if (f == null || f.type() != FeedDefinition.FeedType.TABLE) {
                System.err.println("camel-datalake rollback: no table feed named '" + table + "'");
                return 1;
            }
            try (ScheduledWork.Lease lead = runtime.leadScheduledWork()) { // a snapshot meanwhile would race it
                manager.rollback(f, version);
            } catch (IllegalArgumentException | IllegalStateException e) {
                System.err.println("camel-datalake rollback: " + e.getMessage());
                return 1;
            }
            System.out.println(table + ": version v" + version + " is current");
            return 0;
        }
    }
}
