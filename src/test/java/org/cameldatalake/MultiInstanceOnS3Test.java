package org.cameldatalake;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.cameldatalake.support.S3Lake;
import org.cameldatalake.support.Service;
import org.cameldatalake.support.StreamFeedFiles;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Several instances on a lake on S3 (S3Proxy), as README tells a user without a shared disk to run them: the cluster
 * service's lock in a small folder they all share ({@code datalake.cluster.file.root}), each instance with a spool
 * folder of its own (its machine's disk).
 */
class MultiInstanceOnS3Test extends MultiInstanceOnAStoreTest {
    private static final String PREFIX = "multi";

    @RegisterExtension
    static final S3Lake.Server S3 = new S3Lake.Server();

    @Override
    protected Service service(Path dir) throws Exception {
        return new Service(dir).onS3(S3.lake(), PREFIX).set("datalake.cluster.file.root", dir.resolve("cluster").toString());
    }

    @Override
    protected String store() {
        return "s3";
    }

    /** Fewer than on a local disk: the scenario's steps take as long, and {@code mvn verify} has little time to spare. */
    @Override
    protected int defaultRecords() {
        return 24_000;
    }

    @Override
    protected Map<String, String> instanceSettings(String name) {
        return Map.of("datalake.spool-dir", spoolDir(name).toString());
    }

    private Path spoolDir(String instance) {
        return dir.resolve("spool-" + instance);
    }

    /** The files in the instance's spool, where a file waits whole for its upload. */
    @Override
    protected Callable<Long> openFilesOf(String name, StreamFeedFiles feedFiles) {
        return () -> spooled(name).stream().filter(f -> f.endsWith(".spool")).count();
    }

    /**
     * No incomplete upload and no temporary object below the lake's prefix, and the spools of the instances stopped
     * cleanly empty (a killed instance's is removed by the next start on its machine).
     */
    @Override
    protected void assertNothingUnfinished(Service s, List<String> stoppedCleanly) throws Exception {
        S3.lake().assertNothingUnfinished(PREFIX);
        for (String instance : stoppedCleanly) {
            assertThat(spooled(instance)).as("spool of " + instance).isEmpty();
        }
    }

    /** The files below an instance's spool folder. */
    private List<String> spooled(String instance) throws IOException {
        Path spool = spoolDir(instance);
        if (!Files.isDirectory(spool)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(spool)) {
            return files.filter(Files::isRegularFile).map(p -> spool.relativize(p).toString()).toList();
        }
    }
}
