package org.cameldatalake.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.cluster.CamelClusterView;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.RoutePolicySupport;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScheduledWorkTest {
    private static final Duration INTERVAL = Duration.ofMillis(200);

    @TempDir
    Path lockFolder;

    /**
     * The lead passes to an instance in the middle of its stop (another instance stopped or died just then): the
     * scheduled routes it starts as the new leader meet the shutdown of those same routes. Camel's route policy
     * holds the view's read lock while it starts a route and its own lock while it leaves the view, which takes
     * the write lock: an instance caught in between never exited.
     */
    @Test
    void anInstanceThatBecomesTheLeaderAsItStopsStillStops() throws Exception {
        Path otherSays = lockFolder.resolveSibling(lockFolder.getFileName() + ".other.log");
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), OtherInstance.class.getName(), lockFolder.toString())
                .redirectErrorStream(true).redirectOutput(otherSays.toFile()).start();
        CamelContext ctx = new DefaultCamelContext();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readAllLines(otherSays).contains("leading"));
            ScheduledWork.configure(ctx, new DatalakeSettings.Cluster("file", "camel-datalake", lockFolder, INTERVAL,
                    "the-stopping-instance"), null);
            StartsSlowly slowStart = new StartsSlowly();
            ctx.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("quartz:maintenance/archive?cron=0+0+2+*+*+?").routeId("maintenance-archive").routePolicy(slowStart)
                            .log("archive");
                    from("quartz:maintenance/retention?cron=0+0+3+*+*+?").routeId("maintenance-retention")
                            .log("retention");
                }
            });
            ctx.start();
            assertThat(ctx.getRouteController().getRouteStatus("maintenance-archive")).isEqualTo(ServiceStatus.Stopped);

            slowStart.armed = true;
            other.getOutputStream().close(); // it stops: the lead passes, this instance starts its scheduled routes
            await().atMost(Duration.ofSeconds(10)).until(() -> slowStart.starting);
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(ctx::stop);

            await().atMost(Duration.ofSeconds(30)).until(stopped::isDone);
            assertThat(stopped).isCompleted();
        } finally {
            other.destroyForcibly();
        }
    }

    /** Another instance of the lake (a JVM of its own: file locks are per process): leads until its input ends. */
    public static final class OtherInstance {
        public static void main(String[] args) throws Exception {
            CamelContext ctx = new DefaultCamelContext();
            FileLockClusterService service = new FileLockClusterService();
            service.setId("the-other-instance");
            service.setRoot(args[0]);
            service.setAcquireLockDelay(INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
            service.setAcquireLockInterval(INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
            ctx.addService(service);
            ctx.start();
            CamelClusterView view = service.getView("camel-datalake");
            await().atMost(Duration.ofSeconds(10)).until(() -> view.getLocalMember().isLeader());
            System.out.println("leading");
            System.out.flush();
            while (System.in.read() >= 0) {
                // leads until the test closes its input
            }
            ctx.stop();
        }
    }

    /**
     * A scheduled route that, once armed, takes a while to start: until the stopping instance leaves the cluster view
     * for one of its other scheduled routes (at most 3 s).
     */
    private static final class StartsSlowly extends RoutePolicySupport {
        volatile boolean armed;
        volatile boolean starting;

        @Override
        public void onStart(Route route) {
            if (armed) {
                starting = true;
                try {
                    await().atMost(Duration.ofSeconds(3)).until(StartsSlowly::aRouteLeavesTheView);
                } catch (ConditionTimeoutException e) {
                    // the instance did not get that far in its stop meanwhile
                }
            }
        }

        private static boolean aRouteLeavesTheView() {
            return Thread.getAllStackTraces().values().stream().flatMap(Arrays::stream)
                    .anyMatch(frame -> frame.getMethodName().equals("releaseClusterView"));
        }
    }
}
