package org.cameldatalake.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The benchmark's "raw" JSON → Avro mapping (independent of the service's schema package): every field nullable,
 * integers as long, fractions as double, objects as records, arrays of strings; enough for the seed-004 message.
 */
final class JsonAvro {
    private JsonAvro() {
    }

    static Schema schemaOf(List<JsonNode> sample) {
        return record("transaction", sample);
    }

    private static Schema record(String name, List<JsonNode> objects) {
        Map<String, List<JsonNode>> fields = new LinkedHashMap<>();
        for (JsonNode o : objects) {
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                fields.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
            }
        }
        List<Schema.Field> out = new ArrayList<>();
        for (Map.Entry<String, List<JsonNode>> f : fields.entrySet()) {
            out.add(new Schema.Field(f.getKey(), Schema.createUnion(Schema.create(Schema.Type.NULL), type(name + "_" + f.getKey(), f.getValue())),
                    null, Schema.Field.NULL_DEFAULT_VALUE));
        }
        return Schema.createRecord(name, null, "bench", false, out);
    }

    private static Schema type(String name, List<JsonNode> values) {
        List<JsonNode> present = values.stream().filter(v -> !v.isNull()).toList();
        if (present.isEmpty() || present.get(0).isTextual()) {
            return Schema.create(Schema.Type.STRING);
        }
        if (present.get(0).isObject()) {
            return record(name, present);
        }
        if (present.get(0).isArray()) {
            return SchemaBuilder.array().items().stringType();
        }
        if (present.get(0).isBoolean()) {
            return Schema.create(Schema.Type.BOOLEAN);
        }
        return present.stream().allMatch(JsonNode::isIntegralNumber) ? Schema.create(Schema.Type.LONG) : Schema.create(Schema.Type.DOUBLE);
    }

    static GenericRecord convert(JsonNode object, Schema schema) {
        GenericData.Record r = new GenericData.Record(schema);
        for (Schema.Field f : schema.getFields()) {
            JsonNode v = object.get(f.name());
            r.put(f.pos(), v == null || v.isNull() ? null : value(v, f.schema().getTypes().get(1)));
        }
        return r;
    }

    private static Object value(JsonNode v, Schema s) {
        return switch (s.getType()) {
            case STRING -> v.isTextual() ? v.textValue() : v.toString();
            case LONG -> v.asLong();
            case DOUBLE -> v.asDouble();
            case BOOLEAN -> v.asBoolean();
            case RECORD -> convert(v, s);
            case ARRAY -> {
                List<String> items = new ArrayList<>();
                v.forEach(x -> items.add(x.isTextual() ? x.textValue() : x.toString()));
                yield items;
            }
            default -> throw new IllegalArgumentException(s.toString());
        };
    }
}
