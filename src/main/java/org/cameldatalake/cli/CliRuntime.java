package org.cameldatalake.cli;

import java.util.HashMap;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.cameldatalake.runtime.DatalakeRuntime;
import org.cameldatalake.runtime.FeedRouteManager;
import org.cameldatalake.runtime.ScheduledWork;

/** The service's own runtime (same settings, routes and beans), started without its feeds, for one-shot commands. */
final class CliRuntime implements AutoCloseable {
    private final Main main;

    CliRuntime() throws Exception {
        this(Map.of());
    }

    CliRuntime(Map<String, String> extra) throws Exception {
        Map<String, String> overrides = new HashMap<>();
        overrides.put("datalake.feeds.autostart", "false");
        overrides.put("datalake.feeds.watch", "false");          // a command changes files; the service reloads them
        overrides.put("datalake.maintenance.autostart", "false");
        overrides.put("camel.management.enabled", "false");      // the service, if running, holds the port
        overrides.put("camel.server.enabled", "false");
        overrides.put("camel.main.routes-exclude-pattern", "**/api.yaml"); // the read API needs that server
        overrides.put("camel.metrics.enabled", "false");
        overrides.putAll(extra);
        main = DatalakeRuntime.create(overrides);
        main.start();
    }

    CamelContext context() {
        return main.getCamelContext();
    }

    org.cameldatalake.maintenance.Maintenance maintenance() {
        return context().getRegistry().lookupByNameAndType("maintenance", org.cameldatalake.maintenance.Maintenance.class);
    }

    org.cameldatalake.warehouse.Permissions permissions() {
        return context().getRegistry().lookupByNameAndType("permissions", org.cameldatalake.warehouse.Permissions.class);
    }

    org.cameldatalake.warehouse.ApiTokens apiTokens() {
        return context().getRegistry().lookupByNameAndType("apiTokens", org.cameldatalake.warehouse.ApiTokens.class);
    }

    /**
     * For a command that does the scheduled work's job: leads it for as long as the lease is open, or throws
     * {@link ScheduledWork.Refused} naming the instance that leads it (see {@link ScheduledWork#lead}).
     */
    ScheduledWork.Lease leadScheduledWork() throws Exception {
        return context().getRegistry().lookupByNameAndType(ScheduledWork.BEAN, ScheduledWork.class).lead(context());
    }

    FeedRouteManager feeds() {
        return context().getRegistry().lookupByNameAndType("feedRouteManager", FeedRouteManager.class);
    }

    @Override
    public void close() throws Exception {
        main.stop();
    }
}
