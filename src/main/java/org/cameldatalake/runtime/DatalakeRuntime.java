package org.cameldatalake.runtime;

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
    /** The registry name of the {@link java.time.Clock} every time-based decision reads (tests move it). */
    public static final String CLOCK_BEAN = "datalakeClock";

    private DatalakeRuntime() {
    }

    public static Main create(Map<String, String> overrides) {
        return create(overrides, java.time.Clock.systemUTC());
    }

    /** With the clock every time-based decision reads (rotation, retention, archiving); tests move it. */
    public static Main create(Map<String, String> overrides, java.time.Clock clock) {
        Main main = new Main();
        main.setPropertyPlaceholderLocations(
                "file:application.properties;optional=true,classpath:application.properties;optional=true");
        main.bind(CLOCK_BEAN, clock); // the configuration class named in application.properties looks it up
        if (!Files.isDirectory(Path.of("routes")) && !overrides.containsKey("camel.main.routes-include-pattern")) {
            // run outside the project folder: use the route templates shipped in the jar
            main.addOverrideProperty("camel.main.routes-include-pattern", "classpath:routes/*.yaml");
        }
        environmentOverrides().forEach(main::addOverrideProperty);
        overrides.forEach(main::addOverrideProperty);
        return main;
    }

    /**
     * Every key of application.properties can be set from the environment (DATALAKE_ROOT,
     * CAMEL_COMPONENT_KAFKA_BROKERS, …). Camel main 4.17 does this for property placeholders but not for
     * {@code camel.component.*} options (its filter compares upper-case variable names with a lower-case prefix),
     * so the keys are mapped here, exactly. A {@code -D} of the same key still wins, as in Camel.
     */
    static Map<String, String> environmentOverrides() {
        java.util.Properties keys = applicationProperties();
        Map<String, String> out = new java.util.HashMap<>();
        for (String key : keys.stringPropertyNames()) {
            String value = System.getenv(key.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_"));
            if (value != null && System.getProperty(key) == null) {
                out.put(key, value);
            }
        }
        return out;
    }

    private static java.util.Properties applicationProperties() {
        return applicationProperties(Path.of("application.properties"));
    }

    /**
     * The copy of application.properties in the jar, each key of {@code file} (when it exists) over it: as Camel reads
     * its two locations, so that a file holding only some keys (a Kubernetes ConfigMap's) serves every command.
     */
    static java.util.Properties applicationProperties(Path file) {
        java.util.Properties properties = new java.util.Properties();
        try (java.io.InputStream in = DatalakeRuntime.class.getResourceAsStream("/application.properties")) {
            if (in != null) {
                properties.load(in);
            }
            if (Files.isRegularFile(file)) {
                try (java.io.InputStream own = Files.newInputStream(file)) {
                    properties.load(own);
                }
            }
        } catch (java.io.IOException e) {
            return new java.util.Properties();
        }
        return properties;
    }

    /**
     * A setting resolved as the service resolves it — {@code -D}, then the environment, then application.properties
     * — without starting Camel, for commands that must answer quickly ({@code query}). Blank means unset. Of Camel's
     * {@code {{placeholders}}} only {@code {{sys:name}}} (a Java system property) is resolved: the defaults use no other.
     */
    public static String setting(String key, String dflt) {
        String value = System.getProperty(key);
        if (value == null) {
            value = environmentOverrides().get(key);
        }
        if (value == null) {
            value = applicationProperties().getProperty(key);
        }
        if (value == null || value.isBlank()) {
            return dflt;
        }
        return java.util.regex.Pattern.compile("\\{\\{sys:([^}]+)}}").matcher(value.trim())
                .replaceAll(m -> java.util.regex.Matcher.quoteReplacement(System.getProperty(m.group(1), "")));
    }

    /** The keys starting with {@code prefix} that application.properties or a {@code -D} sets. */
    public static java.util.Set<String> settingKeys(String prefix) {
        java.util.Set<String> keys = new java.util.TreeSet<>();
        applicationProperties().stringPropertyNames().stream().filter(k -> k.startsWith(prefix)).forEach(keys::add);
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith(prefix)).forEach(keys::add);
        return keys;
    }
}
