package org.cameldatalake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes example of deploy/kubernetes, checked without a cluster: every manifest is a Kubernetes object of the
 * fabric8 model (the Java client's typed API) with no field the model does not know — a misspelt or misplaced field
 * would be silently dropped by a lenient reader — and the pieces agree with each other and with the service: the
 * kustomization names every file, the Lease the Role allows is the one the service takes, the pods carry the labels the
 * cluster service selects, the probes ask for endpoints the management port serves, and the heap fits the limit.
 */
class KubernetesManifestsTest {
    static final Path DIR = Path.of("deploy", "kubernetes");
    private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();

    /** The objects of every manifest of the folder, by file name. */
    static Map<String, HasMetadata> manifests() throws IOException {
        Map<String, HasMetadata> out = new TreeMap<>();
        for (Path file : yamlFiles()) {
            if (!file.getFileName().toString().equals("kustomization.yaml")) {
                try (java.io.InputStream in = Files.newInputStream(file)) {
                    out.put(file.getFileName().toString(), KUBERNETES.unmarshal(in, HasMetadata.class));
                }
            }
        }
        return out;
    }

    /** The settings the example gives the service (its application.properties). */
    static Properties settings() throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(DIR.resolve("application.properties"))) {
            p.load(in);
        }
        return p;
    }

    @Test
    void everyManifestIsAKnownKubernetesObjectWithNoUnknownField() throws Exception {
        Map<String, HasMetadata> manifests = manifests();
        assertThat(manifests.values()).extracting(HasMetadata::getKind).containsExactlyInAnyOrder("Deployment", "Namespace",
                "NetworkPolicy", "PodDisruptionBudget", "Role", "RoleBinding", "Service", "ServiceAccount");
        List<String> unknown = new ArrayList<>();
        manifests.forEach((file, object) -> unknownFields(object, file + ": " + object.getKind(), unknown));
        assertThat(unknown).as("fields the Kubernetes model does not know").isEmpty();
    }

    @Test
    void theKustomizationNamesEveryManifestAndEveryFileItGenerates() throws Exception {
        JsonNode kustomization = new YAMLMapper().readTree(DIR.resolve("kustomization.yaml").toFile());
        List<String> resources = new ArrayList<>();
        kustomization.path("resources").forEach(r -> resources.add(r.asText()));
        assertThat(resources).containsExactlyInAnyOrderElementsOf(manifests().keySet());
        List<String> generated = new ArrayList<>();
        Stream.concat(kustomization.path("configMapGenerator").valueStream(), kustomization.path("secretGenerator").valueStream())
                .forEach(g -> Stream.concat(g.path("files").valueStream(), g.path("envs").valueStream())
                        .forEach(f -> generated.add(f.asText())));
        assertThat(generated).allSatisfy(f -> assertThat(DIR.resolve(f)).isRegularFile());
        try (Stream<Path> feeds = Files.list(DIR.resolve("feeds"))) {
            assertThat(generated).containsAll(feeds.map(f -> "feeds/" + f.getFileName()).toList());
        }
    }

    @Test
    void theRoleAllowsTheLeaseTheServiceTakesAndThePodsCarryTheLabelsItSelects() throws Exception {
        Properties settings = settings();
        Map<String, HasMetadata> manifests = manifests();
        Role role = (Role) manifests.get("role.yaml");
        List<PolicyRule> leases = role.getRules().stream().filter(r -> r.getResources().contains("leases")).toList();
        assertThat(leases).flatExtracting(PolicyRule::getVerbs).contains("get", "create", "update");
        assertThat(leases).flatExtracting(PolicyRule::getResourceNames).containsOnly(
                settings.getProperty("camel.beans.leaderElection.kubernetesResourceName") + "-" + clusterNamespace(settings));
        assertThat(role.getRules()).anySatisfy(r -> {
            assertThat(r.getResources()).contains("pods");
            assertThat(r.getVerbs()).contains("list");
        });
        Deployment deployment = (Deployment) manifests.get("deployment.yaml");
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry("app", settings.getProperty("camel.beans.leaderElection.clusterLabels[app]"));
        assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo(manifests.get("serviceaccount.yaml").getMetadata().getName());
        assertThat(settings.getProperty("datalake.cluster.service")).isEqualTo("registry");
    }

    @Test
    void probesAskForTheManagementEndpointsAndTheHeapFitsTheMemoryLimit() throws Exception {
        Container container = ((Deployment) manifests().get("deployment.yaml")).getSpec().getTemplate().getSpec()
                .getContainers().get(0);
        Map<String, Integer> ports = new TreeMap<>();
        container.getPorts().forEach((ContainerPort p) -> ports.put(p.getName(), p.getContainerPort()));
        Properties defaults = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of("application.properties"))) {
            defaults.load(in);
        }
        assertThat(ports).containsEntry("api", Integer.parseInt(defaults.getProperty("datalake.api.port").trim()))
                .containsEntry("management", Integer.parseInt(defaults.getProperty("datalake.management.port").trim()));
        assertThat(settings().getProperty("datalake.management.host")).isEqualTo("0.0.0.0"); // the kubelet probes the pod's IP
        for (Probe probe : List.of(container.getStartupProbe(), container.getLivenessProbe(), container.getReadinessProbe())) {
            assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("management");
            assertThat(probe.getHttpGet().getPath()).isIn("/observe/health/live", "/observe/health/ready");
        }
        String xmx = container.getCommand().stream().filter(a -> a.startsWith("-Xmx")).findFirst().orElseThrow();
        long heap = Quantity.getAmountInBytes(new Quantity(xmx.substring(4).toUpperCase().replace("M", "Mi").replace("G", "Gi")))
                .longValue();
        long limit = Quantity.getAmountInBytes(container.getResources().getLimits().get("memory")).longValue();
        assertThat(limit).as("memory limit against -Xmx").isGreaterThanOrEqualTo(2 * heap);
        assertThat(container.getResources().getRequests().get("memory")).isEqualTo(container.getResources().getLimits().get("memory"));
    }

    static String clusterNamespace(Properties example) throws IOException {
        Properties defaults = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of("application.properties"))) {
            defaults.load(in);
        }
        return example.getProperty("datalake.cluster.namespace", defaults.getProperty("datalake.cluster.namespace")).trim();
    }

    private static List<Path> yamlFiles() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    /**
     * Collects the fields the model kept aside as "additional properties" (what it does not know) anywhere in
     * {@code value}, each with its path.
     */
    private static void unknownFields(Object value, String path, List<String> out) {
        if (value instanceof Collection<?> list) {
            int i = 0;
            for (Object item : list) {
                unknownFields(item, path + "[" + i++ + "]", out);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, out));
            return;
        }
        if (!(value instanceof KubernetesResource) && !(value instanceof Quantity)
                && !(value instanceof io.fabric8.kubernetes.api.model.IntOrString)) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
                continue;
            }
            Object field;
            try {
                field = getter.invoke(value);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(path + "." + getter.getName(), e);
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                ((Map<?, ?>) field).keySet().forEach(k -> out.add(path + "." + k));
            } else if (field != null) {
                unknownFields(field, path + "." + getter.getName().substring(3), out);
            }
        }
    }
}
