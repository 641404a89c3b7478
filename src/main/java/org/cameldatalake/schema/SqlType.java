package org.cameldatalake.schema;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The type of a column of a SQL result as the lake stores it, read from JDBC metadata (DuckDB, PostgreSQL, SQLite,
 * MariaDB) and, for DuckDB's nested types, from its type name ({@code INTEGER[]}, {@code STRUCT(a INTEGER, "b c"
 * VARCHAR)}, {@code MAP(VARCHAR, DOUBLE)}). Integers beyond 64 bits (DuckDB's HUGEINT, which {@code sum(BIGINT)}
 * returns, and UBIGINT) become decimals of scale 0; a type without a faithful Parquet form (INTERVAL, UUID, JSON,
 * ENUM, UNION, TIME WITH TIME ZONE, unconstrained NUMERIC) becomes its text.
 */
public record SqlType(Kind kind, int precision, int scale, SqlType element, List<Field> fields, String declared)
        implements DeclaredType {
    /** The largest precision of a Parquet decimal held in 16 bytes. */
    public static final int MAX_DECIMAL_PRECISION = 38;

    /** TIME → time-micros, TIMESTAMP → local-timestamp-micros, TIMESTAMP WITH TIME ZONE → timestamp-micros. */
    public enum Kind {
        BOOLEAN(Meaning.BOOLEAN), INT(Meaning.INT), LONG(Meaning.LONG), FLOAT(Meaning.FLOAT), DOUBLE(Meaning.DOUBLE),
        DECIMAL(Meaning.DECIMAL), STRING(Meaning.STRING), BYTES(Meaning.BYTES), DATE(Meaning.DATE),
        TIME(Meaning.TIME_MICROS), LOCAL_TIMESTAMP(Meaning.LOCAL_TIMESTAMP_MICROS), TIMESTAMP(Meaning.TIMESTAMP_MICROS),
        LIST(Meaning.LIST), STRUCT(Meaning.STRUCT), MAP(Meaning.MAP);

        private final Meaning meaning;

        Kind(Meaning meaning) {
            this.meaning = meaning;
        }
    }

    public record Field(String name, SqlType type) implements DeclaredType.Field {
    }

    @Override
    public Meaning meaning() {
        return kind.meaning;
    }

    private static SqlType simple(Kind kind, String declared) {
        return new SqlType(kind, 0, 0, null, List.of(), declared);
    }

    private static SqlType decimal(int precision, int scale, String declared) {
        return precision >= 1 && precision <= MAX_DECIMAL_PRECISION && scale >= 0 && scale <= precision
                ? new SqlType(Kind.DECIMAL, precision, scale, null, List.of(), declared) : simple(Kind.STRING, declared);
    }

    /** The type of result column {@code column} (1-based). */
    public static SqlType of(ResultSetMetaData md, int column) throws SQLException {
        String name = md.getColumnTypeName(column);
        String upper = name == null ? "" : name.toUpperCase(Locale.ROOT);
        if (md.getClass().getName().startsWith("org.sqlite.")) {
            SqlType declared = sqliteDeclared(upper, name);
            if (declared != null) {
                return declared;
            }
        }
        int type = md.getColumnType(column);
        if (type == Types.ARRAY || type == Types.STRUCT || upper.startsWith("MAP(") || upper.startsWith("STRUCT(")) {
            try {
                return duckDb(name);
            } catch (IllegalArgumentException notDuckDb) {
                return simple(Kind.STRING, name);
            }
        }
        return switch (type) {
            case Types.BOOLEAN, Types.BIT -> simple(Kind.BOOLEAN, name);
            case Types.TINYINT, Types.SMALLINT, Types.INTEGER -> simple(Kind.INT, name);
            case Types.BIGINT -> simple(Kind.LONG, name);
            case Types.REAL -> simple(Kind.FLOAT, name);
            // JDBC's FLOAT is a double, but DuckDB reports its 4-byte FLOAT with it
            case Types.FLOAT -> simple(Float.class.getName().equals(md.getColumnClassName(column)) ? Kind.FLOAT : Kind.DOUBLE, name);
            case Types.DOUBLE -> simple(Kind.DOUBLE, name);
            case Types.NUMERIC, Types.DECIMAL -> decimal(md.getPrecision(column), md.getScale(column), name);
            case Types.DATE -> simple(Kind.DATE, name);
            case Types.TIME -> simple(Kind.TIME, name);
            case Types.TIMESTAMP -> simple(upper.contains("TZ") || upper.contains("WITH TIME ZONE") ? Kind.TIMESTAMP
                    : Kind.LOCAL_TIMESTAMP, name);
            case Types.TIMESTAMP_WITH_TIMEZONE -> simple(Kind.TIMESTAMP, name);
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> simple(Kind.BYTES, name);
            default -> byName(upper, name);
        };
    }

    /**
     * A SQLite column by its declared type, with SQLite's affinity rules: sqlite-jdbc reports the storage class of
     * the current row's value as the column's JDBC type (an INTEGER column holding 'lots' reads as VARCHAR), so the
     * declaration is what the column is. REAL is a double there. Null when the declaration says nothing known.
     */
    private static SqlType sqliteDeclared(String upper, String declared) {
        if (upper.startsWith("DECIMAL(") || upper.startsWith("NUMERIC(")) {
            return duckDb(declared);
        }
        if (upper.contains("INT")) {
            return simple(upper.contains("BIG") ? Kind.LONG : Kind.INT, declared);
        }
        if (upper.contains("CHAR") || upper.contains("CLOB") || upper.contains("TEXT")) {
            return simple(Kind.STRING, declared);
        }
        if (upper.contains("REAL") || upper.contains("FLOA") || upper.contains("DOUB")) {
            return simple(Kind.DOUBLE, declared);
        }
        return switch (upper) {
            case "BLOB" -> simple(Kind.BYTES, declared);
            case "BOOLEAN", "BOOL" -> simple(Kind.BOOLEAN, declared);
            case "DATE" -> simple(Kind.DATE, declared);
            case "DATETIME", "TIMESTAMP" -> simple(Kind.LOCAL_TIMESTAMP, declared);
            default -> null;
        };
    }

    /** Types JDBC reports as OTHER (or not at all), by name: DuckDB's wide integers; everything else as text. */
    private static SqlType byName(String upper, String declared) {
        return switch (upper) {
            case "HUGEINT", "UHUGEINT" -> decimal(MAX_DECIMAL_PRECISION, 0, declared);
            case "UBIGINT" -> decimal(20, 0, declared);
            default -> simple(Kind.STRING, declared);
        };
    }

    /** A DuckDB type name, e.g. {@code STRUCT(x INTEGER, y DATE[])[]}. */
    public static SqlType duckDb(String typeName) {
        DuckDbTypeName p = new DuckDbTypeName(typeName);
        SqlType t = p.type();
        p.end();
        return t;
    }

    /** A recursive-descent reader of DuckDB type names. */
    private static final class DuckDbTypeName {
        private final String text;
        private int pos;

        DuckDbTypeName(String text) {
            this.text = text;
        }

        SqlType type() {
            int start = pos;
            SqlType t = base();
            while (peek() == '[') {
                pos++;
                while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                    pos++;
                }
                expect(']');
                t = new SqlType(Kind.LIST, 0, 0, t, List.of(), text.substring(start, pos).trim());
            }
            return t;
        }

        private SqlType base() {
            skipSpaces();
            int start = pos;
            while (pos < text.length() && "()[],".indexOf(text.charAt(pos)) < 0) {
                pos++;
            }
            String word = text.substring(start, pos).trim().toUpperCase(Locale.ROOT);
            if (word.isEmpty()) {
                throw new IllegalArgumentException("no type at " + start + " in " + text);
            }
            if (peek() != '(') {
                return named(word, text.substring(start, pos).trim());
            }
            pos++;
            switch (word) {
                case "STRUCT" -> {
                    List<Field> fields = new ArrayList<>();
                    do {
                        String name = identifier();
                        fields.add(new Field(name, type()));
                    } while (comma());
                    expect(')');
                    return new SqlType(Kind.STRUCT, 0, 0, null, List.copyOf(fields), text.substring(start, pos));
                }
                case "MAP" -> {
                    type();
                    expect(',');
                    SqlType value = type();
                    expect(')');
                    return new SqlType(Kind.MAP, 0, 0, value, List.of(), text.substring(start, pos));
                }
                case "DECIMAL", "NUMERIC" -> {
                    int precision = number();
                    int scale = comma() ? number() : 0;
                    expect(')');
                    return decimal(precision, scale, text.substring(start, pos));
                }
                default -> {
                    skipParenthesised(); // UNION(…), ENUM(…), VARCHAR(n)…
                    return named(word, text.substring(start, pos));
                }
            }
        }

        private static SqlType named(String word, String declared) {
            return switch (word) {
                case "BOOLEAN", "BOOL" -> simple(Kind.BOOLEAN, declared);
                case "TINYINT", "SMALLINT", "INTEGER", "INT", "UTINYINT", "USMALLINT" -> simple(Kind.INT, declared);
                case "BIGINT", "UINTEGER" -> simple(Kind.LONG, declared);
                case "FLOAT", "REAL" -> simple(Kind.FLOAT, declared);
                case "DOUBLE" -> simple(Kind.DOUBLE, declared);
                case "BLOB" -> simple(Kind.BYTES, declared);
                case "DATE" -> simple(Kind.DATE, declared);
                case "TIME" -> simple(Kind.TIME, declared);
                case "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS" -> simple(Kind.LOCAL_TIMESTAMP, declared);
                case "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ" -> simple(Kind.TIMESTAMP, declared);
                default -> byName(word, declared);
            };
        }

        private String identifier() {
            skipSpaces();
            if (peek() != '"') {
                int start = pos;
                while (pos < text.length() && !Character.isWhitespace(text.charAt(pos))) {
                    pos++;
                }
                return text.substring(start, pos);
            }
            StringBuilder b = new StringBuilder();
            pos++;
            while (true) {
                if (pos >= text.length()) {
                    throw new IllegalArgumentException("unterminated name in " + text);
                }
                char c = text.charAt(pos++);
                if (c == '"' && peek() == '"') {
                    pos++;
                    b.append('"');
                } else if (c == '"') {
                    return b.toString();
                } else {
                    b.append(c);
                }
            }
        }

        private void skipParenthesised() {
            int depth = 1;
            char quote = 0;
            while (depth > 0) {
                if (pos >= text.length()) {
                    throw new IllegalArgumentException("unbalanced parentheses in " + text);
                }
                char c = text.charAt(pos++);
                if (quote != 0) {
                    quote = c == quote ? 0 : quote;
                } else if (c == '\'' || c == '"') {
                    quote = c;
                } else if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    depth--;
                }
            }
        }

        private int number() {
            skipSpaces();
            int start = pos;
            while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                pos++;
            }
            if (start == pos) {
                throw new IllegalArgumentException("no number at " + start + " in " + text);
            }
            return Integer.parseInt(text.substring(start, pos));
        }

        private boolean comma() {
            if (peek() == ',') {
                pos++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            if (peek() != c) {
                throw new IllegalArgumentException("'" + c + "' expected at " + pos + " in " + text);
            }
            pos++;
        }

        private char peek() {
            skipSpaces();
            return pos < text.length() ? text.charAt(pos) : 0;
        }

        private void skipSpaces() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        void end() {
            if (peek() != 0) {
                throw new IllegalArgumentException("unexpected '" + text.substring(pos) + "' in " + text);
            }
        }
    }
}
