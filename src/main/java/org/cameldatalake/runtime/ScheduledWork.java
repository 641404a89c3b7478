package org.cameldatalake.runtime;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.NamedNode;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.CamelContextHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several instances on one lake run its scheduled work once: every Quartz-driven route (ksqlDB, SQL and JDBC feeds'
 * schedules, retention, archiving, permissions, reports) runs only on the instance that holds the leadership of a
 * Camel cluster service, and another instance takes it over when that one dies. Kafka-driven routes run everywhere:
 * Kafka spreads their partitions.
 * <p>
 * The cluster service is Camel's: {@code file} (camel-file's {@link FileLockClusterService}: a lock on a file of a disk
 * every instance shares — the lake's own disk by default; the kernel releases it when the holder dies, however it
 * dies), or any other {@code CamelClusterService} bound in the registry (e.g. camel-kubernetes' Lease-based one).
 */
public final class ScheduledWork implements RoutePolicyFactory {
    private static final Logger LOG = LoggerFactory.getLogger(ScheduledWork.class);
    private final String namespace;

    private ScheduledWork(String namespace) {
        this.namespace = namespace;
    }

    /**
     * Sets up what {@code datalake.cluster.*} asks for: nothing for {@code none} (one instance), a file-lock service
     * below {@code root} for {@code file}, or the cluster service already bound in the registry for {@code registry}.
     */
    public static void configure(CamelContext ctx, DatalakeSettings.Cluster cluster, Path localLakeRoot) throws Exception {
        switch (cluster.service()) {
            case "none" -> {
                return;
            }
            case "file" -> {
                Path root = cluster.fileRoot() != null ? cluster.fileRoot()
                        : localLakeRoot != null ? localLakeRoot.resolve("_cluster") : null;
                if (root == null) {
                    throw new IllegalArgumentException("datalake.cluster.service = file needs datalake.cluster.file.root "
                            + "(a folder every instance shares) when the lake is not on a local disk");
                }
                FileLockClusterService service = new FileLockClusterService();
                service.setId(cluster.memberId());
                service.setRoot(root.toString());
                service.setAcquireLockDelay(cluster.acquireLockInterval().toMillis(), TimeUnit.MILLISECONDS);
                service.setAcquireLockInterval(cluster.acquireLockInterval().toMillis(), TimeUnit.MILLISECONDS);
                ctx.addService(service);
                LOG.info("scheduled work runs on the instance holding the lock {}/{} (this one: {})", root,
                        cluster.namespace(), cluster.memberId());
            }
            case "registry" -> LOG.info("scheduled work runs on the leader of the cluster service in the registry, "
                    + "namespace {}", cluster.namespace());
            default -> throw new IllegalArgumentException("datalake.cluster.service = " + cluster.service()
                    + ": none, file or registry");
        }
        ctx.addRoutePolicyFactory(new ScheduledWork(cluster.namespace()));
    }

    /** A policy of its own for each scheduled route, so that routes come and go (hot reload) independently. */
    @Override
    public RoutePolicy createRoutePolicy(CamelContext ctx, String routeId, NamedNode node) {
        if (!(node instanceof RouteDefinition route) || route.getInput() == null
                || !route.getInput().getEndpointUri().startsWith("quartz:") || !autoStartup(ctx, route)) {
            return null;
        }
        try {
            return ClusteredRoutePolicy.forNamespace(ctx, namespace);
        } catch (Exception e) {
            throw new IllegalStateException("route " + routeId + ": " + e.getMessage(), e);
        }
    }

    /** A scheduled route switched off ({@code autoStartup: false}) stays off on the leader too. */
    private static boolean autoStartup(CamelContext ctx, RouteDefinition route) {
        String value = route.getAutoStartup();
        try {
            return value == null || Boolean.TRUE.equals(CamelContextHelper.parseBoolean(ctx, value));
        } catch (Exception e) {
            return true;
        }
    }
}
