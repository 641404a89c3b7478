package org.cameldatalake.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.cameldatalake.schema.KsqlType.KsqlColumn;

/**
 * The Avro schema of rows whose columns ksqlDB declared (query header or DESCRIBE), and the converter of their
 * REST encoding to Avro values: DECIMAL → decimal, TIMESTAMP → timestamp-millis,
 * DATE → date, TIME → time-millis, BYTES → bytes, ARRAY → list, MAP → map, STRUCT → nested record.
 * WINDOWSTART, WINDOWEND and ROWTIME (BIGINT epoch millis) become timestamp-millis. Types are taken as declared,
 * never guessed from values; a value that does not match its declared type is a {@link BadValue}.
 */
public final class KsqlRowSchema implements RowSchema {
    public static final String INGESTION_TIMESTAMP = FeedSchema.INGESTION_TIMESTAMP;
    public static final String SOURCE = FeedSchema.SOURCE;
    private static final Set<String> EPOCH_MILLIS_COLUMNS = Set.of("WINDOWSTART", "WINDOWEND", "ROWTIME");

    private final int version;
    private final List<KsqlColumn> columns;
    private final Schema avro;
    private final Converter[] converters;
    private final int ingestionPos;
    private final int sourcePos;

    /** A value that does not match the type ksqlDB declared for it. */
    public static final class BadValue extends Exception {
        public BadValue(String message) {
            super(message, null, false, false);
        }
    }

    @FunctionalInterface
    private interface Converter {
        Object convert(JsonNode v) throws BadValue;
    }

    public KsqlRowSchema(String recordName, List<KsqlColumn> columns) {
        this(recordName, 1, columns);
    }

    public KsqlRowSchema(String recordName, int version, List<KsqlColumn> columns) {
        this.version = version;
        this.columns = List.copyOf(columns);
        Set<String> used = new HashSet<>(Set.of(INGESTION_TIMESTAMP, SOURCE));
        List<Schema.Field> fields = new ArrayList<>();
        converters = new Converter[columns.size()];
        for (int c = 0; c < columns.size(); c++) {
            KsqlColumn col = columns.get(c);
            String name = FeedSchema.avroName(col.name(), used);
            used.add(name);
            boolean epochMillis = col.type().base() == KsqlType.Base.BIGINT && EPOCH_MILLIS_COLUMNS.contains(col.name());
            Schema type = epochMillis ? LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG))
                    : DeclaredType.avro(col.type(), "cameldatalake." + recordName, name);
            Schema.Field f = new Schema.Field(name, FeedSchema.optional(type), col.key() ? "key column" : null, Schema.Field.NULL_DEFAULT_VALUE);
            if (!name.equals(col.name())) {
                f.addProp("json_name", col.name());
            }
            fields.add(f);
            converters[c] = converter(col.type(), type, col.name());
        }
        Schema ts = LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
        fields.add(new Schema.Field(INGESTION_TIMESTAMP, ts, "when camel-datalake read the row", (Object) null));
        fields.add(new Schema.Field(SOURCE, Schema.create(Schema.Type.STRING), "ksqlDB source", (Object) null));
        this.avro = Schema.createRecord(recordName, null, "cameldatalake", false, fields);
        this.ingestionPos = avro.getField(INGESTION_TIMESTAMP).pos();
        this.sourcePos = avro.getField(SOURCE).pos();
    }

    public List<KsqlColumn> columns() {
        return columns;
    }

    @Override
    public int version() {
        return version;
    }

    /** The columns as ksqlDB writes them in a query header: {@code `A` STRING KEY, `B` BIGINT}. */
    public String columnsText() {
        List<String> out = new ArrayList<>();
        columns.forEach(c -> out.add("`" + c.name() + "` " + c.type() + (c.key() ? " KEY" : "")));
        return String.join(", ", out);
    }

    @Override
    public Schema avro() {
        return avro;
    }

    /** One row ({@code "columns"} array of a query response) as an Avro record. */
    public GenericData.Record convert(JsonNode row, long ingestionMillis, String source) throws BadValue {
        if (row == null || !row.isArray()) {
            throw new BadValue("a row must be a JSON array, not " + row);
        }
        if (row.size() != converters.length) {
            throw new BadValue("a row has " + row.size() + " values but the header declares " + converters.length + " columns");
        }
        GenericData.Record r = new GenericData.Record(avro);
        for (int c = 0; c < converters.length; c++) {
            JsonNode v = row.get(c);
            r.put(c, v.isNull() ? null : converters[c].convert(v));
        }
        r.put(ingestionPos, ingestionMillis);
        r.put(sourcePos, source);
        return r;
    }

    private static Converter converter(KsqlType t, Schema avro, String path) {
        return switch (t.base()) {
            case BOOLEAN -> v -> {
                check(v.isBoolean(), v, t, path);
                return v.booleanValue();
            };
            case INTEGER -> v -> {
                check(v.isIntegralNumber() && v.canConvertToInt(), v, t, path);
                return v.intValue();
            };
            case BIGINT -> v -> {
                check(v.isIntegralNumber() && v.canConvertToLong(), v, t, path);
                return v.longValue();
            };
            case DOUBLE -> v -> {
                check(v.isNumber() && Double.isFinite(v.doubleValue()), v, t, path);
                return v.doubleValue();
            };
            case DECIMAL -> v -> {
                check(v.isNumber(), v, t, path);
                BigDecimal raw = v.decimalValue();
                // checked before setScale, which for 1e-99999999 or 1e99999999 would compute for minutes
                if (raw.stripTrailingZeros().scale() > t.scale()) {
                    throw new BadValue(path + ": " + abbreviate(v.toString()) + " has more than " + t.scale() + " decimals for " + t);
                }
                if (raw.signum() != 0 && raw.precision() - raw.scale() > t.precision() - t.scale()) {
                    throw new BadValue(path + ": " + abbreviate(v.toString()) + " does not fit " + t);
                }
                BigDecimal d = raw.setScale(t.scale(), RoundingMode.UNNECESSARY);
                if (d.precision() > t.precision()) {
                    throw new BadValue(path + ": " + v + " does not fit " + t);
                }
                return ByteBuffer.wrap(d.unscaledValue().toByteArray());
            };
            case STRING -> v -> {
                check(v.isTextual(), v, t, path);
                text(v.textValue(), path);
                return v.textValue();
            };
            case BYTES -> v -> {
                check(v.isTextual(), v, t, path);
                try {
                    return ByteBuffer.wrap(Base64.getDecoder().decode(v.textValue()));
                } catch (IllegalArgumentException e) {
                    throw new BadValue(path + ": not base64: " + abbreviate(v.textValue()));
                }
            };
            // TIMESTAMP, DATE and TIME come as text at the top level and as numbers inside a STRUCT (§7)
            case DATE -> v -> {
                if (v.isIntegralNumber()) {
                    check(v.canConvertToInt(), v, t, path);
                    return v.intValue();
                }
                check(v.isTextual(), v, t, path);
                return (int) parse(() -> LocalDate.parse(v.textValue()).toEpochDay(), v, t, path);
            };
            case TIME -> v -> {
                if (v.isIntegralNumber()) {
                    check(v.canConvertToInt() && v.intValue() >= 0 && v.intValue() < 86_400_000, v, t, path);
                    return v.intValue();
                }
                check(v.isTextual(), v, t, path);
                return (int) parse(() -> LocalTime.parse(v.textValue()).toNanoOfDay() / 1_000_000, v, t, path);
            };
            case TIMESTAMP -> v -> {
                if (v.isIntegralNumber()) {
                    check(v.canConvertToLong(), v, t, path);
                    return v.longValue();
                }
                check(v.isTextual(), v, t, path);
                return parse(() -> LocalDateTime.parse(v.textValue()).toInstant(ZoneOffset.UTC).toEpochMilli(), v, t, path);
            };
            case ARRAY -> {
                Converter el = converter(t.element(), avro.getElementType().getTypes().get(1), path + "[]");
                yield v -> {
                    check(v.isArray(), v, t, path);
                    List<Object> out = new ArrayList<>(v.size());
                    for (JsonNode item : v) {
                        out.add(item.isNull() ? null : el.convert(item));
                    }
                    return out;
                };
            }
            case MAP -> {
                Converter val = converter(t.element(), avro.getValueType().getTypes().get(1), path + "{}");
                yield v -> {
                    check(v.isObject(), v, t, path);
                    Map<String, Object> out = new LinkedHashMap<>();
                    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> e = it.next();
                        text(e.getKey(), path + "{}");
                        out.put(e.getKey(), e.getValue().isNull() ? null : val.convert(e.getValue()));
                    }
                    return out;
                };
            }
            case STRUCT -> {
                Map<String, Integer> positions = new HashMap<>();
                Map<String, Converter> fields = new HashMap<>();
                for (int i = 0; i < t.fields().size(); i++) {
                    KsqlColumn f = t.fields().get(i);
                    Schema.Field af = avro.getFields().get(i);
                    positions.put(f.name(), af.pos());
                    fields.put(f.name(), converter(f.type(), af.schema().getTypes().get(1), path + "." + f.name()));
                }
                yield v -> {
                    check(v.isObject(), v, t, path);
                    GenericData.Record r = new GenericData.Record(avro);
                    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> e = it.next();
                        Converter c = fields.get(e.getKey());
                        if (c == null) {
                            throw new BadValue(path + ": field " + e.getKey() + " is not declared in " + t);
                        }
                        r.put(positions.get(e.getKey()), e.getValue().isNull() ? null : c.convert(e.getValue()));
                    }
                    return r;
                };
            }
        };
    }

    private interface Parse {
        long get();
    }

    private static long parse(Parse p, JsonNode v, KsqlType t, String path) throws BadValue {
        try {
            return p.get();
        } catch (RuntimeException e) {
            throw new BadValue(path + ": " + abbreviate(v.toString()) + " is not a " + t);
        }
    }

    /** Text that is not Unicode would reach Parquet with {@code ?} in place of its lone surrogates. */
    private static void text(String s, String path) throws BadValue {
        String problem = Unicode.loneSurrogateProblem(s);
        if (problem != null) {
            throw new BadValue(path + ": the text " + problem);
        }
    }

    private static void check(boolean ok, JsonNode v, KsqlType t, String path) throws BadValue {
        if (!ok) {
            throw new BadValue(path + ": " + abbreviate(v.toString()) + " is not a " + t);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
