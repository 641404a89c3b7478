package org.cameldatalake.warehouse;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The read API's bearer tokens: the {@value #TABLE} table maps the SHA-256 of a token to its principal. A token is 32
 * random bytes (base64url, 43 characters) shown once when created; only its hash is stored, so the table leaks no
 * usable token.
 */
public final class ApiTokens {
    public static final String TABLE = "datalake_api_tokens";
    private static final Pattern TOKEN = Pattern.compile("^[A-Za-z0-9_-]{43}$");
    private static final SecureRandom RANDOM = new SecureRandom();

    public record Token(String principal, String createdAt, String hashPrefix) {
    }

    private final Warehouse warehouse;
    private final Clock clock;
    private final String table;
    private volatile boolean tableReady;

    public ApiTokens(Warehouse warehouse, Clock clock) {
        this.warehouse = warehouse;
        this.clock = clock;
        this.table = warehouse.dialect().quote(TABLE);
    }

    /** A new token for {@code principal}; the caller shows it once, it cannot be read back. */
    public String create(String principal) throws SQLException {
        Principals.checked(principal);
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        try (Connection c = open(); PreparedStatement s = c.prepareStatement("INSERT INTO " + table + " (" + col("token_sha256")
                + ", " + col("principal") + ", " + col("created_at") + ") VALUES (?, ?, ?)")) {
            s.setString(1, sha256(token));
            s.setString(2, principal);
            s.setString(3, Instant.now(clock).toString());
            s.executeUpdate();
        }
        return token;
    }

    /** The principal a token belongs to; empty for a malformed, unknown or revoked token. */
    public Optional<String> principalOf(String token) throws SQLException {
        if (token == null || !TOKEN.matcher(token).matches()) {
            return Optional.empty();
        }
        String hash = sha256(token);
        try (Connection c = open(); PreparedStatement s = c.prepareStatement("SELECT " + col("token_sha256") + ", "
                + col("principal") + " FROM " + table + " WHERE " + col("token_sha256") + " = ?")) {
            s.setString(1, hash);
            try (ResultSet rs = s.executeQuery()) {
                // the lookup is by hash already; comparing again in constant time costs nothing
                if (rs.next() && MessageDigest.isEqual(rs.getString(1).getBytes(StandardCharsets.US_ASCII),
                        hash.getBytes(StandardCharsets.US_ASCII))) {
                    return Optional.of(rs.getString(2));
                }
                return Optional.empty();
            }
        }
    }

    /** Revokes every token of {@code principal}; how many there were. */
    public int revoke(String principal) throws SQLException {
        Principals.checked(principal);
        try (Connection c = open(); PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE "
                + col("principal") + " = ?")) {
            s.setString(1, principal);
            return s.executeUpdate();
        }
    }

    /** Every token: principal, creation time and the first 8 hex digits of its hash (to tell tokens apart). */
    public List<Token> list() throws SQLException {
        try (Connection c = open(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT "
                + col("principal") + ", " + col("created_at") + ", " + col("token_sha256") + " FROM " + table + " ORDER BY "
                + col("principal") + ", " + col("created_at"))) {
            List<Token> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new Token(rs.getString(1), rs.getString(2), rs.getString(3).substring(0, 8)));
            }
            return out;
        }
    }

    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Connection open() throws SQLException {
        Connection c = warehouse.open();
        if (!tableReady) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + table + " (" + col("token_sha256") + " CHAR(64) NOT NULL PRIMARY KEY, "
                        + col("principal") + " VARCHAR(64) NOT NULL, " + col("created_at") + " VARCHAR(40) NOT NULL)");
            } catch (SQLException e) {
                c.close();
                throw e;
            }
            tableReady = true;
        }
        return c;
    }

    private String col(String name) {
        return warehouse.dialect().quote(name);
    }
}
