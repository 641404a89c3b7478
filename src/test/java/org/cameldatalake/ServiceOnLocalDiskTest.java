package org.cameldatalake;

import java.nio.file.Path;
import org.cameldatalake.support.LakeAudit;
import org.cameldatalake.support.Service;

/** The service's key user-level scenarios with the lake on a local disk. */
class ServiceOnLocalDiskTest extends ServiceOnAStoreTest {
    @Override
    protected Service service(Path dir) throws Exception {
        return new Service(dir);
    }

    @Override
    protected String store() {
        return "disk";
    }

    /** No temporary file left in any {@code _temporary} folder. */
    @Override
    protected void assertNothingUnfinished(Service s) throws Exception {
        LakeAudit.assertNoTemporaryFile(s.lakeRoot());
    }
}
