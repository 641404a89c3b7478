package org.cameldatalake.quality;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;

/**
 * Avro values as the rules see them and as rejected lines show them. A scalar is a String, a BigDecimal (every
 * integer, float and decimal; DATE, TIME and TIMESTAMP columns as stored: epoch days, ms of the day, epoch ms), a
 * Double (NaN and the infinities only) or a Boolean; records, maps, arrays and plain bytes stay as they are.
 */
final class Values {
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
    private static final int SHOWN = 80;

    private Values() {
    }

    static Object scalar(Object value, Schema schema) {
        if (value == null) {
            return null;
        }
        if (value instanceof CharSequence || value instanceof GenericEnumSymbol<?>) {
            return value.toString();
        }
        if (value instanceof Boolean) {
            return value;
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return BigDecimal.valueOf(((Number) value).longValue());
        }
        if (value instanceof Float || value instanceof Double) {
            double d = ((Number) value).doubleValue();
            return Double.isFinite(d) ? BigDecimal.valueOf(d).stripTrailingZeros() : (Object) d; // -3.0 shows as -3
        }
        BigDecimal decimal = decimal(value, schema);
        return decimal != null ? decimal : value;
    }

    static boolean isNumber(Object scalar) {
        return scalar instanceof BigDecimal || scalar instanceof Double;
    }

    /** A key under which equal values meet: 1, 1.0 and 1.00 are one number; structures by their JSON text. */
    static Object key(Object scalar) {
        if (scalar instanceof BigDecimal d) {
            return d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
        }
        if (scalar instanceof String || scalar instanceof Boolean || scalar instanceof Double) {
            return scalar;
        }
        return json(scalar).toString();
    }

    /** For messages: text quoted, numbers plain, long values cut. */
    static String display(Object scalar) {
        String text = scalar instanceof String s ? "'" + s + "'"
                : scalar instanceof BigDecimal d ? d.toPlainString()
                : scalar == null ? "null" : json(scalar).toString();
        return text.length() > SHOWN ? text.substring(0, SHOWN) + "…" : text;
    }

    /** A scalar, or any Avro value without its schema, as JSON (plain bytes as Base64). */
    static JsonNode json(Object value) {
        return json(value, null);
    }

    /** A whole record as JSON, its logical types decoded (decimals as numbers, dates and times as ISO-8601 text). */
    static ObjectNode json(GenericRecord record) {
        return (ObjectNode) json(record, record.getSchema());
    }

    private static JsonNode json(Object value, Schema schema) {
        Schema s = schema == null ? null : ColumnPath.nonNull(schema);
        if (value == null) {
            return NODES.nullNode();
        }
        if (value instanceof GenericRecord r) {
            ObjectNode o = NODES.objectNode();
            for (Schema.Field f : r.getSchema().getFields()) {
                o.set(f.name(), json(r.get(f.pos()), f.schema()));
            }
            return o;
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode o = NODES.objectNode();
            map.forEach((k, v) -> o.set(String.valueOf(k), json(v, s == null || s.getType() != Schema.Type.MAP ? null : s.getValueType())));
            return o;
        }
        if (value instanceof Collection<?> list) {
            ArrayNode a = NODES.arrayNode();
            list.forEach(v -> a.add(json(v, s == null || s.getType() != Schema.Type.ARRAY ? null : s.getElementType())));
            return a;
        }
        if (value instanceof Float || value instanceof Double) {
            double d = ((Number) value).doubleValue();
            return Double.isFinite(d) ? NODES.numberNode(d) : NODES.textNode(Double.toString(d)); // JSON has no NaN
        }
        JsonNode temporal = temporal(value, s);
        if (temporal != null) {
            return temporal;
        }
        Object scalar = scalar(value, s);
        if (scalar instanceof String text) {
            return NODES.textNode(text);
        }
        if (scalar instanceof BigDecimal d) {
            return NODES.numberNode(d.scale() < 0 ? d.setScale(0) : d); // 100, not 1E+2
        }
        if (scalar instanceof Double d) {
            return NODES.textNode(d.toString());
        }
        if (scalar instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (scalar instanceof ByteBuffer bytes) {
            return NODES.textNode(Base64.getEncoder().encodeToString(bytes(bytes)));
        }
        if (scalar instanceof GenericFixed fixed) {
            return NODES.textNode(Base64.getEncoder().encodeToString(fixed.bytes()));
        }
        return NODES.textNode(String.valueOf(scalar));
    }

    private static JsonNode temporal(Object value, Schema schema) {
        LogicalType type = schema == null ? null : schema.getLogicalType();
        if (type instanceof LogicalTypes.TimestampMillis && value instanceof Long ms) {
            return NODES.textNode(Instant.ofEpochMilli(ms).toString());
        }
        if (type instanceof LogicalTypes.TimestampMicros && value instanceof Long us) {
            return NODES.textNode(Instant.EPOCH.plusNanos(us * 1000).toString());
        }
        if (type instanceof LogicalTypes.Date && value instanceof Integer days) {
            return NODES.textNode(LocalDate.ofEpochDay(days).toString());
        }
        if (type instanceof LogicalTypes.TimeMillis && value instanceof Integer ms) {
            return NODES.textNode(LocalTime.ofNanoOfDay(ms * 1_000_000L).toString());
        }
        return null;
    }

    /** A decimal's value from its bytes (BYTES or FIXED with the decimal logical type), or null. */
    private static BigDecimal decimal(Object value, Schema schema) {
        if (schema == null || !(schema.getLogicalType() instanceof LogicalTypes.Decimal d)) {
            return null;
        }
        byte[] unscaled = value instanceof ByteBuffer b ? bytes(b) : value instanceof GenericFixed f ? f.bytes() : null;
        return unscaled == null || unscaled.length == 0 ? null : new BigDecimal(new BigInteger(unscaled), d.getScale());
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }
}
