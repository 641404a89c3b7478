package org.cameldatalake.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.cameldatalake.schema.SqlType;

/**
 * How far a JDBC stream feed has read its table, kept in the feed's {@code _metadata.json} ({@code cursors}):
 * the highest value of the incremental column published ({@code value}), the rows published at exactly that value
 * ({@code keys}: a digest of each row's values), and the number of the last poll. The next poll reads
 * {@code column >= value} and drops the rows whose digest is among {@code keys}: rows committed later with the same
 * value (a coarse clock, a long transaction) are not lost, and the rows already landed are not repeated.
 * <p>
 * A poll first records what it is about to land ({@code pending}: its number, the highest value it read and the rows
 * at that value), then lands its rows with the poll's number as their position, then moves the cursor. After a crash
 * in between, the next poll repeats the pending one exactly — the same bounds, the same rows at the upper bound — and
 * the position in the published files' names keeps out what had landed: exactly once.
 */
public record JdbcCursor(Value value, List<String> keys, long poll, Pending pending, int schemaVersion,
                         String columns) {
    public static final JdbcCursor START = new JdbcCursor(null, List.of(), 0, null, 0, null);

    /** A poll recorded before its rows land: {@code to} and {@code keys} bound what it lands. */
    public record Pending(long poll, Value to, List<String> keys, long atMillis) {
    }

    /** A value of the incremental column, with what it is, so that it can be bound to the next query as such. */
    public record Value(String type, String text) {
        static Value read(ResultSet rs, int column, SqlType t) throws SQLException {
            switch (t.kind()) {
                case LOCAL_TIMESTAMP -> {
                    LocalDateTime v = rs.getObject(column, LocalDateTime.class);
                    return v == null ? null : new Value("timestamp", v.toString());
                }
                case TIMESTAMP -> {
                    OffsetDateTime v = rs.getObject(column, OffsetDateTime.class);
                    return v == null ? null : new Value("timestamptz", v.toInstant().toString());
                }
                case DATE -> {
                    LocalDate v = rs.getObject(column, LocalDate.class);
                    return v == null ? null : new Value("date", v.toString());
                }
                default -> {
                    Object v = rs.getObject(column);
                    if (v == null) {
                        return null;
                    }
                    if (v instanceof Number n) {
                        BigDecimal d = new BigDecimal(n.toString());
                        return new Value("number", (d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros()).toPlainString());
                    }
                    return new Value("text", v.toString());
                }
            }
        }

        /** The value as a query parameter of its own type. */
        public Object bindable() {
            return switch (type) {
                case "timestamp" -> LocalDateTime.parse(text);
                case "timestamptz" -> OffsetDateTime.ofInstant(Instant.parse(text), ZoneOffset.UTC);
                case "date" -> LocalDate.parse(text);
                case "number" -> {
                    BigDecimal d = new BigDecimal(text);
                    try {
                        yield d.longValueExact();
                    } catch (ArithmeticException notALong) {
                        yield d;
                    }
                }
                default -> text;
            };
        }

        /** The day a row with this value belongs to, if the value is a time; null otherwise. */
        LocalDate day(ZoneId zone) {
            return switch (type) {
                case "timestamp" -> LocalDateTime.parse(text).toLocalDate();
                case "timestamptz" -> Instant.parse(text).atZone(zone).toLocalDate();
                case "date" -> LocalDate.parse(text);
                default -> null;
            };
        }

        ObjectNode toJson() {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("type", type);
            o.put("value", text);
            return o;
        }

        static Value fromJson(JsonNode n) {
            return n == null || n.isNull() || n.isMissingNode() ? null : new Value(n.path("type").asText(), n.path("value").asText());
        }
    }

    /** A row's digest: its values as text, hashed (SHA-256, 128 bits kept). */
    static String key(JsonNode raw) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(raw.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public JdbcCursor withPending(Pending p) {
        return new JdbcCursor(value, keys, poll, p, schemaVersion, columns);
    }

    public JdbcCursor withSchema(int version, String text) {
        return new JdbcCursor(value, keys, poll, pending, version, text);
    }

    /** The pending poll has landed: the cursor moves to its upper bound. */
    public JdbcCursor advanced() {
        return new JdbcCursor(pending.to(), pending.keys(), pending.poll(), null, schemaVersion, columns);
    }

    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        if (value != null) {
            o.set("value", value.toJson());
        }
        keys.forEach(o.putArray("keys_at_value")::add);
        o.put("poll", poll);
        o.put("schema_version", schemaVersion);
        o.put("columns", columns);
        if (pending != null) {
            ObjectNode p = o.putObject("pending");
            p.put("poll", pending.poll());
            p.set("to", pending.to().toJson());
            pending.keys().forEach(p.putArray("keys_at_to")::add);
            p.put("at", Instant.ofEpochMilli(pending.atMillis()).toString());
        }
        return o;
    }

    public static JdbcCursor fromJson(JsonNode n) {
        if (n == null || n.isNull()) {
            return START;
        }
        JsonNode p = n.get("pending");
        Pending pending = p == null || p.isNull() ? null : new Pending(p.path("poll").asLong(), Value.fromJson(p.get("to")),
                strings(p.path("keys_at_to")), Instant.parse(p.path("at").asText()).toEpochMilli());
        return new JdbcCursor(Value.fromJson(n.get("value")), strings(n.path("keys_at_value")), n.path("poll").asLong(),
                pending, n.path("schema_version").asInt(), n.path("columns").isTextual() ? n.get("columns").asText() : null);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array instanceof ArrayNode a) {
            a.forEach(k -> out.add(k.asText()));
        }
        return List.copyOf(out);
    }
}
