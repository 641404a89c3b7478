package org.cameldatalake.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * A column type its source declared — a JDBC result's ({@link SqlType}), a ksqlDB query's ({@link KsqlType}) — as
 * the one mapping to Avro ({@link #avro}) sees it: by what it means, whatever the source calls it.
 */
public interface DeclaredType {
    /** What a declared type means in Avro; the sources differ in the names of their types and the precision of times. */
    enum Meaning {
        BOOLEAN, INT, LONG, FLOAT, DOUBLE, DECIMAL, STRING, BYTES, DATE, TIME_MILLIS, TIME_MICROS, TIMESTAMP_MILLIS,
        TIMESTAMP_MICROS, LOCAL_TIMESTAMP_MICROS, LIST, MAP, STRUCT
    }

    /** A field of a struct. */
    interface Field {
        String name();

        DeclaredType type();
    }

    Meaning meaning();

    int precision();

    int scale();

    /** The type of a list's elements or of a map's values. */
    DeclaredType element();

    List<? extends Field> fields();

    /** The Avro type of {@code t}; a struct is a record {@code name} in {@code namespace}, its fields nullable. */
    static Schema avro(DeclaredType t, String namespace, String name) {
        return switch (t.meaning()) {
            case BOOLEAN -> Schema.create(Schema.Type.BOOLEAN);
            case INT -> Schema.create(Schema.Type.INT);
            case LONG -> Schema.create(Schema.Type.LONG);
            case FLOAT -> Schema.create(Schema.Type.FLOAT);
            case DOUBLE -> Schema.create(Schema.Type.DOUBLE);
            case DECIMAL -> LogicalTypes.decimal(t.precision(), t.scale()).addToSchema(Schema.create(Schema.Type.BYTES));
            case STRING -> Schema.create(Schema.Type.STRING);
            case BYTES -> Schema.create(Schema.Type.BYTES);
            case DATE -> LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT));
            case TIME_MILLIS -> LogicalTypes.timeMillis().addToSchema(Schema.create(Schema.Type.INT));
            case TIME_MICROS -> LogicalTypes.timeMicros().addToSchema(Schema.create(Schema.Type.LONG));
            case TIMESTAMP_MILLIS -> LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
            case TIMESTAMP_MICROS -> LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
            case LOCAL_TIMESTAMP_MICROS -> LogicalTypes.localTimestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
            case LIST -> Schema.createArray(FeedSchema.optional(avro(t.element(), namespace, name + "_item")));
            case MAP -> Schema.createMap(FeedSchema.optional(avro(t.element(), namespace, name + "_value")));
            case STRUCT -> {
                List<FeedSchema.NamedType> fields = new ArrayList<>();
                t.fields().forEach(f -> fields.add(new FeedSchema.NamedType(f.name(), (ns, n) -> avro(f.type(), ns, n))));
                yield Schema.createRecord(name, null, namespace, false,
                        FeedSchema.nullableFields(fields, namespace + "." + name, Set.of()));
            }
        };
    }
}
