package org.cameldatalake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.cameldatalake.support.S3Lake;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service's key user-level scenarios with the lake on S3 ({@code datalake.root=s3a://…} and the
 * {@code datalake.hadoop.fs.s3a.*} settings a user gives), against S3Proxy; each test has a prefix of its own.
 */
class ServiceOnS3Test extends ServiceOnAStoreTest {
    private static final AtomicInteger LAKES = new AtomicInteger();

    @TempDir
    static Path shared;
    static S3Lake s3;

    private String prefix;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3Lake.start(shared.resolve("s3"));
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
    }

    @Override
    protected Service service(Path dir) throws Exception {
        if (prefix == null) {
            prefix = "lake" + LAKES.incrementAndGet();
        }
        return new Service(dir).onS3(s3, prefix);
    }

    @Override
    protected String store() {
        return "s3";
    }

    /** No incomplete upload below the lake's prefix, no temporary object, and the stopped services' spools gone. */
    @Override
    protected void assertNothingUnfinished(Service s) throws Exception {
        assertThat(s3.incompleteUploads(prefix + "/")).isEmpty();
        assertThat(s3.keys(prefix)).noneMatch(k -> k.contains("_temporary") || k.endsWith(".tmp"));
        assertThat(files(s.spoolDir())).isEmpty();
    }
}
