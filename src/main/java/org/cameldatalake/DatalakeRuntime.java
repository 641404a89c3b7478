package org.cameldatalake;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.camel.main.Main;

/**
 * Builds the camel-main application the same way for {@code java -jar}, the demo and the tests.
 * Settings come from {@code ./application.properties} (falling back to the copy in the jar), each overridable by
 * {@code -Dkey=value}, environment variables (Camel main conventions) and the {@code overrides} given here.
 */
public final class DatalakeRuntime {
    private DatalakeRuntime() {
    }

    public static Main create(Map<String, String> overrides) {
        Main main = new Main();
        main.setPropertyPlaceholderLocations(
                "file:application.properties;optional=true,classpath:application.properties;optional=true");
        main.configure().addConfiguration(new DatalakeConfiguration());
        if (!Files.isDirectory(Path.of("routes")) && !overrides.containsKey("camel.main.routes-include-pattern")) {
            // run outside the project folder: use the route templates shipped in the jar
            main.addOverrideProperty("camel.main.routes-include-pattern", "classpath:routes/*.yaml");
        }
        overrides.forEach(main::addOverrideProperty);
        return main;
    }
}
