package org.cameldatalake.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import org.cameldatalake.runtime.DatalakeRuntime;
import picocli.CommandLine.Command;

@Command(name = "run", description = "Run the service: one route per feed file in feeds/active/, until stopped (Ctrl+C).")
public final class RunCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        DatalakeRuntime.create(Map.of()).run();
        return 0;
    }
}
