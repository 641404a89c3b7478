package org.cameldatalake;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.ServiceStatus;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.main.Main;
import org.cameldatalake.runtime.DatalakeRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Lease settings of deploy/kubernetes/application.properties, given to the real service: they bind
 * camel-kubernetes' KubernetesClusterService, started with the service and serving the scheduled routes'
 * ClusteredRoutePolicy, and while it holds no Lease no scheduled route runs. No Kubernetes API server is at hand here
 * (its client is pointed at a port nothing listens on, as a pod cut off from its API server): taking the Lease,
 * renewing it and failing over are camel-kubernetes' own and are not exercised.
 */
class KubernetesLeaseSettingsTest {
    private static final String NAMESPACE = "datalake-test";

    @Test
    void theExampleSettingsBindALeaseClusterServiceThatGatesTheScheduledWork(@TempDir Path dir) throws Exception {
        Properties example = KubernetesManifestsTest.settings();
        Map<String, String> settings = new HashMap<>();
        example.stringPropertyNames().forEach(k -> settings.put(k, example.getProperty(k).trim()));
        // the lake, feeds and ports of this machine; the Lease settings as they are
        settings.put("datalake.root", dir.resolve("lake").toString());
        settings.put("datalake.feeds.dir", dir.resolve("feeds").toString());
        settings.put("datalake.spool-dir", dir.resolve("spool").toString());
        settings.remove("datalake.warehouse.url");
        settings.put("datalake.api.port", "0");
        settings.put("datalake.management.port", "0");
        settings.put("datalake.management.host", "127.0.0.1");
        settings.put("datalake.feeds.autostart", "false");
        settings.put("camel.beans.leaderElection.podName", "camel-datalake-0");
        // camel-kubernetes 4.17 ignores the bean's masterUrl and namespace unless it is given a whole configuration:
        // its client configures itself as in a pod (from these system properties here, from the service account there)
        Map<String, String> client = Map.of("kubernetes.master", "http://127.0.0.1:" + closedPort(),
                "kubernetes.namespace", NAMESPACE, "kubernetes.auth.tryKubeConfig", "false",
                "kubernetes.auth.tryServiceAccount", "false");
        client.forEach(System::setProperty);
        Main main = DatalakeRuntime.create(settings);
        try {
            main.start();
            var ctx = main.getCamelContext();
            KubernetesClusterService leases = ctx.hasService(KubernetesClusterService.class);
            assertThat(leases).as("a KubernetesClusterService among the context's services").isNotNull();
            assertThat(leases.getStatus()).isEqualTo(ServiceStatus.Started);
            assertThat(leases.getClusterLabels()).containsEntry("app", "camel-datalake");
            assertThat(ctx.getRegistry().findByType(CamelClusterService.class)).containsExactly(leases);

            var retention = ctx.getRoute("maintenance-retention");
            assertThat(retention.getRoutePolicyList()).anySatisfy(p -> assertThat(p).isInstanceOf(ClusteredRoutePolicy.class));
            await().atMost(30, SECONDS).untilAsserted(() ->
                    assertThat(ctx.getRouteController().getRouteStatus("feeds-rescan")).isEqualTo(ServiceStatus.Started));
            // without the Lease, it runs none of the scheduled work; the rest of the service is up
            assertThat(ctx.getRouteController().getRouteStatus("maintenance-retention")).isNotEqualTo(ServiceStatus.Started);
            assertThat(ctx.getRouteController().getRouteStatus("maintenance-reports")).isNotEqualTo(ServiceStatus.Started);
        } finally {
            main.stop();
            client.keySet().forEach(System::clearProperty);
        }
    }

    /** A local port nothing listens on. */
    private static int closedPort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
