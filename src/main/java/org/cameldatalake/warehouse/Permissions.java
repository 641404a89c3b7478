package org.cameldatalake.warehouse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.cameldatalake.feed.FeedFileParser;

/**
 * Who may read which feed: the {@value #TABLE} table of the warehouse (seed 003's {@code dwh_datalake_permissions}),
 * one row per (principal, feed, access). Feed {@value #ALL_FEEDS} grants every feed. The table is created when absent;
 * SQL is portable across SQLite, PostgreSQL and MariaDB (quoted identifiers, bind parameters, text timestamps in
 * ISO-8601 UTC, which sort as time).
 */
public final class Permissions {
    public static final String TABLE = "datalake_permissions";
    public static final String ALL_FEEDS = "*";
    public static final String READ = "read";
    private static final Set<String> ACCESS = Set.of(READ);

    public record Grant(String principal, String feed, String access, String grantedAt) {
    }

    private final Warehouse warehouse;
    private final Clock clock;
    private final String table;
    private volatile boolean tableReady;

    public Permissions(Warehouse warehouse, Clock clock) {
        this.warehouse = warehouse;
        this.clock = clock;
        this.table = warehouse.dialect().quote(TABLE);
    }

    /** Adds a grant; true when it is new, false when it was already there (its first grant time is kept). */
    public boolean grant(String principal, String feed, String access) throws SQLException {
        check(principal, feed, access);
        try (Connection c = open()) {
            if (exists(c, principal, feed, access)) {
                return false;
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO " + table + " (" + cols("principal", "feed", "access",
                    "granted_at") + ") VALUES (?, ?, ?, ?)")) {
                s.setString(1, principal);
                s.setString(2, feed);
                s.setString(3, access);
                s.setString(4, Instant.now(clock).toString());
                s.executeUpdate();
                return true;
            } catch (SQLException e) {
                if (exists(c, principal, feed, access)) { // granted concurrently: same outcome
                    return false;
                }
                throw e;
            }
        }
    }

    /** Removes a grant; true when there was one. */
    public boolean revoke(String principal, String feed, String access) throws SQLException {
        check(principal, feed, access);
        try (Connection c = open(); PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE "
                + col("principal") + " = ? AND " + col("feed") + " = ? AND " + col("access") + " = ?")) {
            s.setString(1, principal);
            s.setString(2, feed);
            s.setString(3, access);
            return s.executeUpdate() > 0;
        }
    }

    /** The grants, optionally of one principal and/or one feed (null = any), ordered by principal, feed, access. */
    public List<Grant> list(String principal, String feed) throws SQLException {
        if (principal != null) {
            Principals.checked(principal);
        }
        if (feed != null) {
            checkFeed(feed);
        }
        StringBuilder sql = new StringBuilder("SELECT " + cols("principal", "feed", "access", "granted_at") + " FROM " + table
                + " WHERE 1 = 1");
        if (principal != null) {
            sql.append(" AND ").append(col("principal")).append(" = ?");
        }
        if (feed != null) {
            sql.append(" AND ").append(col("feed")).append(" = ?");
        }
        sql.append(" ORDER BY ").append(cols("principal", "feed", "access"));
        try (Connection c = open(); PreparedStatement s = c.prepareStatement(sql.toString())) {
            int i = 1;
            if (principal != null) {
                s.setString(i++, principal);
            }
            if (feed != null) {
                s.setString(i, feed);
            }
            List<Grant> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(new Grant(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                }
            }
            return out;
        }
    }

    /** Whether {@code principal} may read {@code feed}: a grant on the feed itself or on {@value #ALL_FEEDS}. */
    public boolean mayRead(String principal, String feed) throws SQLException {
        try (Connection c = open(); PreparedStatement s = c.prepareStatement("SELECT 1 FROM " + table + " WHERE "
                + col("principal") + " = ? AND " + col("access") + " = ? AND (" + col("feed") + " = ? OR " + col("feed") + " = ?)")) {
            s.setString(1, principal);
            s.setString(2, READ);
            s.setString(3, feed);
            s.setString(4, ALL_FEEDS);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The feeds {@code principal} may read by name ({@value #ALL_FEEDS} among them when it may read all). */
    public Set<String> readableFeeds(String principal) throws SQLException {
        Set<String> out = new java.util.TreeSet<>();
        for (Grant g : list(principal, null)) {
            if (READ.equals(g.access())) {
                out.add(g.feed());
            }
        }
        return out;
    }

    private boolean exists(Connection c, String principal, String feed, String access) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM " + table + " WHERE " + col("principal") + " = ? AND "
                + col("feed") + " = ? AND " + col("access") + " = ?")) {
            s.setString(1, principal);
            s.setString(2, feed);
            s.setString(3, access);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    private Connection open() throws SQLException {
        Connection c = warehouse.open();
        if (!tableReady) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + table + " (" + col("principal") + " VARCHAR(64) NOT NULL, "
                        + col("feed") + " VARCHAR(64) NOT NULL, " + col("access") + " VARCHAR(16) NOT NULL, "
                        + col("granted_at") + " VARCHAR(40) NOT NULL, PRIMARY KEY (" + cols("principal", "feed", "access") + "))");
            } catch (SQLException e) {
                c.close();
                throw e;
            }
            tableReady = true;
        }
        return c;
    }

    private static void check(String principal, String feed, String access) {
        Principals.checked(principal);
        checkFeed(feed);
        if (!ACCESS.contains(access)) {
            throw new IllegalArgumentException("invalid access '" + access + "': one of " + ACCESS);
        }
    }

    private static void checkFeed(String feed) {
        if (feed == null || !(ALL_FEEDS.equals(feed) || FeedFileParser.FEED_NAME.matcher(feed).matches())) {
            throw new IllegalArgumentException("invalid feed '" + feed + "': a feed name (" + FeedFileParser.FEED_NAME.pattern()
                    + ") or '" + ALL_FEEDS + "' for every feed");
        }
    }

    private String col(String name) {
        return warehouse.dialect().quote(name);
    }

    private String cols(String... names) {
        return String.join(", ", java.util.Arrays.stream(names).map(this::col).toList());
    }
}
