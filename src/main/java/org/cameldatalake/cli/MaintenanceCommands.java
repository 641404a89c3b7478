package org.cameldatalake.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.cameldatalake.runtime.ScheduledWork;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The maintenance jobs of routes/maintenance.yaml, run once from the command line. */
public final class MaintenanceCommands {
    private MaintenanceCommands() {
    }

    @Command(name = "retention", description = "Delete stream partitions older than retention_days and table versions beyond retention_versions.")
    public static final class Retention implements Callable<Integer> {
        @Option(names = "--dry-run", description = "only say what would be deleted")
        boolean dryRun;

        @Override
        public Integer call() throws Exception {
            try (CliRuntime runtime = new CliRuntime(); ScheduledWork.Lease lead = dryRun ? null : runtime.leadScheduledWork()) {
                List<String> report = runtime.maintenance().retention(dryRun);
                report.forEach(System.out::println);
                System.out.println(report.isEmpty() ? "nothing is past its retention" : report.size() + " item(s)"
                        + (dryRun ? " would be deleted" : " deleted"));
                return 0;
            } catch (ScheduledWork.Refused refused) {
                System.err.println("camel-datalake retention: " + refused.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "permissions", description = {"Apply security_level permissions (restricted 0750/0640, public 0755/0644).",
            "`permissions list` shows the read grants of the API instead."},
            subcommands = AccessCommands.ListGrants.class)
    public static final class Permissions implements Callable<Integer> {
        @Option(names = "--check", description = "only report drift; exit 1 when there is any")
        boolean check;

        @Override
        public Integer call() throws Exception {
            try (CliRuntime runtime = new CliRuntime(); ScheduledWork.Lease lead = check ? null : runtime.leadScheduledWork()) {
                List<String> drift = runtime.maintenance().permissions(check);
                drift.forEach(System.out::println);
                System.out.println(drift.isEmpty() ? "permissions match every feed's security_level"
                        : drift.size() + " path(s) " + (check ? "drift" : "fixed"));
                return check && !drift.isEmpty() ? 1 : 0;
            } catch (ScheduledWork.Refused refused) {
                System.err.println("camel-datalake permissions: " + refused.getMessage());
                return 1;
            }
        }
    }
}
