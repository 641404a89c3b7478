package org.cameldatalake.warehouse;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Types;
import java.util.Locale;
import org.cameldatalake.schema.InferredType;

/**
 * The column types the warehouse creates: whole numbers, fractional numbers, booleans and text (which also holds
 * nested objects and arrays as JSON text). Window bounds are BIGINT epoch milliseconds.
 */
public enum ColumnType {
    BIGINT(Types.BIGINT), DOUBLE(Types.DOUBLE), BOOLEAN(Types.BOOLEAN), TEXT(Types.VARCHAR);

    private final int sqlType;

    ColumnType(int sqlType) {
        this.sqlType = sqlType;
    }

    public int sqlType() {
        return sqlType;
    }

    /** The column type for values of an inferred JSON type; null for a type no value has shown yet. */
    public static ColumnType of(InferredType t) {
        return switch (t.kind()) {
            case NULL -> null;
            case LONG -> BIGINT;
            case DOUBLE -> DOUBLE;
            case BOOLEAN -> BOOLEAN;
            case STRING, RECORD, ARRAY -> TEXT;
        };
    }

    /** What an existing column (made by us or by someone else) holds, from its JDBC type and type name. */
    public static ColumnType ofSqlType(int jdbcType, String typeName) {
        String n = typeName == null ? "" : typeName.toUpperCase(Locale.ROOT);
        if (jdbcType == Types.BOOLEAN || jdbcType == Types.BIT || n.contains("BOOL")) {
            return BOOLEAN; // MariaDB's BOOLEAN is TINYINT(1), reported as BIT
        }
        if (n.contains("INT")) {
            return BIGINT;
        }
        if (n.contains("DOUB") || n.contains("FLOAT") || n.contains("REAL") || n.contains("NUMERIC") || n.contains("DECIMAL")) {
            return DOUBLE;
        }
        return TEXT;
    }

    /**
     * {@code v} as the JDBC value this column takes, or an {@link IllegalArgumentException} saying why it does not fit.
     * JSON null is SQL NULL; objects and arrays are stored as their JSON text.
     */
    public Object convert(JsonNode v, String column) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return null;
        }
        return switch (this) {
            case BIGINT -> {
                if (v.isIntegralNumber() && v.canConvertToLong()) {
                    yield v.longValue();
                }
                throw new IllegalArgumentException("column " + column + " is BIGINT, the value is " + v);
            }
            case DOUBLE -> {
                if (v.isNumber()) {
                    yield v.doubleValue();
                }
                throw new IllegalArgumentException("column " + column + " is DOUBLE, the value is " + v);
            }
            case BOOLEAN -> {
                if (v.isBoolean()) {
                    yield v.booleanValue();
                }
                throw new IllegalArgumentException("column " + column + " is BOOLEAN, the value is " + v);
            }
            case TEXT -> v.isTextual() ? v.textValue() : v.toString();
        };
    }
}
