package org.cameldatalake.demo.ksqldb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/** A ksqlDB SQL type: its spelling, the Java values the server accepts for it, and its REST encoding (§7). */
final class SqlType {

    enum Base { BOOLEAN, INTEGER, BIGINT, DOUBLE, DECIMAL, STRING, BYTES, DATE, TIME, TIMESTAMP, ARRAY, MAP, STRUCT }

    record Field(String name, SqlType type) {
    }

    static final SqlType BIGINT = new SqlType(Base.BIGINT, 0, 0, null, null, List.of());
    static final SqlType INTEGER = new SqlType(Base.INTEGER, 0, 0, null, null, List.of());

    private static final DateTimeFormatter TIMESTAMP_FORMAT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    final Base base;
    final int precision;
    final int scale;
    /** ARRAY element, MAP key. */
    final SqlType first;
    /** MAP value. */
    final SqlType second;
    final List<Field> fields;

    private SqlType(Base base, int precision, int scale, SqlType first, SqlType second, List<Field> fields) {
        this.base = base;
        this.precision = precision;
        this.scale = scale;
        this.first = first;
        this.second = second;
        this.fields = fields;
    }

    static SqlType parse(String text) {
        SqlLexer.Cursor cursor = new SqlLexer.Cursor(text);
        SqlType type = parse(cursor);
        if (!cursor.atEnd()) {
            throw new IllegalArgumentException("Unexpected text after type in '" + text + "'");
        }
        return type;
    }

    static SqlType parse(SqlLexer.Cursor cursor) {
        String name = cursor.expectIdentifier();
        switch (name) {
            case "ARRAY": {
                cursor.expectSymbol("<");
                SqlType element = parse(cursor);
                cursor.expectSymbol(">");
                return new SqlType(Base.ARRAY, 0, 0, element, null, List.of());
            }
            case "MAP": {
                cursor.expectSymbol("<");
                SqlType key = parse(cursor);
                cursor.expectSymbol(",");
                SqlType value = parse(cursor);
                cursor.expectSymbol(">");
                return new SqlType(Base.MAP, 0, 0, key, value, List.of());
            }
            case "STRUCT": {
                cursor.expectSymbol("<");
                List<Field> fields = new ArrayList<>();
                if (!cursor.acceptSymbol(">")) {
                    do {
                        String fieldName = cursor.expectIdentifier();
                        fields.add(new Field(fieldName, parse(cursor)));
                    } while (cursor.acceptSymbol(","));
                    cursor.expectSymbol(">");
                }
                return new SqlType(Base.STRUCT, 0, 0, null, null, List.copyOf(fields));
            }
            case "DECIMAL": {
                cursor.expectSymbol("(");
                int precision = cursor.expectInteger();
                cursor.expectSymbol(",");
                int scale = cursor.expectInteger();
                cursor.expectSymbol(")");
                if (precision < 1 || scale < 0 || scale > precision) {
                    throw new IllegalArgumentException("Invalid DECIMAL(" + precision + ", " + scale + ")");
                }
                return new SqlType(Base.DECIMAL, precision, scale, null, null, List.of());
            }
            default:
                return new SqlType(primitive(name), 0, 0, null, null, List.of());
        }
    }

    private static Base primitive(String name) {
        return switch (name) {
            case "BOOLEAN" -> Base.BOOLEAN;
            case "INT", "INTEGER" -> Base.INTEGER;
            case "BIGINT" -> Base.BIGINT;
            case "DOUBLE" -> Base.DOUBLE;
            case "STRING", "VARCHAR" -> Base.STRING;
            case "BYTES" -> Base.BYTES;
            case "DATE" -> Base.DATE;
            case "TIME" -> Base.TIME;
            case "TIMESTAMP" -> Base.TIMESTAMP;
            default -> throw new IllegalArgumentException("Unknown ksqlDB type " + name);
        };
    }

    /** ksqlDB's spelling, as in header schemas, delimited {@code columnTypes} and CREATE statements. */
    @Override
    public String toString() {
        return switch (base) {
            case DECIMAL -> "DECIMAL(" + precision + ", " + scale + ")";
            case ARRAY -> "ARRAY<" + first + ">";
            case MAP -> "MAP<" + first + ", " + second + ">";
            case STRUCT -> fields.stream()
                    .map(f -> quote(f.name()) + " " + f.type())
                    .collect(Collectors.joining(", ", "STRUCT<", ">"));
            default -> base.name();
        };
    }

    static String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }

    /** The DESCRIBE {@code schema} object (SchemaInfo). */
    ObjectNode schemaInfo() {
        ObjectNode node = Json.object();
        node.put("type", base.name());
        if (base == Base.STRUCT) {
            ArrayNode structFields = node.putArray("fields");
            for (Field field : fields) {
                ObjectNode fieldInfo = structFields.addObject();
                fieldInfo.put("name", field.name());
                fieldInfo.set("schema", field.type().schemaInfo());
            }
        } else {
            node.putNull("fields");
        }
        SqlType member = base == Base.ARRAY ? first : base == Base.MAP ? second : null;
        if (member == null) {
            node.putNull("memberSchema");
        } else {
            node.set("memberSchema", member.schemaInfo());
        }
        if (base == Base.DECIMAL) {
            ObjectNode parameters = node.putObject("parameters");
            parameters.put("precision", precision);
            parameters.put("scale", scale);
        }
        return node;
    }

    /**
     * Checks a Java value given to a source against this type and returns it in canonical form (DECIMAL at the
     * column's scale, STRUCT as a field-ordered map). Wrong types fail loudly: they are bugs in whoever fills it.
     */
    Object normalize(Object value, String what) {
        if (value == null) {
            return null;
        }
        switch (base) {
            case BOOLEAN:
                return require(value, Boolean.class, what);
            case INTEGER:
                return require(value, Integer.class, what);
            case BIGINT:
                if (value instanceof Integer i) {
                    return i.longValue();
                }
                return require(value, Long.class, what);
            case DOUBLE:
                if (value instanceof Float f) {
                    return f.doubleValue();
                }
                return require(value, Double.class, what);
            case DECIMAL: {
                BigDecimal decimal = require(value, BigDecimal.class, what);
                if (decimal.scale() > scale) {
                    throw new IllegalArgumentException(what + ": " + decimal + " has more than " + scale
                            + " decimal places for " + this);
                }
                BigDecimal scaled = decimal.setScale(scale);
                if (scaled.precision() > precision) {
                    throw new IllegalArgumentException(what + ": " + decimal + " does not fit " + this);
                }
                return scaled;
            }
            case STRING:
                return require(value, String.class, what);
            case BYTES:
                return require(value, byte[].class, what).clone();
            case DATE:
                return require(value, LocalDate.class, what);
            case TIME:
                return require(value, LocalTime.class, what);
            case TIMESTAMP:
                return require(value, Instant.class, what);
            case ARRAY: {
                List<?> list = require(value, List.class, what);
                List<Object> normalized = new ArrayList<>(list.size());
                for (int i = 0; i < list.size(); i++) {
                    normalized.add(first.normalize(list.get(i), what + "[" + i + "]"));
                }
                return normalized;
            }
            case MAP: {
                Map<?, ?> map = require(value, Map.class, what);
                Map<Object, Object> normalized = new LinkedHashMap<>();
                map.forEach((k, v) -> {
                    if (k == null) {
                        throw new IllegalArgumentException(what + ": null map key");
                    }
                    normalized.put(first.normalize(k, what + " key"), second.normalize(v, what + "[" + k + "]"));
                });
                return normalized;
            }
            case STRUCT: {
                Map<?, ?> map = require(value, Map.class, what);
                for (Object key : map.keySet()) {
                    if (fields.stream().noneMatch(f -> f.name().equals(key))) {
                        throw new IllegalArgumentException(what + ": " + this + " has no field '" + key + "'");
                    }
                }
                Map<String, Object> normalized = new LinkedHashMap<>();
                for (Field field : fields) {
                    normalized.put(field.name(), field.type().normalize(map.get(field.name()), what + "." + field.name()));
                }
                return normalized;
            }
            default:
                throw new IllegalStateException(base.name());
        }
    }

    private <T> T require(Object value, Class<T> type, String what) {
        if (!type.isInstance(value)) {
            throw new IllegalArgumentException(what + ": a " + this + " value must be a " + type.getSimpleName()
                    + ", not " + value.getClass().getName() + " (" + value + ")");
        }
        return type.cast(value);
    }

    /** A value usable in a key for equality (byte arrays compare by content). */
    static Object keyPart(Object normalized) {
        return normalized instanceof byte[] bytes ? ByteBuffer.wrap(bytes) : normalized;
    }

    /**
     * The REST encoding of a normalized value. Inside a STRUCT ksqlDB goes through Connect's JsonConverter, so the
     * temporal types become numbers there (§7).
     */
    JsonNode encode(Object value, boolean insideStruct) {
        if (value == null) {
            return Json.NODES.nullNode();
        }
        switch (base) {
            case BOOLEAN:
                return Json.NODES.booleanNode((Boolean) value);
            case INTEGER:
                return Json.NODES.numberNode((Integer) value);
            case BIGINT:
                return Json.NODES.numberNode((Long) value);
            case DOUBLE:
                return Json.NODES.numberNode((Double) value);
            case DECIMAL:
                return Json.NODES.numberNode((BigDecimal) value);
            case STRING:
                return Json.NODES.textNode((String) value);
            case BYTES:
                return Json.NODES.textNode(Base64.getEncoder().encodeToString((byte[]) value));
            case DATE: {
                LocalDate date = (LocalDate) value;
                return insideStruct ? Json.NODES.numberNode((int) date.toEpochDay()) : Json.NODES.textNode(date.toString());
            }
            case TIME: {
                LocalTime time = (LocalTime) value;
                if (insideStruct) {
                    return Json.NODES.numberNode((int) (time.toNanoOfDay() / 1_000_000));
                }
                // ksqlDB formats TIME via LocalTime.ofSecondOfDay(millis / 1000): no fraction, ":00" seconds dropped
                return Json.NODES.textNode(time.truncatedTo(ChronoUnit.SECONDS).toString());
            }
            case TIMESTAMP: {
                Instant instant = (Instant) value;
                return insideStruct
                        ? Json.NODES.numberNode(instant.toEpochMilli())
                        : Json.NODES.textNode(TIMESTAMP_FORMAT.format(instant));
            }
            case ARRAY: {
                ArrayNode array = Json.NODES.arrayNode();
                for (Object element : (List<?>) value) {
                    array.add(first.encode(element, insideStruct));
                }
                return array;
            }
            case MAP: {
                ObjectNode object = Json.object();
                ((Map<?, ?>) value).forEach((k, v) -> object.set(String.valueOf(k), second.encode(v, insideStruct)));
                return object;
            }
            case STRUCT: {
                ObjectNode object = Json.object();
                Map<?, ?> struct = (Map<?, ?>) value;
                for (Field field : fields) {
                    object.set(field.name(), field.type().encode(struct.get(field.name()), true));
                }
                return object;
            }
            default:
                throw new IllegalStateException(base.name());
        }
    }

    /** Whether the KAFKA key format can hold a single key column of this type. */
    boolean kafkaKeyCompatible() {
        return base == Base.INTEGER || base == Base.BIGINT || base == Base.DOUBLE || base == Base.STRING;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SqlType other && toString().equals(other.toString());
    }

    @Override
    public int hashCode() {
        return Objects.hash(toString());
    }
}
