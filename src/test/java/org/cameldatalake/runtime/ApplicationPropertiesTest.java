package org.cameldatalake.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application.properties beside the jar that holds only some keys (deploy/kubernetes mounts one from a ConfigMap)
 * overrides the jar's copy key by key for the commands that read settings without Camel ({@code report},
 * {@code doctor}, {@code feeds list}…), as it does for the service.
 */
class ApplicationPropertiesTest {
    @Test
    void aFileWithSomeKeysOverridesThoseAndKeepsTheJarsOthers(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("application.properties"), "datalake.root = s3a://datalake/lake\n");
        Properties settings = DatalakeRuntime.applicationProperties(file);
        assertThat(settings.getProperty("datalake.root").trim()).isEqualTo("s3a://datalake/lake");
        assertThat(settings.getProperty("datalake.timezone").trim()).isEqualTo("UTC");
        assertThat(settings.getProperty("datalake.cluster.service").trim()).isEqualTo("none");
    }
}
