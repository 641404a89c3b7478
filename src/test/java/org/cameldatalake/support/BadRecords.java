package org.cameldatalake.support;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.cameldatalake.demo.TransactionGenerator;
import org.cameldatalake.decode.JsonRecordDecoder;

/**
 * A seeded generator of Kafka values for a seed-004 transaction feed: good transactions (each with its own
 * TRANSACTION_ID, some of them Unicode edge cases that must land unchanged) and bad values of every kind of issue 7,
 * each with the pattern its rejection reason must match. Deterministic for a seed, so a failure can be replayed.
 */
public final class BadRecords {

    /** What a data engineer would call each kind of bad input; what each must be rejected with is in {@link Value}. */
    public enum Kind { INVALID_JSON, DEEP_NESTING, HUGE_VALUE, NAN_INFINITY, DUPLICATE_KEYS, WRONG_TYPE, UNICODE, NON_UTF8, EMPTY }

    /** Every kind but HUGE_VALUE, whose values are 10 MB and more: tests ask for those one by one. */
    public static final List<Kind> SMALL_KINDS = List.of(Kind.INVALID_JSON, Kind.DEEP_NESTING, Kind.NAN_INFINITY,
            Kind.DUPLICATE_KEYS, Kind.WRONG_TYPE, Kind.UNICODE, Kind.NON_UTF8, Kind.EMPTY);

    /**
     * A value to send. Good: {@code kind} null, {@code id} its TRANSACTION_ID, {@code landed} what the lake must hold
     * in {@code field} (null: nothing to compare). Bad: {@code reason} the pattern its rejection reason must match,
     * {@code variant} a short name of the mutation, for messages.
     */
    public record Value(Kind kind, String variant, String id, byte[] bytes, Pattern reason, String field, String landed) {
        public boolean good() {
            return kind == null;
        }

        @Override
        public String toString() {
            return (good() ? "good " + id : kind + "/" + variant) + " (" + (bytes == null ? "null" : bytes.length + " bytes") + ")";
        }
    }

    public static final int TEN_MB = 10 * 1024 * 1024;

    private static final Pattern NOT_JSON = Pattern.compile("^not valid JSON: .+");
    private static final Pattern TOO_DEEP = Pattern.compile("^beyond the decoder's limits: Document nesting depth \\(\\d+\\) exceeds .+");
    private static final Pattern NOT_UTF8 = Pattern.compile("^not UTF-8: malformed byte 0x[0-9A-F]{2} at offset \\d+$"
            + "|^not valid JSON: a NUL byte at offset \\d \\(UTF-16, UTF-32 or binary data\\?\\)$");
    private static final Pattern LONE_SURROGATE = Pattern.compile(
            "^(field [A-Z_.]+: the text|a field name) holds a lone surrogate \\\\u[0-9A-F]{4} at character \\d+ \\(not Unicode text\\)$");
    private static final Pattern OUT_OF_RANGE = Pattern.compile("^field AMOUNT: the number is beyond the range of a double.*");
    private static final Pattern CONFLICT = Pattern.compile("^schema conflict: field [A-Z_.]+: cannot widen \\w+ to \\w+$");
    private static final Pattern NOT_AN_OBJECT = Pattern.compile("^not a JSON object but (array|string|number|boolean|null|nothing)$");
    private static final Pattern BAD_TIMESTAMP = Pattern.compile("^timestamp field TIMESTAMP (does not parse|is neither) .+");

    private final TransactionGenerator transactions;
    private final SplittableRandom random;

    public BadRecords(long seed, LocalDate firstDay, int days) {
        this.transactions = new TransactionGenerator(seed, firstDay, days);
        this.random = new SplittableRandom(seed ^ 0x5DEECE66DL);
    }

    /** A transaction that must land; one in ten is a Unicode edge case (BOM, escaped U+0000, emoji, ...). */
    public Value good() {
        TransactionGenerator.Transaction t = transactions.next();
        if (random.nextInt(10) != 0) {
            return new Value(null, "transaction", t.id(), utf8(t.json()), null, null, null);
        }
        String[][] edge = {
                {"\\u0000 in the text", "A\\u0000B", "A\u0000B"},
                {"emoji and CJK", "😀 東京 ✓", "😀 東京 ✓"},
                {"escaped surrogate pair", "\\ud83d\\ude00", "😀"},
                {"noncharacters", "\\uffff\\ufffe", "\uffff\ufffe"},
                {"combining marks, RTL, line separator", "e\u0301 \u05e9\u05dc\u05d5\u05dd \\u2028", "e\u0301 \u05e9\u05dc\u05d5\u05dd \u2028"},
                {"control characters escaped", "\\t\\n\\r\\b\\f\\u001f", "\t\n\r\b\f\u001f"},
        };
        if (random.nextInt(edge.length + 1) == 0) { // a UTF-8 byte order mark before the value, which RFC 8259 lets a reader ignore
            byte[] json = utf8(t.json());
            byte[] out = new byte[json.length + 3];
            out[0] = (byte) 0xEF;
            out[1] = (byte) 0xBB;
            out[2] = (byte) 0xBF;
            System.arraycopy(json, 0, out, 3, json.length);
            return new Value(null, "byte order mark", t.id(), out, null, null, null);
        }
        String[] e = edge[random.nextInt(edge.length)];
        return new Value(null, e[0], t.id(), utf8(replace(t.json(), "USER_NAME", quoted(e[1]))), null, "USER_NAME", e[2]);
    }

    /** A good transaction whose USER_NAME is {@code bytes} long: it must land. */
    public Value goodHuge(int bytes) {
        TransactionGenerator.Transaction t = transactions.next();
        String name = "x".repeat(bytes);
        return new Value(null, "huge", t.id(), utf8(replace(t.json(), "USER_NAME", quoted(name))), null, "USER_NAME", name);
    }

    /** A bad value of a kind chosen at random (HUGE_VALUE excepted). */
    public Value bad() {
        return bad(SMALL_KINDS.get(random.nextInt(SMALL_KINDS.size())));
    }

    public Value bad(Kind kind) {
        String json = transactions.next().json();
        return switch (kind) {
            case INVALID_JSON -> invalidJson(json);
            case DEEP_NESTING -> deep(json);
            case HUGE_VALUE -> huge(json, random.nextBoolean());
            case NAN_INFINITY -> nanInfinity(json);
            case DUPLICATE_KEYS -> duplicateKeys(json);
            case WRONG_TYPE -> wrongType(json);
            case UNICODE -> unicode(json);
            case NON_UTF8 -> nonUtf8(json);
            case EMPTY -> random.nextBoolean() ? bad(kind, "tombstone", null, Pattern.compile("^empty value .+"))
                    : bad(kind, "empty", new byte[0], Pattern.compile("^empty value .+"));
        };
    }

    private Value invalidJson(String json) {
        return switch (random.nextInt(10)) {
            case 0 -> bad(Kind.INVALID_JSON, "truncated", utf8(json.substring(0, 1 + random.nextInt(json.length() - 1))), NOT_JSON);
            case 1 -> { // a quote or a brace missing (a colon or comma could be inside a text)
                int at;
                do {
                    at = random.nextInt(json.length());
                } while ("\"{}".indexOf(json.charAt(at)) < 0);
                yield bad(Kind.INVALID_JSON, "missing " + json.charAt(at), utf8(json.substring(0, at) + json.substring(at + 1)), NOT_JSON);
            }
            case 2 -> bad(Kind.INVALID_JSON, "single quotes", utf8(json.replace('"', '\'')), NOT_JSON);
            case 3 -> bad(Kind.INVALID_JSON, "trailing comma", utf8(json.substring(0, json.length() - 1) + ",}"), NOT_JSON);
            case 4 -> bad(Kind.INVALID_JSON, "comment", utf8("/* c */" + json), NOT_JSON);
            case 5 -> bad(Kind.INVALID_JSON, "unquoted key", utf8(json.replace("\"STATUS\"", "STATUS")), NOT_JSON);
            case 6 -> bad(Kind.INVALID_JSON, "two values", utf8(json + json), NOT_JSON);
            case 7 -> bad(Kind.INVALID_JSON, "trailing garbage", utf8(json + " x"), NOT_JSON);
            case 8 -> {
                StringBuilder b = new StringBuilder();
                for (int i = 0, n = 1 + random.nextInt(200); i < n; i++) {
                    b.append((char) (0x21 + random.nextInt(0x5e)));
                }
                if (b.charAt(0) == '[' || b.charAt(0) == '{' || b.charAt(0) == '"' || Character.isDigit(b.charAt(0))
                        || b.charAt(0) == '-') {
                    b.setCharAt(0, '#'); // random text that could start a valid value is not garbage for sure
                }
                yield bad(Kind.INVALID_JSON, "ASCII garbage", utf8(b.toString()), NOT_JSON);
            }
            default -> bad(Kind.INVALID_JSON, "raw control character", utf8(replace(json, "USER_NAME", "\"a\u0001b\"")), NOT_JSON);
        };
    }

    private Value deep(String json) {
        int depth = switch (random.nextInt(3)) {
            case 0 -> 10_000;
            case 1 -> 1_001;
            default -> JsonRecordDecoder.MAX_DEPTH + 1; // one past the limit, the record itself being the first level
        };
        String nested = random.nextBoolean() ? "[".repeat(depth - 1) + "1" + "]".repeat(depth - 1)
                : "{\"D\":".repeat(depth - 1) + "1" + "}".repeat(depth - 1);
        return bad(Kind.DEEP_NESTING, depth + " levels", utf8(json.substring(0, json.length() - 1) + ",\"NESTED\":" + nested + "}"),
                TOO_DEEP);
    }

    /** A bad value of 10 MB: valid text in a JSON value that breaks off before its end. */
    public Value badTenMegabytes() {
        return huge(transactions.next().json(), true);
    }

    private Value huge(String json, boolean tenMegabytes) {
        if (tenMegabytes) {
            String big = replace(json, "USER_NAME", quoted("y".repeat(TEN_MB)));
            return bad(Kind.HUGE_VALUE, "10 MB, cut off", utf8(big.substring(0, big.length() - 2)), NOT_JSON);
        }
        return bad(Kind.HUGE_VALUE, "25 MB string", utf8(replace(json, "USER_NAME", quoted("z".repeat(25 * 1024 * 1024)))),
                Pattern.compile("^beyond the decoder's limits: String value length \\(\\d+\\) exceeds .+"));
    }

    private Value nanInfinity(String json) {
        String[] notJson = {"NaN", "Infinity", "-Infinity", "+1.5", ".5", "01.5", "1.e5", "0x1F"};
        String[] outOfRange = {"1e400", "-1e400", "1" + "0".repeat(400), "-" + "9".repeat(331) + ".5"};
        if (random.nextInt(3) == 0) {
            String v = outOfRange[random.nextInt(outOfRange.length)];
            return bad(Kind.NAN_INFINITY, abbreviate(v), utf8(replace(json, "AMOUNT", v)), OUT_OF_RANGE);
        }
        String v = notJson[random.nextInt(notJson.length)];
        return bad(Kind.NAN_INFINITY, v, utf8(replace(json, "AMOUNT", v)), NOT_JSON);
    }

    private Value duplicateKeys(String json) {
        Pattern duplicate = Pattern.compile("^not valid JSON: Duplicate field '(TRANSACTION_ID|AMOUNT|CITY)'.*");
        return switch (random.nextInt(3)) {
            case 0 -> bad(Kind.DUPLICATE_KEYS, "TRANSACTION_ID twice", utf8(json.replace("{\"TRANSACTION_ID\":",
                    "{\"TRANSACTION_ID\":\"TXN-OTHER\",\"TRANSACTION_ID\":")), duplicate);
            case 1 -> bad(Kind.DUPLICATE_KEYS, "same AMOUNT twice", utf8(json.replace(",\"CURRENCY\":",
                    ",\"AMOUNT\":" + valueOf(json, "AMOUNT") + ",\"CURRENCY\":")), duplicate);
            default -> bad(Kind.DUPLICATE_KEYS, "nested CITY twice", utf8(json.replace("\"LOCATION\":{\"CITY\":",
                    "\"LOCATION\":{\"CITY\":\"Nowhere\",\"CITY\":")), duplicate);
        };
    }

    /** Types that conflict with the ones the good records give the feed (never with a field that may be all null). */
    private Value wrongType(String json) {
        String[][] swaps = {
                {"AMOUNT", "\"12.50\""}, {"AMOUNT", "true"}, {"AMOUNT", "{\"VALUE\":12.5}"}, {"AMOUNT", "[12.5]"},
                {"TRANSACTION_ID", "12345"}, {"USER_NAME", "false"}, {"QUANTITY", "\"three\""}, {"QUANTITY", "[3]"},
                {"LOCATION", "\"Paris\""}, {"DEVICE_INFO", "[1,2]"}, {"CUSTOMER_RATING", "{\"STARS\":5}"},
                {"SHIPPING_ADDRESS", "42"}, {"TAX_AMOUNT", "\"zero\""},
        };
        int pick = random.nextInt(swaps.length + 3);
        if (pick < swaps.length) {
            return bad(Kind.WRONG_TYPE, swaps[pick][0] + "=" + swaps[pick][1], utf8(replace(json, swaps[pick][0], swaps[pick][1])),
                    CONFLICT);
        }
        if (pick == swaps.length) {
            String[] notObjects = {"[1,2,3]", "\"a transaction\"", "42", "null", "true", "   ", "[" + json + "]"};
            String v = notObjects[random.nextInt(notObjects.length)];
            return bad(Kind.WRONG_TYPE, "not an object: " + abbreviate(v), utf8(v), NOT_AN_OBJECT);
        }
        String ts = pick == swaps.length + 1 ? "\"yesterday\"" : "true";
        return bad(Kind.WRONG_TYPE, "TIMESTAMP=" + ts, utf8(replace(json, "TIMESTAMP", ts)), BAD_TIMESTAMP);
    }

    private Value unicode(String json) {
        return switch (random.nextInt(6)) {
            case 0 -> bad(Kind.UNICODE, "lone high surrogate", utf8(replace(json, "USER_NAME", "\"ab\\ud800c\"")), LONE_SURROGATE);
            case 1 -> bad(Kind.UNICODE, "lone low surrogate", utf8(replace(json, "USER_NAME", "\"\\udc00\"")), LONE_SURROGATE);
            case 2 -> bad(Kind.UNICODE, "reversed pair", utf8(replace(json, "USER_NAME", "\"\\ude00\\ud83d\"")), LONE_SURROGATE);
            case 3 -> bad(Kind.UNICODE, "high surrogate at the end", utf8(replace(json, "LOCATION", "{\"CITY\":\"Paris\\ud83d\",\"COUNTRY\":\"France\"}")),
                    LONE_SURROGATE);
            case 4 -> bad(Kind.UNICODE, "lone surrogate in a name", utf8(json.replace("\"STATUS\":", "\"STATUS\\udfff\":")), LONE_SURROGATE);
            default -> { // U+0000 as a raw byte: JSON wants control characters escaped
                byte[] b = utf8(replace(json, "USER_NAME", "\"a_b\""));
                int at = indexOf(b, utf8("a_b")) + 1;
                b[at] = 0;
                yield bad(Kind.UNICODE, "raw U+0000", b, NOT_JSON);
            }
        };
    }

    private Value nonUtf8(String json) {
        int[][] sequences = {
                {0xFF}, {0xFE}, {0x80}, {0xC0, 0xAF}, {0xC1, 0xBF}, {0xE0, 0x80, 0xAF}, {0xF0, 0x80, 0x80, 0xAF},
                {0xED, 0xA0, 0x80}, {0xED, 0xBF, 0xBF}, {0xF4, 0x90, 0x80, 0x80}, {0xF5, 0x80, 0x80, 0x80}, {0xE2, 0x82},
                {0xE9}, {0xC3}, {0xF0, 0x9F, 0x98},
        };
        int pick = random.nextInt(sequences.length + 3);
        if (pick < sequences.length) { // in the middle of a text value, the rest of the record well-formed
            int[] seq = sequences[pick];
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            String marked = replace(json, "USER_NAME", "\"Du|bois\"");
            int at = marked.indexOf('|');
            out.writeBytes(utf8(marked.substring(0, at)));
            for (int x : seq) {
                out.write(x);
            }
            out.writeBytes(utf8(marked.substring(at + 1)));
            StringBuilder name = new StringBuilder();
            for (int x : seq) {
                name.append(String.format("%02X", x));
            }
            return bad(Kind.NON_UTF8, name.toString(), out.toByteArray(), NOT_UTF8);
        }
        return switch (pick - sequences.length) {
            case 0 -> bad(Kind.NON_UTF8, "UTF-16 with BOM", json.getBytes(StandardCharsets.UTF_16), NOT_UTF8);
            case 1 -> bad(Kind.NON_UTF8, "UTF-16LE", json.getBytes(StandardCharsets.UTF_16LE), NOT_UTF8);
            default -> bad(Kind.NON_UTF8, "UTF-32BE", json.getBytes(java.nio.charset.Charset.forName("UTF-32BE")), NOT_UTF8);
        };
    }

    private static Value bad(Kind kind, String variant, byte[] bytes, Pattern reason) {
        return new Value(kind, variant, null, bytes, reason, null, null);
    }

    /** {@code json} with the value of its first field {@code field} (at any depth) replaced by {@code value} (JSON text). */
    public static String replace(String json, String field, String value) {
        int start = json.indexOf("\"" + field + "\":");
        if (start < 0) {
            throw new IllegalArgumentException("no field " + field + " in " + json);
        }
        start += field.length() + 3;
        return json.substring(0, start) + value + json.substring(endOfValue(json, start));
    }

    private static String valueOf(String json, String field) {
        int start = json.indexOf("\"" + field + "\":") + field.length() + 3;
        return json.substring(start, endOfValue(json, start));
    }

    /** Where the JSON value starting at {@code start} ends (for the generator's own well-formed text). */
    private static int endOfValue(String json, int start) {
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                    if (depth == 0) {
                        return i + 1;
                    }
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (depth == 0) {
                    return i;
                }
                if (--depth == 0) {
                    return i + 1;
                }
            } else if (c == ',' && depth == 0) {
                return i;
            }
        }
        return json.length();
    }

    /** {@code text} as a JSON string literal; backslash escapes in it are kept as they are. */
    private static String quoted(String text) {
        return "\"" + text + "\"";
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        return s.length() > 24 ? s.substring(0, 24) + "…" : s;
    }
}
