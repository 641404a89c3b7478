package org.cameldatalake.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.NamedNode;
import org.apache.camel.cluster.CamelClusterEventListener;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.cluster.CamelClusterView;
import org.apache.camel.support.cluster.ClusterServiceHelper;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.CamelContextHelper;
import org.apache.camel.support.SimpleEventNotifierSupport;
import org.apache.camel.support.service.ServiceHelper;
import org.cameldatalake.storage.ProcessLock;
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
    /** The registry name of this lake's {@link ScheduledWork}, for the commands that do its job ({@link #lead}). */
    public static final String BEAN = "scheduledWork";
    private final DatalakeSettings.Cluster cluster;
    /** For {@code file}: the folder holding the lock (and the note naming who holds it); else null. */
    private final Path lockFolder;
    /** The namespace's view this instance joined for its scheduled routes; null until then. */
    private volatile CamelClusterView joined;

    private ScheduledWork(DatalakeSettings.Cluster cluster, Path lockFolder) {
        this.cluster = cluster;
        this.lockFolder = lockFolder;
    }

    /**
     * Sets up what {@code datalake.cluster.*} asks for: nothing for {@code none} (one instance), a file-lock service
     * below {@code root} for {@code file}, or the cluster service already bound in the registry for {@code registry}.
     */
    public static void configure(CamelContext ctx, DatalakeSettings.Cluster cluster, Path localLakeRoot) throws Exception {
        Path lockFolder = null;
        switch (cluster.service()) {
            case "none" -> {
            }
            case "file" -> {
                lockFolder = cluster.fileRoot() != null ? cluster.fileRoot()
                        : localLakeRoot != null ? localLakeRoot.resolve("_cluster") : null;
                if (lockFolder == null) {
                    throw new IllegalArgumentException("datalake.cluster.service = file needs datalake.cluster.file.root "
                            + "(a folder every instance shares) when the lake is not on a local disk");
                }
                FileLockClusterService service = new FileLockClusterService();
                service.setId(cluster.memberId());
                service.setRoot(lockFolder.toString());
                service.setAcquireLockDelay(cluster.acquireLockInterval().toMillis(), TimeUnit.MILLISECONDS);
                service.setAcquireLockInterval(cluster.acquireLockInterval().toMillis(), TimeUnit.MILLISECONDS);
                ctx.addService(service);
                LOG.info("scheduled work runs on the instance holding the lock {}/{} (this one: {})", lockFolder,
                        cluster.namespace(), cluster.memberId());
            }
            case "registry" -> LOG.info("scheduled work runs on the leader of the cluster service in the registry, "
                    + "namespace {}", cluster.namespace());
            default -> throw new IllegalArgumentException("datalake.cluster.service = " + cluster.service()
                    + ": none, file or registry");
        }
        ScheduledWork work = new ScheduledWork(cluster, lockFolder);
        ctx.getRegistry().bind(BEAN, work);
        if (work.clustered()) {
            ctx.addRoutePolicyFactory(work);
            ctx.getManagementStrategy().addEventNotifier(work.new LeavingFirst());
        }
    }

    /** Whether the scheduled work runs on the leader of a cluster service (false: {@code none}, on every instance). */
    public boolean clustered() {
        return !cluster.service().equals("none");
    }

    /** A policy of its own for each scheduled route, so that routes come and go (hot reload) independently. */
    @Override
    public RoutePolicy createRoutePolicy(CamelContext ctx, String routeId, NamedNode node) {
        if (!(node instanceof RouteDefinition route) || route.getInput() == null
                || !route.getInput().getEndpointUri().startsWith("quartz:") || !autoStartup(ctx, route)) {
            return null;
        }
        try {
            joinOnce(ctx);
            return ClusteredRoutePolicy.forNamespace(ctx, cluster.namespace());
        } catch (Exception e) {
            throw new IllegalStateException("route " + routeId + ": " + e.getMessage(), e);
        }
    }

    private synchronized void joinOnce(CamelContext ctx) throws Exception {
        if (joined == null) {
            joined = joinNotingTheLeader(ctx);
        }
    }

    /**
     * For a command that does the scheduled work's job ({@code rollback}, {@code export} of a polled feed,
     * {@code retention}…): the leadership of the same cluster service for as long as the returned lease is open, so
     * that no instance does that work meanwhile. Waits about three acquire intervals to become leader; when another
     * member leads, throws {@link Refused}, a one-line reason naming it. With {@code none}, a lease that holds nothing: the caller
     * checks the folders it writes instead ({@link FeedWriters#refuseIfWrittenElsewhere}).
     */
    public Lease lead(CamelContext ctx) throws Exception {
        if (!clustered()) {
            return new Lease(null);
        }
        if (lockFolder != null && ProcessLock.held(lockFolder.resolve(cluster.namespace()))) {
            // a live leader holds the file service's lock: no need to wait for its heartbeat to say so (the probe holds
            // the lock for an instant; an instance trying to take it just then tries again at its next interval)
            throw refusal(leader(null));
        }
        CountDownLatch led = new CountDownLatch(1);
        CamelClusterEventListener.Leadership listener = (v, leader) -> {
            if (leader != null && leader.isLocal()) {
                led.countDown();
            }
        };
        CamelClusterView view = joinNotingTheLeader(ctx);
        Lease lease = new Lease(view);
        try {
            view.addEventListener(listener);
            Duration bound = cluster.acquireLockInterval().multipliedBy(3).plusSeconds(1);
            if (!view.getLocalMember().isLeader() && !led.await(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                throw refusal(leader(view));
            }
            LOG.info("this command leads the scheduled work of the lake ({}) until it ends", where());
            return lease;
        } catch (Exception | Error e) {
            lease.close();
            throw e;
        } finally {
            view.removeEventListener(listener);
        }
    }

    private Refused refusal(String leader) {
        return new Refused("instance " + leader + " leads the scheduled work of this lake (" + where() + ") and would "
                + "race this command: stop it (every instance of the lake) first, then run the command again (the lead "
                + "of an instance killed without stopping passes after about "
                + cluster.acquireLockInterval().multipliedBy(6).toSeconds() + " s)");
    }

    /**
     * As the instance begins to stop, before any route does: one that does not lead stops competing for the lead, and
     * a change of leader being handled ends first. Otherwise the lead can pass to it mid-stop (another instance stopped
     * or died just then): Camel's policy then starts the scheduled routes, holding the view's read lock, while the
     * shutdown of those routes leaves the view, holding the policy's lock and waiting for the write lock — and the
     * instance never exits. A leader keeps the lead until its scheduled routes have stopped, so that no other
     * instance starts that work while a run of it is still going on here.
     */
    private final class LeavingFirst extends SimpleEventNotifierSupport {
        private final CamelClusterEventListener none = (CamelClusterEventListener.Leadership) (v, leader) -> {
        };

        @Override
        public boolean isEnabled(CamelEvent event) {
            return event instanceof CamelEvent.CamelContextStoppingEvent;
        }

        @Override
        public void notify(CamelEvent event) {
            CamelClusterView view = joined;
            if (view == null) {
                return;
            }
            if (!view.getLocalMember().isLeader()) {
                LOG.info("this instance no longer competes for the lead of the scheduled work: it is stopping");
                ServiceHelper.stopService(view.getClusterService());
            }
            view.removeEventListener(none); // takes the view's write lock: returns once a change of leader is handled
        }
    }

    /** Another member leads the scheduled work: a command doing its job would race it. */
    public static final class Refused extends IllegalStateException {
        Refused(String message) {
            super(message);
        }
    }

    /** The leadership a command holds until {@link #close}; nothing with {@code none}. */
    public static final class Lease implements AutoCloseable {
        private final CamelClusterView view;

        private Lease(CamelClusterView view) {
            this.view = view;
        }

        @Override
        public void close() throws Exception {
            if (view != null) {
                view.getClusterService().releaseView(view); // the last user of the view stops it: the lock goes
            }
        }
    }

    /** Joins the namespace's view, whose leader records its name beside the lock (the file service tells no one else). */
    private CamelClusterView joinNotingTheLeader(CamelContext ctx) throws Exception {
        startClusterServicesOfTheRegistry(ctx);
        CamelClusterView view = ClusterServiceHelper.mandatoryLookupService(ctx).getView(cluster.namespace());
        if (lockFolder != null) {
            view.addEventListener((CamelClusterEventListener.Leadership) (v, leader) -> {
                if (leader != null && leader.isLocal()) {
                    noteLeader();
                }
            });
        }
        return view;
    }

    private void noteLeader() {
        try {
            Path note = leaderNote();
            Path tmp = note.resolveSibling(note.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            Files.writeString(tmp, cluster.memberId());
            Files.move(tmp, note, StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("could not record this instance as the leader in {}: {}", leaderNote(), e.toString());
        }
    }

    private Path leaderNote() {
        return lockFolder.resolve(cluster.namespace() + ".leader");
    }

    /** The member leading {@code view}: as the cluster service says, else as the leader noted it. */
    private String leader(CamelClusterView view) {
        Optional<String> known = view == null ? Optional.empty()
                : view.getLeader().map(CamelClusterMember::getId);
        if (known.isPresent() || lockFolder == null) {
            return "'" + known.orElse("(unknown)") + "'";
        }
        try {
            return "'" + Files.readString(leaderNote()).trim() + "'";
        } catch (IOException e) {
            return "(unknown: no " + leaderNote() + ")";
        }
    }

    private String where() {
        return lockFolder != null ? "lock " + lockFolder.resolve(cluster.namespace())
                : "cluster service " + cluster.service() + ", namespace " + cluster.namespace();
    }

    /**
     * A cluster service bound in the registry ({@code camel.beans.<name> = #class:…}) becomes one of the context's
     * services, which is where the route policy looks: Camel main adds those it finds before it binds the
     * {@code camel.beans} ones.
     */
    private static synchronized void startClusterServicesOfTheRegistry(CamelContext ctx) throws Exception {
        if (!ctx.hasServices(CamelClusterService.class).isEmpty()) {
            return;
        }
        Set<CamelClusterService> bound = ctx.getRegistry().findByType(CamelClusterService.class);
        if (bound.isEmpty()) {
            throw new IllegalStateException("datalake.cluster.service = registry, but no Camel cluster service is bound "
                    + "in the registry (e.g. camel.beans.leaderElection = "
                    + "#class:org.apache.camel.component.kubernetes.cluster.KubernetesClusterService)");
        }
        for (CamelClusterService service : bound) {
            ctx.addService(service, true, true);
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
