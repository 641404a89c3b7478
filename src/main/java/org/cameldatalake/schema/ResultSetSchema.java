package org.cameldatalake.schema;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.sql.Blob;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;

/**
 * The Avro schema of a JDBC result (its columns' {@link SqlType}s) and the converter of its rows: integers, decimals
 * with their precision and scale, floating point, text, booleans, bytes, DATE → date, TIME → time-micros, TIMESTAMP
 * → local-timestamp-micros (Parquet's timestamp not adjusted to UTC), TIMESTAMP WITH TIME ZONE → timestamp-micros,
 * lists, maps and structs. Every column is nullable; names that are not Avro names are sanitised
 * ({@code sum(AMOUNT)} → {@code sum_AMOUNT_}) and keep the original in the field's {@code json_name}.
 */
public final class ResultSetSchema {
    private final Schema avro;
    private final List<SqlType> types = new ArrayList<>();
    private final List<String> labels = new ArrayList<>();
    private final Converter[] converters;

    /** A value that does not fit its column's type (a HUGEINT beyond 38 digits, an unexpected Java type). */
    public static final class BadValue extends Exception {
        public BadValue(String message) {
            super(message, null, false, false);
        }
    }

    @FunctionalInterface
    private interface Converter {
        Object convert(Object v) throws BadValue, SQLException;
    }

    public ResultSetSchema(String recordName, ResultSetMetaData md) throws SQLException {
        this(recordName, md, md.getColumnCount());
    }

    /** The schema of the result's first {@code count} columns (those after them are the reader's own). */
    public ResultSetSchema(String recordName, ResultSetMetaData md, int count) throws SQLException {
        List<FeedSchema.NamedType> columns = new ArrayList<>();
        for (int c = 1; c <= count; c++) {
            SqlType type = SqlType.of(md, c);
            types.add(type);
            labels.add(md.getColumnLabel(c));
            columns.add(new FeedSchema.NamedType(md.getColumnLabel(c), (ns, n) -> DeclaredType.avro(type, ns, n)));
        }
        this.avro = Schema.createRecord(recordName, null, "cameldatalake", false,
                FeedSchema.nullableFields(columns, "cameldatalake." + recordName, Set.of()));
        converters = new Converter[types.size()];
        for (int c = 0; c < converters.length; c++) {
            converters[c] = converter(types.get(c), avro.getFields().get(c).schema().getTypes().get(1), labels.get(c));
        }
    }

    public Schema avro() {
        return avro;
    }

    /** The columns as the database declared them: {@code `year` BIGINT, `revenue` DOUBLE}. */
    public String columnsText() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            out.add("`" + labels.get(i) + "` " + types.get(i).declared());
        }
        return String.join(", ", out);
    }

    /** The current row of {@code rs} as an Avro record. */
    public GenericData.Record convert(ResultSet rs) throws SQLException, BadValue {
        GenericData.Record r = new GenericData.Record(avro);
        for (int c = 0; c < converters.length; c++) {
            Object v = switch (types.get(c).kind()) {
                // typed reads: a java.sql.Timestamp would pass through the JVM's time zone
                case LOCAL_TIMESTAMP -> rs.getObject(c + 1, LocalDateTime.class);
                case TIMESTAMP -> rs.getObject(c + 1, OffsetDateTime.class);
                default -> rs.getObject(c + 1);
            };
            r.put(c, v == null ? null : converters[c].convert(v));
        }
        return r;
    }

    private static Converter converter(SqlType t, Schema avro, String path) {
        return switch (t.kind()) {
            case BOOLEAN -> v -> v instanceof Boolean b ? b : number(v, t, path).intValue() != 0;
            case INT -> v -> {
                long l = number(v, t, path).longValue();
                if ((int) l != l) {
                    throw new BadValue(path + ": " + l + " does not fit " + t.declared());
                }
                return (int) l;
            };
            case LONG -> v -> number(v, t, path).longValue();
            case FLOAT -> v -> number(v, t, path).floatValue();
            case DOUBLE -> v -> number(v, t, path).doubleValue();
            case DECIMAL -> v -> decimal(v, t, path);
            case STRING -> v -> text(v instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : String.valueOf(v), path);
            case BYTES -> v -> ByteBuffer.wrap(bytes(v, t, path));
            case DATE -> v -> (int) (v instanceof java.sql.Date d ? d.toLocalDate() : cast(v, LocalDate.class, t, path)).toEpochDay();
            case TIME -> v -> (v instanceof java.sql.Time tm ? tm.toLocalTime() : cast(v, LocalTime.class, t, path)).toNanoOfDay() / 1000;
            case LOCAL_TIMESTAMP -> v -> micros((v instanceof java.sql.Timestamp ts ? ts.toLocalDateTime()
                    : cast(v, LocalDateTime.class, t, path)).toInstant(ZoneOffset.UTC));
            case TIMESTAMP -> v -> micros(instant(v, t, path));
            case LIST -> {
                Converter el = converter(t.element(), avro.getElementType().getTypes().get(1), path + "[]");
                yield v -> {
                    Object[] items = v instanceof java.sql.Array a ? (Object[]) a.getArray()
                            : v instanceof List<?> l ? l.toArray() : cast(v, Object[].class, t, path);
                    List<Object> out = new ArrayList<>(items.length);
                    for (Object item : items) {
                        out.add(item == null ? null : el.convert(item));
                    }
                    return out;
                };
            }
            case MAP -> {
                Converter val = converter(t.element(), avro.getValueType().getTypes().get(1), path + "{}");
                yield v -> {
                    Map<String, Object> out = new LinkedHashMap<>();
                    for (Map.Entry<?, ?> e : ((Map<?, ?>) cast(v, Map.class, t, path)).entrySet()) {
                        out.put(text(String.valueOf(e.getKey()), path + "{}"), e.getValue() == null ? null : val.convert(e.getValue()));
                    }
                    return out;
                };
            }
            case STRUCT -> {
                Converter[] fields = new Converter[t.fields().size()];
                for (int i = 0; i < fields.length; i++) {
                    SqlType.Field f = t.fields().get(i);
                    fields[i] = converter(f.type(), avro.getFields().get(i).schema().getTypes().get(1), path + "." + f.name());
                }
                yield v -> {
                    Object[] values = v instanceof java.sql.Struct s ? s.getAttributes() : cast(v, Object[].class, t, path);
                    if (values.length != fields.length) {
                        throw new BadValue(path + ": " + values.length + " fields where " + t.declared() + " has " + fields.length);
                    }
                    GenericData.Record r = new GenericData.Record(avro);
                    for (int i = 0; i < fields.length; i++) {
                        r.put(i, values[i] == null ? null : fields[i].convert(values[i]));
                    }
                    return r;
                };
            }
        };
    }

    private static ByteBuffer decimal(Object v, SqlType t, String path) throws BadValue {
        BigDecimal d = v instanceof BigDecimal b ? b : v instanceof BigInteger i ? new BigDecimal(i)
                : new BigDecimal(number(v, t, path).toString());
        try {
            d = d.setScale(t.scale(), RoundingMode.UNNECESSARY);
        } catch (ArithmeticException e) {
            throw new BadValue(path + ": " + d + " has more than " + t.scale() + " decimals for " + t.declared());
        }
        if (d.precision() > t.precision()) {
            throw new BadValue(path + ": " + d + " does not fit DECIMAL(" + t.precision() + ", " + t.scale() + ") ("
                    + t.declared() + "); cast it to a narrower type or to VARCHAR");
        }
        return ByteBuffer.wrap(d.unscaledValue().toByteArray());
    }

    private static byte[] bytes(Object v, SqlType t, String path) throws BadValue, SQLException {
        if (v instanceof byte[] b) {
            return b;
        }
        if (v instanceof Blob blob) {
            return blob.getBytes(1, Math.toIntExact(blob.length()));
        }
        if (v instanceof ByteBuffer bb) {
            return Arrays.copyOfRange(bb.array(), bb.arrayOffset() + bb.position(), bb.arrayOffset() + bb.limit());
        }
        throw notA(v, t, path);
    }

    private static Instant instant(Object v, SqlType t, String path) throws BadValue {
        if (v instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        if (v instanceof ZonedDateTime z) {
            return z.toInstant();
        }
        if (v instanceof java.sql.Timestamp ts) {
            return ts.toInstant();
        }
        return cast(v, Instant.class, t, path);
    }

    private static long micros(Instant i) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, i);
    }

    private static Number number(Object v, SqlType t, String path) throws BadValue {
        return cast(v, Number.class, t, path);
    }

    private static <T> T cast(Object v, Class<T> type, SqlType t, String path) throws BadValue {
        if (type.isInstance(v)) {
            return type.cast(v);
        }
        throw notA(v, t, path);
    }

    private static BadValue notA(Object v, SqlType t, String path) {
        return new BadValue(path + ": a " + v.getClass().getSimpleName() + " where " + t.declared() + " was declared");
    }

    /** Text that is not Unicode would reach Parquet with {@code ?} in place of its lone surrogates. */
    private static String text(String s, String path) throws BadValue {
        String problem = Unicode.loneSurrogateProblem(s);
        if (problem != null) {
            throw new BadValue(path + ": the text " + problem);
        }
        return s;
    }
}
