package org.cameldatalake;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.ServiceStatus;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.main.Main;
import org.cameldatalake.runtime.DatalakeRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Lease settings of deploy/kubernetes/application.properties, given to the real service (no API server is at
 * hand): they bind camel-kubernetes' KubernetesClusterService, started with the service and serving the scheduled
 * routes' ClusteredRoutePolicy; it asks the API server it is pointed at for the Lease the Role allows, in the pod's
 * namespace, and for the pods with the Deployment's label; and while it holds no Lease (here no Ready pod carries
 * the label, so it may not take it) no scheduled route runs.
 * <p>
 * The server here only records what it is asked and answers as Kubernetes would for an absent Lease (404) and an empty
 * pod list (a create would be refused, 403). Taking the Lease, failing over and renewing it are camel-kubernetes' own and
 * are not exercised here.
 */
class KubernetesLeaseSettingsTest {
    private static final String NAMESPACE = "datalake-test";

    @Test
    void theExampleSettingsBindALeaseClusterServiceThatGatesTheScheduledWork(@TempDir Path dir) throws Exception {
        List<String> asked = new CopyOnWriteArrayList<>();
        HttpServer api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        api.createContext("/", exchange -> answerAsKubernetes(exchange, asked));
        api.start();
        Properties example = KubernetesManifestsTest.settings();
        Map<String, String> settings = new HashMap<>();
        example.stringPropertyNames().forEach(k -> settings.put(k, example.getProperty(k).trim()));
        // the lake, feeds and ports of this machine; the Lease settings as they are, pointed at the recording server
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
        Map<String, String> client = Map.of("kubernetes.master", "http://127.0.0.1:" + api.getAddress().getPort(),
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
            String lease = "/apis/coordination.k8s.io/v1/namespaces/" + NAMESPACE + "/leases/"
                    + example.getProperty("camel.beans.leaderElection.kubernetesResourceName").trim() + "-"
                    + KubernetesManifestsTest.clusterNamespace(example);
            await().atMost(30, SECONDS).untilAsserted(() -> assertThat(asked).contains(
                    "GET " + lease,
                    "GET /api/v1/namespaces/" + NAMESPACE + "/pods?labelSelector=app=camel-datalake"));
            // without the Lease, it runs none of the scheduled work; the rest of the service is up
            assertThat(ctx.getRouteController().getRouteStatus("maintenance-retention")).isNotEqualTo(ServiceStatus.Started);
            assertThat(ctx.getRouteController().getRouteStatus("maintenance-reports")).isNotEqualTo(ServiceStatus.Started);
            assertThat(ctx.getRouteController().getRouteStatus("feeds-rescan")).isEqualTo(ServiceStatus.Started);
        } finally {
            main.stop();
            api.stop(0);
            client.keySet().forEach(System::clearProperty);
        }
    }

    /** What an API server says to a service account that may read leases and list pods but not create the Lease. */
    private static void answerAsKubernetes(HttpExchange exchange, List<String> asked) throws java.io.IOException {
        String query = exchange.getRequestURI().getRawQuery();
        String request = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath()
                + (query == null ? "" : "?" + URLDecoder.decode(query, StandardCharsets.UTF_8));
        asked.add(request);
        exchange.getRequestBody().readAllBytes();
        int status;
        String body;
        if (request.startsWith("GET /api/v1/namespaces/" + NAMESPACE + "/pods")) {
            status = 200;
            body = "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"1\"},\"items\":[]}";
        } else if (request.startsWith("GET ")) {
            status = 404;
            body = status(404, "NotFound", "leases.coordination.k8s.io not found");
        } else {
            status = 403;
            body = status(403, "Forbidden", "leases.coordination.k8s.io is forbidden: cannot create resource");
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static String status(int code, String reason, String message) {
        return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"" + message
                + "\",\"reason\":\"" + reason + "\",\"code\":" + code + "}";
    }
}
