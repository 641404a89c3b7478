package org.cameldatalake;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.cameldatalake.support.LakeAudit;
import org.cameldatalake.support.Service;
import org.cameldatalake.support.StreamFeedFiles;

/**
 * Several instances on a lake on a local disk (the shared disk), the cluster service's lock in its default place,
 * {@code <lake root>/_cluster}.
 */
class MultiInstanceOnLocalDiskTest extends MultiInstanceOnAStoreTest {
    @Override
    protected Service service(Path dir) throws Exception {
        return new Service(dir);
    }

    @Override
    protected String store() {
        return "disk";
    }

    @Override
    protected int defaultRecords() {
        return 60_000;
    }

    /** The files in the temporary folder of the Kafka feed that appears once the instance writes. */
    @Override
    protected Callable<Long> openFilesOf(String name, StreamFeedFiles feedFiles) throws IOException {
        Set<Path> before = feedFiles.tempDirs();
        return () -> StreamFeedFiles.openFiles(feedFiles.newTempDir(before));
    }

    /** No temporary file anywhere in the lake: those of the killed instance were removed by the others. */
    @Override
    protected void assertNothingUnfinished(Service s, List<String> stoppedCleanly) throws Exception {
        LakeAudit.assertNoTemporaryFile(s.lakeRoot());
    }
}
