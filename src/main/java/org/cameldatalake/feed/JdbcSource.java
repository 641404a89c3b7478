package org.cameldatalake.feed;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The {@code jdbc} block of a feed reading a database table:
 * {@code {"url": "jdbc:postgresql://db/shop", "table": "customers", "incremental_column": "updated_at",
 * "user": "{{env:SHOP_USER}}", "password": "{{env:SHOP_PASSWORD}}"}}. {@code incrementalColumn} is set for stream
 * feeds (new and changed rows, by that column) and null for table feeds (a full snapshot each time). {@code user}
 * and {@code password} are kept as written, placeholders unresolved: they are resolved when a connection is made,
 * and never shown.
 */
public record JdbcSource(String url, String table, String incrementalColumn, String user, String password) {

    /** The feed-file form (credentials as written: a placeholder stays a placeholder). */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("url", url);
        o.put("table", table);
        if (incrementalColumn != null) {
            o.put("incremental_column", incrementalColumn);
        }
        if (user != null) {
            o.put("user", user);
        }
        if (password != null) {
            o.put("password", password);
        }
        return o;
    }
}
