package org.cameldatalake.storage;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;

/** Opens the store of a lake root: a local path or {@code file:} URI, or a Hadoop file system URI ({@code s3a:}, …). */
public final class Storages {
    private Storages() {
    }

    /** {@code hadoop}: Hadoop configuration keys for the lake's file system ({@code datalake.hadoop.*}). */
    public static Storage open(String root, Map<String, String> hadoop) throws IOException {
        return open(root, hadoop, defaultSpoolParent());
    }

    public static Storage open(String root) throws IOException {
        return open(root, Map.of());
    }

    /**
     * {@code spoolParent}: where a store without rename (S3) prepares its uploads, one folder per process; unused by
     * local lakes.
     */
    public static Storage open(String root, Map<String, String> hadoop, Path spoolParent) throws IOException {
        if (root.matches("^[a-zA-Z][a-zA-Z0-9+.-]+:.*") && !root.startsWith("file:")) {
            return new HadoopStorage(URI.create(root), hadoop, spoolParent);
        }
        return new LocalStorage(root, hadoop);
    }

    static Path defaultSpoolParent() {
        return Paths.get(System.getProperty("java.io.tmpdir"), "camel-datalake-spool-" + System.getProperty("user.name"));
    }

    /** The Hadoop configuration of a lake: the store's defaults, then the user's keys, which win. */
    static Configuration configuration(Map<String, String> hadoop, Consumer<Configuration> defaults) {
        Configuration conf = new Configuration();
        // under `camel run` the dependencies live in their own class loader, not the thread's
        conf.setClassLoader(Storages.class.getClassLoader());
        // standard 3-level Parquet lists: they hold null elements, and every modern reader expects them
        conf.setBoolean("parquet.avro.write-old-list-structure", false);
        defaults.accept(conf);
        hadoop.forEach(conf::set);
        return conf;
    }
}
