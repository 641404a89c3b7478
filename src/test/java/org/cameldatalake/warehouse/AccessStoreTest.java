package org.cameldatalake.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The permissions and API-token stores against a real database. Runs on SQLite here; {@link #warehouseUrl()} is the
 * one thing to change (or override in a subclass) to run the same checks on PostgreSQL or MariaDB — every test uses
 * its own principals, so a shared database needs no cleaning.
 */
class AccessStoreTest {
    @TempDir
    Path dir;

    /** The database under test: a JDBC URL (SQLite in a temporary folder by default). */
    protected String warehouseUrl() {
        return "jdbc:sqlite:" + dir.resolve("warehouse.db");
    }

    private final Clock clock = Clock.fixed(Instant.parse("2025-06-01T10:00:00Z"), ZoneOffset.UTC);

    @Test
    void grantIsIdempotentRevokeRemovesAndListFilters() throws Exception {
        Permissions p = new Permissions(new Warehouse(warehouseUrl()), clock);
        String alice = unique("alice");
        String bob = unique("bob");
        assertThat(p.grant(alice, "transactions_secure", "read")).isTrue();
        Permissions later = new Permissions(new Warehouse(warehouseUrl()),
                Clock.fixed(Instant.parse("2025-06-02T10:00:00Z"), ZoneOffset.UTC));
        assertThat(later.grant(alice, "transactions_secure", "read")).as("a second grant changes nothing").isFalse();
        assertThat(p.grant(alice, "payment_stream", "read")).isTrue();
        assertThat(p.grant(bob, Permissions.ALL_FEEDS, "read")).isTrue();

        assertThat(p.list(alice, null)).containsExactly(
                new Permissions.Grant(alice, "payment_stream", "read", "2025-06-01T10:00:00Z"),
                new Permissions.Grant(alice, "transactions_secure", "read", "2025-06-01T10:00:00Z"));
        assertThat(p.list(null, "payment_stream")).extracting(Permissions.Grant::principal).contains(alice).doesNotContain(bob);
        assertThat(p.mayRead(alice, "transactions_secure")).isTrue();
        assertThat(p.mayRead(alice, "other_feed")).isFalse();
        assertThat(p.mayRead(bob, "other_feed")).as("'*' grants every feed").isTrue();
        assertThat(p.readableFeeds(bob)).containsExactly("*");

        assertThat(p.revoke(alice, "transactions_secure", "read")).isTrue();
        assertThat(p.revoke(alice, "transactions_secure", "read")).isFalse();
        assertThat(p.mayRead(alice, "transactions_secure")).isFalse();
        assertThat(p.list(alice, null)).extracting(Permissions.Grant::feed).containsExactly("payment_stream");
    }

    @Test
    void namesAreCheckedBeforeTheyReachSql() throws Exception {
        Permissions p = new Permissions(new Warehouse(warehouseUrl()), clock);
        assertThatThrownBy(() -> p.grant("x'; DROP TABLE t; --", "feed", "read")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.grant(unique("carol"), "../etc", "read")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.grant(unique("carol"), "feed", "write")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ApiTokens(new Warehouse(warehouseUrl()), clock).create("has space"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tokensAreStoredAsHashesVerifiedAndRevoked() throws Exception {
        ApiTokens tokens = new ApiTokens(new Warehouse(warehouseUrl()), clock);
        String dave = unique("dave");
        String first = tokens.create(dave);
        String second = tokens.create(dave);
        assertThat(first).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(second);
        assertThat(tokens.principalOf(first)).contains(dave);
        assertThat(tokens.principalOf(second)).contains(dave);
        assertThat(tokens.principalOf(first.substring(1) + "A")).isEmpty();
        assertThat(tokens.principalOf("")).isEmpty();
        assertThat(tokens.principalOf(null)).isEmpty();
        assertThat(tokens.list()).filteredOn(t -> t.principal().equals(dave)).hasSize(2)
                .allSatisfy(t -> assertThat(t.createdAt()).isEqualTo("2025-06-01T10:00:00Z"));

        try (Connection c = new Warehouse(warehouseUrl()).open(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM " + ApiTokens.TABLE)) {
            while (rs.next()) {
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    assertThat(String.valueOf(rs.getObject(i))).as("only hashes are stored").isNotIn(first, second);
                }
            }
        }
        assertThat(tokens.revoke(dave)).isEqualTo(2);
        assertThat(tokens.principalOf(first)).isEmpty();
        assertThat(tokens.revoke(dave)).isZero();
    }

    private static String unique(String name) {
        return name + "-" + Long.toString(System.nanoTime(), 36);
    }
}
