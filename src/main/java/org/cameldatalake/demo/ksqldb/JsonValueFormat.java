package org.cameldatalake.demo.ksqldb;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A record value of a {@code VALUE_FORMAT='JSON'} topic read into a row, as ksqlDB reads one: each column (and
 * STRUCT field) from the object field of the same name, case-insensitively; absent or null fields are null; the
 * temporal types as numbers (epoch ms, epoch days, ms of the day), BYTES as Base64. A value that does not fit its
 * column throws IllegalArgumentException, naming the column: ksqlDB skips such a record.
 */
final class JsonValueFormat {

    private JsonValueFormat() {
    }

    static Object[] row(List<InMemorySource.Column> columns, JsonNode value) {
        if (value == null || !value.isObject()) {
            throw new IllegalArgumentException("a record value must be a JSON object, not " + describe(value));
        }
        Map<String, JsonNode> fields = byUpperCaseName(value);
        Object[] row = new Object[columns.size()];
        for (InMemorySource.Column column : columns) {
            row[column.index()] = read(column.type(), fields.get(upper(column.name())), column.name());
        }
        return row;
    }

    private static Object read(SqlType type, JsonNode node, String what) {
        if (node == null || node.isNull()) {
            return null;
        }
        return switch (type.base) {
            case BOOLEAN -> require(node.isBoolean(), node, type, what).booleanValue();
            case INTEGER -> require(node.canConvertToInt() && node.isIntegralNumber(), node, type, what).intValue();
            case BIGINT -> require(node.canConvertToLong() && node.isIntegralNumber(), node, type, what).longValue();
            case DOUBLE -> require(node.isNumber(), node, type, what).doubleValue();
            case DECIMAL -> require(node.isNumber(), node, type, what).decimalValue()
                    .setScale(type.scale, RoundingMode.HALF_UP);
            case STRING -> node.isValueNode() ? node.asText() : node.toString();
            case BYTES -> Base64.getDecoder().decode(require(node.isTextual(), node, type, what).asText());
            case TIMESTAMP -> Instant.ofEpochMilli(require(node.isIntegralNumber(), node, type, what).longValue());
            case DATE -> LocalDate.ofEpochDay(require(node.isIntegralNumber(), node, type, what).longValue());
            case TIME -> LocalTime.ofNanoOfDay(require(node.isIntegralNumber(), node, type, what).longValue() * 1_000_000);
            case ARRAY -> {
                require(node.isArray(), node, type, what);
                List<Object> list = new ArrayList<>(node.size());
                for (int i = 0; i < node.size(); i++) {
                    list.add(read(type.first, node.get(i), what + "[" + i + "]"));
                }
                yield list;
            }
            case MAP -> {
                require(node.isObject(), node, type, what);
                Map<Object, Object> map = new LinkedHashMap<>();
                node.fields().forEachRemaining(e -> map.put(
                        read(type.first, Json.NODES.textNode(e.getKey()), what + " key"),
                        read(type.second, e.getValue(), what + "[" + e.getKey() + "]")));
                yield map;
            }
            case STRUCT -> {
                Map<String, JsonNode> fields = byUpperCaseName(require(node.isObject(), node, type, what));
                Map<String, Object> struct = new LinkedHashMap<>();
                for (SqlType.Field field : type.fields) {
                    struct.put(field.name(), read(field.type(), fields.get(upper(field.name())), what + "." + field.name()));
                }
                yield struct;
            }
        };
    }

    private static JsonNode require(boolean fits, JsonNode node, SqlType type, String what) {
        if (!fits) {
            throw new IllegalArgumentException(what + ": " + describe(node) + " is not a " + type);
        }
        return node;
    }

    private static Map<String, JsonNode> byUpperCaseName(JsonNode object) {
        Map<String, JsonNode> fields = new HashMap<>();
        object.fields().forEachRemaining(e -> fields.putIfAbsent(upper(e.getKey()), e.getValue()));
        return fields;
    }

    private static String upper(String name) {
        return name.toUpperCase(Locale.ROOT);
    }

    private static String describe(JsonNode node) {
        if (node == null) {
            return "nothing";
        }
        String text = node.toString();
        return node.getNodeType().name().toLowerCase(Locale.ROOT) + " " + (text.length() > 40 ? text.substring(0, 40) + "…" : text);
    }
}
