package org.cameldatalake.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The type of a JSON value as far as the values seen so far tell it. Types only ever widen: null → anything,
 * long → double, a record gains fields, an array's element widens. Anything else is a conflict.
 */
public final class InferredType {
    public enum Kind { NULL, BOOLEAN, LONG, DOUBLE, STRING, RECORD, ARRAY }

    public static final InferredType NULL = new InferredType(Kind.NULL, null, null);
    public static final InferredType BOOLEAN = new InferredType(Kind.BOOLEAN, null, null);
    public static final InferredType LONG = new InferredType(Kind.LONG, null, null);
    public static final InferredType DOUBLE = new InferredType(Kind.DOUBLE, null, null);
    public static final InferredType STRING = new InferredType(Kind.STRING, null, null);

    private final Kind kind;
    private final Map<String, InferredType> fields; // RECORD only, in first-seen order
    private final InferredType element;             // ARRAY only

    private InferredType(Kind kind, Map<String, InferredType> fields, InferredType element) {
        this.kind = kind;
        this.fields = fields;
        this.element = element;
    }

    public static InferredType record(Map<String, InferredType> fields) {
        return new InferredType(Kind.RECORD, Collections.unmodifiableMap(new LinkedHashMap<>(fields)), null);
    }

    public static InferredType array(InferredType element) {
        return new InferredType(Kind.ARRAY, null, element);
    }

    public Kind kind() {
        return kind;
    }

    public Map<String, InferredType> fields() {
        return fields;
    }

    public InferredType element() {
        return element;
    }

    /** The type of one JSON value. */
    public static InferredType of(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return NULL;
        }
        if (v.isObject()) {
            Map<String, InferredType> f = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                f.put(e.getKey(), of(e.getValue()));
            }
            return record(f);
        }
        if (v.isArray()) {
            InferredType el = NULL;
            for (JsonNode item : v) {
                el = el.widen(of(item), "[]");
            }
            return array(el);
        }
        if (v.isBoolean()) {
            return BOOLEAN;
        }
        if (v.isIntegralNumber()) {
            return v.canConvertToLong() ? LONG : DOUBLE;
        }
        if (v.isNumber()) {
            return DOUBLE;
        }
        if (v.isTextual()) {
            return STRING;
        }
        throw new SchemaConflictException("", "unsupported JSON value " + v.getNodeType());
    }

    /** The narrowest type that holds both, or a {@link SchemaConflictException} naming the field. */
    public InferredType widen(InferredType other, String path) {
        if (other.kind == Kind.NULL || this.equals(other)) {
            return this;
        }
        if (kind == Kind.NULL) {
            return other;
        }
        if ((kind == Kind.LONG && other.kind == Kind.DOUBLE) || (kind == Kind.DOUBLE && other.kind == Kind.LONG)) {
            return DOUBLE;
        }
        if (kind == Kind.RECORD && other.kind == Kind.RECORD) {
            Map<String, InferredType> merged = new LinkedHashMap<>(fields);
            for (Map.Entry<String, InferredType> e : other.fields.entrySet()) {
                String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                InferredType mine = merged.get(e.getKey());
                merged.put(e.getKey(), mine == null ? e.getValue() : mine.widen(e.getValue(), p));
            }
            return record(merged);
        }
        if (kind == Kind.ARRAY && other.kind == Kind.ARRAY) {
            return array(element.widen(other.element, path + "[]"));
        }
        throw new SchemaConflictException(path, "cannot widen " + describe() + " to " + other.describe());
    }

    public String describe() {
        return switch (kind) {
            case RECORD -> "object";
            case ARRAY -> "array";
            default -> kind.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** Compact JSON form kept in _metadata.json: "long", {"A": "string"}, ["double"]. */
    public JsonNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (kind) {
            case RECORD -> {
                ObjectNode o = f.objectNode();
                fields.forEach((k, v) -> o.set(k, v.toJson()));
                yield o;
            }
            case ARRAY -> f.arrayNode().add(element.toJson());
            default -> f.textNode(describe());
        };
    }

    public static InferredType fromJson(JsonNode n) {
        if (n.isObject()) {
            Map<String, InferredType> f = new LinkedHashMap<>();
            n.fields().forEachRemaining(e -> f.put(e.getKey(), fromJson(e.getValue())));
            return record(f);
        }
        if (n.isArray()) {
            return array(fromJson(((ArrayNode) n).get(0)));
        }
        return switch (n.asText()) {
            case "null" -> NULL;
            case "boolean" -> BOOLEAN;
            case "long" -> LONG;
            case "double" -> DOUBLE;
            case "string" -> STRING;
            default -> throw new IllegalArgumentException("unknown type in schema: " + n);
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InferredType t && t.kind == kind && Objects.equals(t.fields, fields)
                && Objects.equals(t.element, element);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, fields, element);
    }

    @Override
    public String toString() {
        return toJson().toString();
    }
}
