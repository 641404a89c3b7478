package org.cameldatalake.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A ksqlDB SQL type as ksqlDB spells it in query headers and DESCRIBE output:
 * {@code BIGINT}, {@code DECIMAL(10, 2)}, {@code ARRAY<STRING>}, {@code MAP<STRING, INTEGER>},
 * {@code STRUCT<`F1` STRING, `F2` INTEGER>}.
 */
public record KsqlType(Base base, int precision, int scale, KsqlType element, KsqlType key,
                       List<KsqlColumn> fields) implements DeclaredType {

    /** TIME → time-millis, TIMESTAMP → timestamp-millis: ksqlDB keeps both in milliseconds. */
    public enum Base {
        BOOLEAN(Meaning.BOOLEAN), INTEGER(Meaning.INT), BIGINT(Meaning.LONG), DOUBLE(Meaning.DOUBLE),
        DECIMAL(Meaning.DECIMAL), STRING(Meaning.STRING), BYTES(Meaning.BYTES), DATE(Meaning.DATE),
        TIME(Meaning.TIME_MILLIS), TIMESTAMP(Meaning.TIMESTAMP_MILLIS), ARRAY(Meaning.LIST), MAP(Meaning.MAP),
        STRUCT(Meaning.STRUCT);

        private final Meaning meaning;

        Base(Meaning meaning) {
            this.meaning = meaning;
        }
    }

    /** A named, typed column; {@code key} for primary-key columns (and WINDOWSTART/WINDOWEND of windowed tables). */
    public record KsqlColumn(String name, KsqlType type, boolean key) implements DeclaredType.Field {
    }

    @Override
    public Meaning meaning() {
        return base.meaning;
    }

    public static KsqlType parse(String text) {
        Parser p = new Parser(text);
        KsqlType t = p.type();
        p.end();
        return t;
    }

    /** The schema of a v1 query header: {@code `ID` STRING KEY, `COUNT` BIGINT, `S` STRUCT<`A` INTEGER>}. */
    public static List<KsqlColumn> parseColumns(String text) {
        Parser p = new Parser(text);
        List<KsqlColumn> cols = p.columns(true);
        p.end();
        return cols;
    }

    @Override
    public String toString() {
        return switch (base) {
            case DECIMAL -> "DECIMAL(" + precision + ", " + scale + ")";
            case ARRAY -> "ARRAY<" + element + ">";
            case MAP -> "MAP<" + key + ", " + element + ">";
            case STRUCT -> {
                List<String> f = new ArrayList<>();
                fields.forEach(c -> f.add("`" + c.name() + "` " + c.type()));
                yield "STRUCT<" + String.join(", ", f) + ">";
            }
            default -> base.name();
        };
    }

    private static final class Parser {
        /** Far beyond any real schema; a deeper one is refused rather than overflow the stack. */
        private static final int MAX_DEPTH = 64;
        private final String s;
        private int i;
        private int depth;

        Parser(String s) {
            this.s = s;
        }

        List<KsqlColumn> columns(boolean allowKey) {
            List<KsqlColumn> out = new ArrayList<>();
            skipSpaces();
            if (i >= s.length()) {
                return out;
            }
            do {
                skipSpaces();
                String name = identifier();
                skipSpaces();
                KsqlType type = type();
                skipSpaces();
                boolean key = false;
                if (allowKey && s.startsWith("KEY", i) && (i + 3 == s.length() || !Character.isLetterOrDigit(s.charAt(i + 3)))) {
                    key = true;
                    i += 3;
                    skipSpaces();
                }
                if (allowKey && s.startsWith("HEADER", i)) { // header columns: `H` BYTES HEADER('k')
                    while (i < s.length() && s.charAt(i) != ',') {
                        i++;
                    }
                }
                out.add(new KsqlColumn(name, type, key));
                skipSpaces();
            } while (accept(','));
            return out;
        }

        KsqlType type() {
            if (++depth > MAX_DEPTH) {
                throw error("types nested deeper than " + MAX_DEPTH + " levels");
            }
            try {
                return unnestedType();
            } finally {
                depth--;
            }
        }

        private KsqlType unnestedType() {
            skipSpaces();
            int start = i;
            while (i < s.length() && (Character.isLetter(s.charAt(i)) || s.charAt(i) == '_')) {
                i++;
            }
            String word = s.substring(start, i).toUpperCase(Locale.ROOT);
            if (word.equals("INT")) {
                word = "INTEGER";
            } else if (word.equals("VARCHAR")) {
                word = "STRING";
            }
            Base base;
            try {
                base = Base.valueOf(word);
            } catch (IllegalArgumentException e) {
                throw error("unknown type '" + word + "'");
            }
            skipSpaces();
            return switch (base) {
                case DECIMAL -> {
                    expect('(');
                    int p = number();
                    expect(',');
                    int sc = number();
                    expect(')');
                    if (p < 1 || sc > p) {
                        throw error("DECIMAL(" + p + ", " + sc + ") needs a precision of at least 1 and a scale at most the precision");
                    }
                    yield new KsqlType(base, p, sc, null, null, null);
                }
                case ARRAY -> {
                    expect('<');
                    KsqlType el = type();
                    expect('>');
                    yield new KsqlType(base, 0, 0, el, null, null);
                }
                case MAP -> {
                    expect('<');
                    KsqlType k = type();
                    expect(',');
                    KsqlType v = type();
                    expect('>');
                    yield new KsqlType(base, 0, 0, v, k, null);
                }
                case STRUCT -> {
                    expect('<');
                    skipSpaces();
                    List<KsqlColumn> f = i < s.length() && s.charAt(i) == '>' ? List.of() : columns(false);
                    expect('>');
                    yield new KsqlType(base, 0, 0, null, null, List.copyOf(f));
                }
                default -> new KsqlType(base, 0, 0, null, null, null);
            };
        }

        String identifier() {
            if (accept('`')) {
                int start = i;
                StringBuilder b = new StringBuilder();
                while (i < s.length()) {
                    char c = s.charAt(i++);
                    if (c == '`') {
                        if (i < s.length() && s.charAt(i) == '`') { // `` is an escaped back-quote
                            b.append('`');
                            i++;
                            continue;
                        }
                        return b.toString();
                    }
                    b.append(c);
                }
                i = start;
                throw error("unterminated quoted name");
            }
            int start = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
                i++;
            }
            if (start == i) {
                throw error("a column name was expected");
            }
            return s.substring(start, i).toUpperCase(Locale.ROOT);
        }

        int number() {
            skipSpaces();
            int start = i;
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
            }
            if (start == i) {
                throw error("a number was expected");
            }
            if (i - start > 9) {
                throw error("a number too large");
            }
            int n = Integer.parseInt(s.substring(start, i));
            skipSpaces();
            return n;
        }

        boolean accept(char c) {
            skipSpaces();
            if (i < s.length() && s.charAt(i) == c) {
                i++;
                return true;
            }
            return false;
        }

        void expect(char c) {
            if (!accept(c)) {
                throw error("'" + c + "' was expected");
            }
        }

        void skipSpaces() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        void end() {
            skipSpaces();
            if (i != s.length()) {
                throw error("unexpected text");
            }
        }

        IllegalArgumentException error(String what) {
            String text = s.length() > 200 ? s.substring(0, 200) + "…" : s;
            return new IllegalArgumentException("cannot read ksqlDB type '" + text + "' at position " + i + ": " + what);
        }
    }
}
