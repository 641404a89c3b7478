package org.cameldatalake.warehouse;

import org.cameldatalake.support.WarehouseServers;

/** {@link AccessStoreTest} on a real MariaDb server (started from Maven artifacts by {@link WarehouseServers}). */
class AccessStoreOnMariaDbTest extends AccessStoreTest {
    private String url;

    @Override
    protected String warehouseUrl() {
        try {
            if (url == null) {
                url = WarehouseServers.freshDatabase(WarehouseServers.Db.MARIADB);
            }
            return url;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
