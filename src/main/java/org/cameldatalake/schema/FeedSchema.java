package org.cameldatalake.schema;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;

/**
 * One version of a feed's schema: the inferred JSON type, the Avro schema the Parquet files are written with
 * (every data field optional, bronze columns last), and a precomputed plan that converts a JSON object into an
 * Avro record without per-record schema lookups.
 */
public final class FeedSchema implements RowSchema {
    public static final String INGESTION_TIMESTAMP = "_ingestion_timestamp";
    public static final String SOURCE = "_source";
    public static final String KAFKA_PARTITION = "_kafka_partition";
    public static final String KAFKA_OFFSET = "_kafka_offset";
    private static final Pattern AVRO_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String JSON_NAME = "json_name";

    private final int version;
    private final InferredType type;
    private final Schema avro;
    private final Plan plan;
    private final int ingestionPos;
    private final int sourcePos;
    private final int partitionPos;
    private final int offsetPos;

    public FeedSchema(String feedName, int version, InferredType type) {
        if (type.kind() != InferredType.Kind.RECORD) {
            throw new IllegalArgumentException("a feed schema is a record, not " + type.describe());
        }
        this.version = version;
        this.type = type;
        List<Schema.Field> fields = fieldsOf(type, "cameldatalake." + feedName, Set.of(INGESTION_TIMESTAMP, SOURCE,
                KAFKA_PARTITION, KAFKA_OFFSET));
        Schema ts = LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
        fields.add(new Schema.Field(INGESTION_TIMESTAMP, ts, "when camel-datalake read the record", (Object) null));
        fields.add(new Schema.Field(SOURCE, Schema.create(Schema.Type.STRING), "Kafka topic or ksqlDB source", (Object) null));
        fields.add(new Schema.Field(KAFKA_PARTITION, optional(Schema.create(Schema.Type.INT)), null, Schema.Field.NULL_DEFAULT_VALUE));
        fields.add(new Schema.Field(KAFKA_OFFSET, optional(Schema.create(Schema.Type.LONG)), null, Schema.Field.NULL_DEFAULT_VALUE));
        this.avro = Schema.createRecord(feedName, null, "cameldatalake", false, fields);
        this.plan = Plan.record(avro, type, "");
        this.ingestionPos = avro.getField(INGESTION_TIMESTAMP).pos();
        this.sourcePos = avro.getField(SOURCE).pos();
        this.partitionPos = avro.getField(KAFKA_PARTITION).pos();
        this.offsetPos = avro.getField(KAFKA_OFFSET).pos();
    }

    @Override
    public int version() {
        return version;
    }

    public InferredType type() {
        return type;
    }

    @Override
    public Schema avro() {
        return avro;
    }

    /** A record with the data fields of {@code json} filled in; the caller sets the bronze columns. */
    public GenericData.Record convert(JsonNode json) throws DoesNotFitSchema {
        return plan.toRecord(json);
    }

    /**
     * The JSON object the parser is at (its START_OBJECT token) read straight into a record, without a JSON tree;
     * null when it does not fit this schema exactly as it is or holds anything the lake refuses (an unknown field, a
     * value of another type, a duplicate key, a whole number beyond a long, a number beyond a double, a lone
     * surrogate). The parser is then left anywhere: the caller decodes the value again through the tree, which says
     * why or widens the schema.
     */
    public GenericData.Record read(JsonParser parser) throws IOException {
        return plan.read(parser);
    }

    /**
     * The value at a dotted path of JSON names in a record this schema converted, as {@link GenericData.Record},
     * {@link org.apache.avro.util.Utf8}, Long, Double, Boolean or List; null when absent, null or under a non-object.
     */
    public Object valueAt(GenericData.Record record, String[] jsonPath) {
        Plan p = plan;
        Object v = record;
        for (String name : jsonPath) {
            Plan.Slot slot = p.kind == InferredType.Kind.RECORD && v instanceof GenericData.Record ? p.slots.get(name) : null;
            if (slot == null) {
                return null;
            }
            v = ((GenericData.Record) v).get(slot.pos());
            p = slot.plan();
        }
        return v;
    }

    public void setBronze(GenericData.Record r, long ingestionMillis, String source, Integer partition, Long offset) {
        r.put(ingestionPos, ingestionMillis);
        r.put(sourcePos, source);
        r.put(partitionPos, partition);
        r.put(offsetPos, offset);
    }

    private static List<Schema.Field> fieldsOf(InferredType record, String namespace, Set<String> reserved) {
        List<NamedType> fields = new ArrayList<>();
        record.fields().forEach((name, type) -> fields.add(new NamedType(name, (ns, n) -> avroType(type, ns, n))));
        return nullableFields(fields, namespace, reserved);
    }

    /** The Avro type of a field, from the namespace its nested records go in and its Avro name. */
    @FunctionalInterface
    interface FieldType {
        Schema avro(String namespace, String name);
    }

    /** A field as its source names it (a JSON key, a ksqlDB or SQL column), with its type. */
    record NamedType(String name, FieldType type) {
    }

    /**
     * Nullable Avro fields for {@code fields}, in order: names that are not Avro names are sanitised (and kept as
     * {@code json_name}), names already used or {@code reserved} get a suffix, nested records go in {@code namespace}.
     */
    static List<Schema.Field> nullableFields(List<NamedType> fields, String namespace, Set<String> reserved) {
        List<Schema.Field> out = new ArrayList<>();
        Set<String> used = new HashSet<>(reserved);
        for (NamedType field : fields) {
            String name = avroName(field.name(), used);
            used.add(name);
            Schema.Field f = new Schema.Field(name, optional(field.type().avro(namespace, name)), null, Schema.Field.NULL_DEFAULT_VALUE);
            if (!name.equals(field.name())) {
                f.addProp(JSON_NAME, field.name());
            }
            out.add(f);
        }
        return out;
    }

    private static Schema avroType(InferredType t, String namespace, String name) {
        return switch (t.kind()) {
            case NULL, STRING -> Schema.create(Schema.Type.STRING); // null-only fields are strings until a value says otherwise
            case BOOLEAN -> Schema.create(Schema.Type.BOOLEAN);
            case LONG -> Schema.create(Schema.Type.LONG);
            case DOUBLE -> Schema.create(Schema.Type.DOUBLE);
            case RECORD -> Schema.createRecord(name, null, namespace, false, fieldsOf(t, namespace + "." + name, Set.of()));
            case ARRAY -> Schema.createArray(optional(avroType(t.element(), namespace, name + "_item")));
        };
    }

    static Schema optional(Schema s) {
        return Schema.createUnion(Schema.create(Schema.Type.NULL), s);
    }

    /** JSON keys may hold any character; Avro (and so Parquet via parquet-avro) names may not. */
    static String avroName(String jsonName, Set<String> used) {
        String base = jsonName;
        if (!AVRO_NAME.matcher(base).matches()) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < jsonName.length(); i++) {
                char c = jsonName.charAt(i);
                b.append((c < 128 && (Character.isLetterOrDigit(c) || c == '_')) ? c : '_');
            }
            if (b.length() == 0 || Character.isDigit(b.charAt(0))) {
                b.insert(0, '_');
            }
            base = b.toString();
        }
        String name = base;
        for (int i = 2; used.contains(name); i++) {
            name = base + "_" + i;
        }
        return name;
    }

    /** Converts JSON to Avro for one schema node; built once per schema version. */
    private static final class Plan {
        final InferredType.Kind kind;
        final String path;
        final Schema recordSchema;            // RECORD
        final Map<String, Slot> slots;        // RECORD: json name -> field position and plan
        final Plan element;                   // ARRAY

        /** A field of a record: its Avro position (also its bit in read()'s duplicate check) and its plan. */
        record Slot(int pos, Plan plan) {
        }

        /** What read() returns for a value that does not fit as it is (null is a value). */
        private static final Object NO_FIT = new Object();

        private Plan(InferredType.Kind kind, String path, Schema recordSchema, Map<String, Slot> slots, Plan element) {
            this.kind = kind;
            this.path = path;
            this.recordSchema = recordSchema;
            this.slots = slots;
            this.element = element;
        }

        static Plan record(Schema schema, InferredType type, String path) {
            Map<String, Slot> slots = new HashMap<>();
            Iterator<Schema.Field> fields = schema.getFields().iterator();
            for (Map.Entry<String, InferredType> e : type.fields().entrySet()) {
                Schema.Field f = fields.next();
                String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                slots.put(e.getKey(), new Slot(f.pos(), of(nonNull(f.schema()), e.getValue(), p)));
            }
            return new Plan(InferredType.Kind.RECORD, path, schema, slots, null);
        }

        static Plan of(Schema schema, InferredType type, String path) {
            return switch (type.kind()) {
                case RECORD -> record(schema, type, path);
                case ARRAY -> new Plan(InferredType.Kind.ARRAY, path, null, null,
                        of(nonNull(schema.getElementType()), type.element(), path + "[]"));
                default -> new Plan(type.kind(), path, null, null, null);
            };
        }

        private static Schema nonNull(Schema union) {
            return union.getTypes().get(1);
        }

        GenericData.Record toRecord(JsonNode obj) throws DoesNotFitSchema {
            GenericData.Record r = new GenericData.Record(recordSchema);
            for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                Slot slot = slots.get(e.getKey());
                if (slot == null) {
                    throw new DoesNotFitSchema(path.isEmpty() ? e.getKey() : path + "." + e.getKey());
                }
                r.put(slot.pos(), slot.plan().value(e.getValue()));
            }
            return r;
        }

        GenericData.Record read(JsonParser p) throws IOException {
            GenericData.Record r = new GenericData.Record(recordSchema);
            long seen = 0;         // fields 0 to 63 read so far: a second one is a duplicate key
            long[] seenAbove = null; // fields from 64 on, for wide records
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                Slot slot = slots.get(name);
                if (slot == null) {
                    return null;
                }
                int pos = slot.pos();
                if (pos < 64) {
                    if ((seen & (1L << pos)) != 0) {
                        return null;
                    }
                    seen |= 1L << pos;
                } else {
                    if (seenAbove == null) {
                        seenAbove = new long[(recordSchema.getFields().size() + 63) / 64];
                    }
                    if ((seenAbove[pos >> 6] & (1L << pos)) != 0) {
                        return null;
                    }
                    seenAbove[pos >> 6] |= 1L << pos;
                }
                p.nextToken();
                Object v = slot.plan().readValue(p);
                if (v == NO_FIT) {
                    return null;
                }
                r.put(pos, v);
            }
            return p.currentToken() == JsonToken.END_OBJECT ? r : null;
        }

        /** The value the parser is at, converted as {@link #value} would; NO_FIT where value would not take it. */
        private Object readValue(JsonParser p) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_NULL) {
                return null;
            }
            switch (kind) {
                case STRING:
                    if (t == JsonToken.VALUE_STRING) {
                        String text = p.getText();
                        return Unicode.loneSurrogate(text) >= 0 ? NO_FIT : new org.apache.avro.util.Utf8(text);
                    }
                    break;
                case LONG:
                    if (t == JsonToken.VALUE_NUMBER_INT) {
                        JsonParser.NumberType n = p.getNumberType();
                        if (n == JsonParser.NumberType.INT || n == JsonParser.NumberType.LONG) {
                            return p.getLongValue();
                        }
                    }
                    break;
                case DOUBLE:
                    if (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT) {
                        double d = p.getDoubleValue();
                        if (Double.isFinite(d)) {
                            return d;
                        }
                    }
                    break;
                case BOOLEAN:
                    if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
                        return t == JsonToken.VALUE_TRUE;
                    }
                    break;
                case RECORD:
                    if (t == JsonToken.START_OBJECT) {
                        GenericData.Record r = read(p);
                        return r == null ? NO_FIT : r;
                    }
                    break;
                case ARRAY:
                    if (t == JsonToken.START_ARRAY) {
                        List<Object> items = new ArrayList<>();
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            Object item = element.readValue(p);
                            if (item == NO_FIT) {
                                return NO_FIT;
                            }
                            items.add(item);
                        }
                        return items;
                    }
                    break;
                default: // NULL: only nulls fit, handled above
                    break;
            }
            return NO_FIT;
        }

        Object value(JsonNode v) throws DoesNotFitSchema {
            if (v.isNull()) {
                return null;
            }
            switch (kind) {
                case STRING:
                    if (v.isTextual()) {
                        // Utf8, not String: parquet-avro then writes its bytes as they are instead of encoding again
                        return new org.apache.avro.util.Utf8(v.textValue());
                    }
                    break;
                case LONG:
                    if (v.isIntegralNumber() && v.canConvertToLong()) {
                        return v.longValue();
                    }
                    break;
                case DOUBLE:
                    if (v.isNumber()) {
                        return v.doubleValue();
                    }
                    break;
                case BOOLEAN:
                    if (v.isBoolean()) {
                        return v.booleanValue();
                    }
                    break;
                case RECORD:
                    if (v.isObject()) {
                        return toRecord(v);
                    }
                    break;
                case ARRAY:
                    if (v.isArray()) {
                        List<Object> items = new ArrayList<>(v.size());
                        for (JsonNode item : v) {
                            items.add(element.value(item));
                        }
                        return items;
                    }
                    break;
                default: // NULL: only nulls fit, handled above
                    break;
            }
            throw new DoesNotFitSchema(path);
        }
    }
}
