package org.cameldatalake.warehouse;

import org.cameldatalake.support.WarehouseServers;

/** {@link AccessStoreTest} on a real PostgreSQL server (started from Maven artifacts by {@link WarehouseServers}). */
class AccessStoreOnPostgreSQLTest extends AccessStoreTest {
    private String url;

    @Override
    protected String warehouseUrl() {
        try {
            if (url == null) {
                url = WarehouseServers.freshDatabase(WarehouseServers.Db.POSTGRESQL);
            }
            return url;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
