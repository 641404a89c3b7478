package org.cameldatalake;

import java.util.concurrent.Callable;
import org.cameldatalake.cli.AccessCommands;
import org.cameldatalake.cli.DemoCommand;
import org.cameldatalake.cli.DoctorCommand;
import org.cameldatalake.cli.ExportCommand;
import org.cameldatalake.cli.FeedsCommand;
import org.cameldatalake.cli.MaintenanceCommands;
import org.cameldatalake.cli.QueryCommand;
import org.cameldatalake.cli.ReportCommand;
import org.cameldatalake.cli.RollbackCommand;
import org.cameldatalake.cli.RunCommand;
import org.cameldatalake.cli.WarehouseCommand;
import org.cameldatalake.warehouse.Warehouse;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar camel-datalake.jar [run|demo|…]}; with no command it runs the service. */
@Command(name = "camel-datalake", mixinStandardHelpOptions = true, version = "camel-datalake 0.1",
        description = "Lands Kafka topics and ksqlDB streams/tables into a Parquet data lake.",
        subcommands = {RunCommand.class, DemoCommand.class, ExportCommand.class, RollbackCommand.class, FeedsCommand.class,
                MaintenanceCommands.Retention.class, MaintenanceCommands.Permissions.class, AccessCommands.Grant.class,
                AccessCommands.Revoke.class, AccessCommands.Tokens.class, ReportCommand.class, DoctorCommand.class,
                WarehouseCommand.class, QueryCommand.class,
                CommandLine.HelpCommand.class})
public final class DatalakeApp implements Callable<Integer> {

    public static void main(String[] args) {
        System.exit(new CommandLine(new DatalakeApp()).setExecutionExceptionHandler(DatalakeApp::failed).execute(args));
    }

    /** A command that failed unexpectedly: its stack trace, without the password of any JDBC URL it quotes. */
    private static int failed(Exception e, CommandLine command, CommandLine.ParseResult parsed) {
        java.io.StringWriter trace = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(trace));
        command.getErr().print(Warehouse.mask(trace.toString()));
        command.getErr().flush();
        return command.getCommandSpec().exitCodeOnExecutionException();
    }

    @Override
    public Integer call() throws Exception {
        return new RunCommand().call();
    }
}
