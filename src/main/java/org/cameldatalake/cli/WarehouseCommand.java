package org.cameldatalake.cli;

import java.time.Clock;
import java.time.ZoneId;
import java.util.concurrent.Callable;
import org.cameldatalake.metadata.ExportLog;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.runtime.FeedRouteManager;
import org.cameldatalake.warehouse.LakeLoader;
import org.cameldatalake.warehouse.Warehouse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "warehouse", description = "The SQL warehouse (datalake.warehouse.url; SQLite in the lake by default).",
        subcommands = {WarehouseCommand.Load.class})
public final class WarehouseCommand {

    @Command(name = "load", description = "Load a stream feed's Parquet files into its warehouse table (warehouse.table, "
            + "else the feed name). Idempotent: files already loaded are skipped. Rows that cannot be written go to "
            + "_rejected/<feed>/ with the reason.")
    static final class Load implements Callable<Integer> {
        @Option(names = "--feed", required = true, paramLabel = "NAME")
        String feed;

        @Override
        public Integer call() throws Exception {
            if (!FeedsCommand.validName(feed)) {
                System.err.println("camel-datalake warehouse load: '" + feed + "' is not a feed name");
                return FeedsCommand.BAD_INPUT;
            }
            try (CliRuntime runtime = new CliRuntime()) {
                FeedRouteManager manager = runtime.feeds();
                FeedDefinition f = manager.catalog().feed(feed);
                if (f == null || f.type() != FeedDefinition.FeedType.STREAM) {
                    System.err.println("camel-datalake warehouse load: no stream feed named '" + feed + "'");
                    return FeedsCommand.BAD_INPUT;
                }
                Warehouse warehouse = runtime.context().getRegistry().lookupByNameAndType("warehouse", Warehouse.class);
                Clock clock = Clock.systemUTC();
                ZoneId zone = manager.settings().zone();
                LakeLoader.Result r;
                try {
                    r = new LakeLoader(warehouse, manager.storage(), new ExportLog(manager.storage(), clock, zone), clock, zone)
                            .load(f);
                } catch (Exception e) {
                    System.err.println("camel-datalake warehouse load: " + feed + ": " + warehouse.masked(FeedRouteManager.reason(e)));
                    return 1;
                }
                System.out.printf("%s: %d file(s) loaded, %d already loaded, %d rows into table %s of %s%s%n", feed,
                        r.filesLoaded(), r.filesSkipped(), r.rows(), r.table(), warehouse.displayUrl(),
                        r.rejected() == 0 ? "" : "; " + r.rejected() + " rows rejected to _rejected/" + feed + "/ (first: "
                                + r.firstRejection() + ")");
                return 0;
            }
        }
    }
}
