package org.cameldatalake.quality;

import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;

/**
 * A column of a record, or a field of a nested record or map by dotted path ({@code LOCATION.CITY}), and how to read
 * its value with the schema that says what the value means (a decimal's scale, a union's branch).
 */
final class ColumnPath {

    /** A value as found, with its schema (unions resolved to the branch of the value); null schema when absent. */
    record Found(Object value, Schema schema) {
        static final Found ABSENT = new Found(null, null);
    }

    private final List<String> names;

    private ColumnPath(List<String> names) {
        this.names = names;
    }

    static ColumnPath of(String dotted) {
        return new ColumnPath(List.of(dotted.split("\\.")));
    }

    /** The value at this path; a field the record does not have, or a null on the way, reads as absent or null. */
    Found read(GenericRecord record) {
        Object current = record;
        Schema schema = record.getSchema();
        for (String name : names) {
            if (current == null) {
                return new Found(null, schema);
            }
            if (current instanceof GenericRecord nested) {
                Schema.Field field = nested.getSchema().getField(name);
                if (field == null) {
                    return Found.ABSENT;
                }
                current = nested.get(field.pos());
                schema = field.schema();
            } else if (current instanceof Map<?, ?> map) {
                Object value = map.containsKey(name) ? map.get(name) : map.get(new Utf8(name));
                current = value;
                schema = nonNull(schema).getValueType();
            } else {
                return Found.ABSENT;
            }
            schema = branch(schema, current);
        }
        return new Found(current, schema);
    }

    /** Whether a record of {@code schema} has this path (a map's keys are not known in advance: any key counts). */
    boolean existsIn(Schema schema) {
        Schema current = schema;
        for (String name : names) {
            current = nonNull(current);
            if (current.getType() == Schema.Type.RECORD) {
                Schema.Field field = current.getField(name);
                if (field == null) {
                    return false;
                }
                current = field.schema();
            } else if (current.getType() == Schema.Type.MAP) {
                current = current.getValueType();
            } else {
                return false;
            }
        }
        return true;
    }

    /** The non-null branch of a nullable union, or the schema itself. */
    static Schema nonNull(Schema schema) {
        if (schema.getType() != Schema.Type.UNION) {
            return schema;
        }
        List<Schema> types = schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).toList();
        return types.size() == 1 ? types.get(0) : schema;
    }

    /** The branch of a union that holds {@code value} (by Avro's own resolution), or the schema itself. */
    private static Schema branch(Schema schema, Object value) {
        if (schema.getType() != Schema.Type.UNION || value == null) {
            return schema;
        }
        Schema single = nonNull(schema);
        if (single.getType() != Schema.Type.UNION) {
            return single;
        }
        int index = org.apache.avro.generic.GenericData.get().resolveUnion(schema, value);
        return schema.getTypes().get(index);
    }
}
