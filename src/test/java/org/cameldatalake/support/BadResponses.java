package org.cameldatalake.support;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * A seeded generator of ksqlDB {@code /query-stream} responses in the v1 format (and
 * ksqlDB's value encodings) for one table of every ksqlDB type: complete ones, some with edge values that must land
 * unchanged, and broken ones of every kind, each with the pattern its error must contain.
 */
public final class BadResponses {

    public enum Kind { MALFORMED_ROW, WRONG_ARITY, WRONG_TYPE, HUGE_VALUE, TRUNCATED, NON_UTF8, BAD_ELEMENT, BAD_HEADER }

    /** Every kind but HUGE_VALUE, whose responses are 10 MB and more: tests ask for those one by one. */
    public static final List<Kind> SMALL_KINDS = List.of(Kind.MALFORMED_ROW, Kind.WRONG_ARITY, Kind.WRONG_TYPE,
            Kind.TRUNCATED, Kind.NON_UTF8, Kind.BAD_ELEMENT, Kind.BAD_HEADER);

    /** The columns as the emulator declares them ({@code createTable}), the first one the key. */
    public static final List<String> COLUMNS = List.of("ID STRING", "N INTEGER", "B BIGINT", "D DOUBLE",
            "AMOUNT DECIMAL(10, 2)", "T TIMESTAMP", "DAY DATE", "TOD TIME", "RAW BYTES", "OK BOOLEAN", "NOTE STRING",
            "TAGS ARRAY<STRING>", "ATTRS MAP<STRING, INTEGER>", "LOC STRUCT<`CITY` STRING, `ZIP` INTEGER>");
    /** The header schema ksqlDB sends for {@code SELECT *} on that table (§2.3: back-quoted, KEY on table pulls). */
    public static final String SCHEMA = "`ID` STRING KEY, `N` INTEGER, `B` BIGINT, `D` DOUBLE, `AMOUNT` DECIMAL(10, 2), "
            + "`T` TIMESTAMP, `DAY` DATE, `TOD` TIME, `RAW` BYTES, `OK` BOOLEAN, `NOTE` STRING, `TAGS` ARRAY<STRING>, "
            + "`ATTRS` MAP<STRING, INTEGER>, `LOC` STRUCT<`CITY` STRING, `ZIP` INTEGER>";
    private static final int NOTE = 10;

    /**
     * A response body. Good: {@code kind} null and {@code rows} the {@code columns} arrays it holds, as JSON text.
     * Bad: {@code failure} what the error that reading it raises must contain.
     */
    public record Response(Kind kind, String variant, byte[] body, Pattern failure, List<String> rows) {
        public boolean good() {
            return kind == null;
        }

        @Override
        public String toString() {
            return (good() ? "good/" : kind + "/") + variant + " (" + body.length + " bytes)";
        }
    }

    private static final Pattern NOT_JSON = Pattern.compile("the response holds a line that is not JSON \\(.+\\)");
    private static final Pattern NOT_UTF8 = Pattern.compile("the response is not UTF-8 \\(java.nio.charset.MalformedInputException");
    private static final Pattern CUT = Pattern.compile("the response ended before its closing '\\]'|" + NOT_JSON + "|" + NOT_UTF8
            + "|the response does not start with a header element");

    private final SplittableRandom random;
    private long nextId;

    public BadResponses(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** A complete table pull; one in five with an edge value in NOTE (Unicode that must land unchanged). */
    public Response good() {
        List<String> rows = rows();
        String variant = "table pull";
        if (!rows.isEmpty() && random.nextInt(5) == 0) {
            String[] edges = {"\"A\\u0000B\"", "\"😀 東京 ✓\"", "\"\\ud83d\\ude00\"", "\"\\uffff\"", "\"tab\\there\""};
            String edge = edges[random.nextInt(edges.length)];
            int r = random.nextInt(rows.size());
            rows.set(r, withValue(rows.get(r), NOTE, edge));
            variant = "edge NOTE " + edge;
        }
        return new Response(null, variant, body(header(), rows), null, rows);
    }

    /** A complete response whose NOTE holds {@code chars} characters: it must land. */
    public Response goodHuge(int chars) {
        List<String> rows = rows();
        rows.add(withValue(row(), NOTE, "\"" + "n".repeat(chars) + "\""));
        return new Response(null, "NOTE of " + chars + " characters", body(header(), rows), null, rows);
    }

    public Response bad() {
        return bad(SMALL_KINDS.get(random.nextInt(SMALL_KINDS.size())));
    }

    public Response bad(Kind kind) {
        List<String> rows = rows();
        if (rows.isEmpty()) {
            rows.add(row());
        }
        int r = random.nextInt(rows.size());
        String row = rows.get(r);
        return switch (kind) {
            case MALFORMED_ROW -> malformed(rows, r, row);
            case WRONG_ARITY -> {
                boolean drop = random.nextBoolean();
                List<String> values = values(row);
                if (drop) {
                    values.remove(values.size() - 1);
                } else {
                    values.add("null");
                }
                rows.set(r, rowOf(values));
                yield bad(kind, drop ? "a value missing" : "a value too many", rows,
                        "a row has " + values.size() + " values but the header declares " + COLUMNS.size() + " columns");
            }
            case WRONG_TYPE -> wrongType(rows, r, row);
            case HUGE_VALUE -> {
                if (random.nextBoolean()) {
                    rows.set(r, withValue(row, NOTE, "\"" + "h".repeat((16 << 20) + 1) + "\""));
                    yield bad(kind, "a line of 16 Mi characters and more", rows, "is longer than 16777216 characters");
                }
                rows.set(r, withValue(row, 11, "[".repeat(10_000) + "]".repeat(10_000)));
                yield new Response(kind, "10,000 nested arrays", body(header(), rows),
                        Pattern.compile("not JSON \\(Document nesting depth \\(1001\\) exceeds the maximum allowed"), null);
            }
            case TRUNCATED -> {
                byte[] whole = body(header(), rows);
                int cut = 1 + random.nextInt(whole.length - 1);
                yield new Response(kind, "cut at byte " + cut + " of " + whole.length, java.util.Arrays.copyOf(whole, cut), CUT, null);
            }
            case NON_UTF8 -> {
                int[][] sequences = {{0xFF}, {0x80}, {0xC0, 0xAF}, {0xE0, 0x80, 0xAF}, {0xED, 0xA0, 0x80}, {0xF5, 0x80, 0x80, 0x80},
                        {0xE2, 0x82}, {0xE9}};
                int[] seq = sequences[random.nextInt(sequences.length)];
                byte[] whole = body(header(), rows);
                int at = random.nextInt(whole.length + 1);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(whole, 0, at);
                for (int x : seq) {
                    out.write(x);
                }
                out.write(whole, at, whole.length - at);
                yield new Response(kind, String.format("0x%02X… at byte %d", seq[0], at), out.toByteArray(), NOT_UTF8, null);
            }
            case BAD_ELEMENT -> badElement(rows, r);
            case BAD_HEADER -> badHeader(rows);
        };
    }

    private Response malformed(List<String> rows, int r, String row) {
        String variant;
        String changed;
        switch (random.nextInt(7)) {
            case 0 -> {
                variant = "element cut off";
                changed = row.substring(0, 1 + random.nextInt(row.length() - 2));
            }
            case 1 -> { // a quote missing: never valid JSON again
                int at;
                do {
                    at = random.nextInt(row.length());
                } while (row.charAt(at) != '"');
                variant = "missing " + row.charAt(at);
                changed = row.substring(0, at) + row.substring(at + 1);
            }
            case 2 -> {
                variant = "NaN";
                changed = withValue(row, 3, random.nextBoolean() ? "NaN" : "-Infinity");
            }
            case 3 -> {
                variant = "duplicate columns";
                changed = "{\"row\":{\"columns\":" + columnsOf(row) + ",\"columns\":" + columnsOf(row) + "}}";
            }
            case 4 -> {
                variant = "duplicate MAP key";
                changed = withValue(row, 12, "{\"k\":1,\"k\":2}");
            }
            case 5 -> {
                variant = "single quotes";
                changed = row.replace('"', '\'');
            }
            default -> {
                variant = "garbage";
                changed = "<html><body>502 Bad Gateway</body></html>";
            }
        }
        rows.set(r, changed);
        return new Response(Kind.MALFORMED_ROW, variant, body(header(), rows), NOT_JSON, null);
    }

    /** A value that does not match its declared type, and the error naming it. */
    private Response wrongType(List<String> rows, int r, String row) {
        String[][] cases = {
                {"1", "\"1\"", "N: \"1\" is not a INTEGER"},
                {"1", "2147483648", "N: 2147483648 is not a INTEGER"},
                {"1", "1.5", "N: 1.5 is not a INTEGER"},
                {"2", "9223372036854775808", "B: 9223372036854775808 is not a BIGINT"},
                {"3", "1e400", "D: 1E\\+400 is not a DOUBLE"},
                {"3", "\"1.5\"", "D: \"1.5\" is not a DOUBLE"},
                {"4", "12.345", "AMOUNT: 12.345 has more than 2 decimals for DECIMAL\\(10, 2\\)"},
                {"4", "123456789", "AMOUNT: 123456789 does not fit DECIMAL\\(10, 2\\)"},
                {"4", "1e999999999", "AMOUNT: 1E\\+999999999 does not fit DECIMAL\\(10, 2\\)"},
                {"4", "1e-99999999", "AMOUNT: 1E-99999999 has more than 2 decimals"},
                {"5", "\"2025-13-01T00:00:00.000\"", "T: \"2025-13-01T00:00:00.000\" is not a TIMESTAMP"},
                {"5", "123456789012345678901234567890", "T: 123456789012345678901234567890 is not a TIMESTAMP"},
                {"6", "\"2025-02-30\"", "DAY: \"2025-02-30\" is not a DATE"},
                {"6", "1099511627776", "DAY: 1099511627776 is not a DATE"},
                {"7", "\"25:00\"", "TOD: \"25:00\" is not a TIME"},
                {"7", "86400000", "TOD: 86400000 is not a TIME"},
                {"8", "\"not base64!\"", "RAW: not base64: not base64!"},
                {"9", "\"true\"", "OK: \"true\" is not a BOOLEAN"},
                {"10", "\"a\\ud800b\"", "NOTE: the text holds a lone surrogate \\\\uD800 at character 1"},
                {"10", "42", "NOTE: 42 is not a STRING"},
                {"11", "{\"a\":1}", "TAGS: \\{\"a\":1\\} is not a ARRAY<STRING>"},
                {"11", "[1]", "TAGS\\[\\]: 1 is not a STRING"},
                {"12", "[1]", "ATTRS: \\[1\\] is not a MAP<STRING, INTEGER>"},
                {"12", "{\"k\":\"v\"}", "ATTRS\\{\\}: \"v\" is not a INTEGER"},
                {"12", "{\"\\udc00\":1}", "ATTRS\\{\\}: the text holds a lone surrogate"},
                {"13", "{\"CITY\":\"Paris\",\"STREET\":\"x\"}", "LOC: field STREET is not declared in STRUCT"},
                {"13", "{\"CITY\":1}", "LOC.CITY: 1 is not a STRING"},
        };
        String[] c = cases[random.nextInt(cases.length)];
        rows.set(r, withValue(row, Integer.parseInt(c[0]), c[1]));
        return bad(Kind.WRONG_TYPE, COLUMNS.get(Integer.parseInt(c[0])).split(" ")[0] + "=" + abbreviate(c[1]), rows, c[2]);
    }

    private Response badElement(List<String> rows, int r) {
        String[][] cases = {
                {"{\"row\":{}}", "is a row without a columns array"},
                {"{\"row\":{\"columns\":\"1,2\"}}", "is a row without a columns array"},
                {"{\"row\":null}", "is a row without a columns array"},
                {"[\"ID-1\",1]", "is not a JSON object"},
                {"42", "is not a JSON object"},
                {"{\"rows\":{\"columns\":[]}}", "is not a ksqlDB element"},
                {"{}", "is not a ksqlDB element"},
                {"{\"header\":{\"queryId\":\"q2\",\"schema\":\"`A` INTEGER\"}}", "is not a ksqlDB element"},
                {"{\"errorMessage\":{\"@type\":\"generic_error\",\"error_code\":50000,\"message\":\"boom\"}}", "ksqlDB error 50000: boom"},
        };
        String[] c = cases[random.nextInt(cases.length)];
        rows.add(r, c[0]);
        return new Response(Kind.BAD_ELEMENT, abbreviate(c[0]), body(header(), rows), Pattern.compile(Pattern.quote(c[1])), null);
    }

    private Response badHeader(List<String> rows) {
        String nested = "`S` " + "STRUCT<`A` ".repeat(10_000) + "INTEGER" + ">".repeat(10_000);
        String[][] cases = {
                {"{\"header\":{\"queryId\":\"q\"}}", "the response header has no schema"},
                {"{\"header\":{\"queryId\":\"q\",\"schema\":42}}", "the response header has no schema"},
                {"{\"header\":{\"queryId\":\"q\",\"schema\":\"\"}}", "the response header declares no column"},
                {"{\"header\":{\"queryId\":\"q\",\"schema\":\"`A` BLOB\"}}", "schema that cannot be read: .*unknown type 'BLOB'"},
                {"{\"header\":{\"queryId\":\"q\",\"schema\":\"`A` STRUCT<\"}}", "schema that cannot be read"},
                {"{\"header\":{\"queryId\":\"q\",\"schema\":\"`A` DECIMAL(0, 2)\"}}", "schema that cannot be read: .*needs a precision of at least 1"},
                {"{\"header\":{\"queryId\":\"q\",\"schema\":\"`A` DECIMAL(99999999999, 2)\"}}", "schema that cannot be read: .*a number too large"},
                {"{\"header\":{\"queryId\":\"q\",\"schema\":\"" + nested + "\"}}", "schema that cannot be read: .*types nested deeper than 64 levels"},
                {"{\"header\":\"`A` INTEGER\"}", "does not start with a header element"},
                {null, "does not start with a header element"},
                {"", "the response is not a v1 JSON array"},
                {"empty", "the response ended before its closing"},
        };
        String[] c = cases[random.nextInt(cases.length)];
        byte[] body;
        if (c[0] == null) { // the rows without their header
            body = body(rows.get(0), rows.subList(1, rows.size()));
        } else if (c[0].isEmpty()) { // the delimited format's metadata line (§3.3)
            body = utf8("{\"queryId\":\"q\",\"columnNames\":[\"A\"],\"columnTypes\":[\"INTEGER\"]}\n[1]\n");
        } else if (c[0].equals("empty")) {
            body = new byte[0];
        } else {
            body = body(c[0], rows);
        }
        return new Response(Kind.BAD_HEADER, c[0] == null ? "no header" : abbreviate(c[0]), body, Pattern.compile(c[1]), null);
    }

    private Response bad(Kind kind, String variant, List<String> rows, String failure) {
        return new Response(kind, variant, body(header(), rows), Pattern.compile(failure), null);
    }

    private String header() {
        return "{\"header\":{\"queryId\":\"query_" + (1_700_000_000_000L + random.nextInt(1_000_000)) + "\",\"schema\":\""
                + SCHEMA + "\"}}";
    }

    /** {@code [} header {@code ,\n} row {@code ,\n} … {@code ]}, as a table pull ends (§2.4). */
    private static byte[] body(String header, List<String> rows) {
        StringBuilder b = new StringBuilder("[").append(header);
        for (String row : rows) {
            b.append(",\n").append(row);
        }
        return utf8(b.append("]").toString());
    }

    private List<String> rows() {
        List<String> rows = new ArrayList<>();
        for (int i = 0, n = random.nextInt(12); i < n; i++) {
            rows.add(row());
        }
        return rows;
    }

    /** A row element with a value of every type in ksqlDB's REST encoding (§7), any of them possibly null. */
    private String row() {
        List<String> v = new ArrayList<>();
        v.add("\"ID-" + nextId++ + "\"");
        v.add(String.valueOf(random.nextInt()));
        v.add(String.valueOf(random.nextLong()));
        v.add(String.valueOf(random.nextDouble() * Math.pow(10, random.nextInt(-5, 15))));
        v.add(new java.math.BigDecimal(random.nextLong(-9_999_999_999L, 9_999_999_999L)).movePointLeft(2).toPlainString());
        Instant t = Instant.ofEpochMilli(random.nextLong(0, 4_102_444_800_000L));
        v.add("\"" + t.toString().replace("Z", "").substring(0, 19) + "." + String.format("%03d", t.toEpochMilli() % 1000) + "\"");
        v.add("\"" + LocalDate.ofEpochDay(random.nextLong(-100_000, 100_000)) + "\"");
        v.add("\"" + LocalTime.ofSecondOfDay(random.nextInt(86_400)) + "\"");
        byte[] raw = new byte[random.nextInt(8)];
        random.nextBytes(raw);
        v.add("\"" + Base64.getEncoder().encodeToString(raw) + "\"");
        v.add(String.valueOf(random.nextBoolean()));
        v.add("\"note " + Long.toString(random.nextLong(), 36).toLowerCase(Locale.ROOT) + "\"");
        v.add("[\"a\",null,\"c\"]");
        v.add("{\"k\":" + random.nextInt(100) + ",\"n\":null}");
        v.add("{\"CITY\":\"Paris\",\"ZIP\":" + random.nextInt(100_000) + "}");
        for (int c = 1; c < v.size(); c++) {
            if (random.nextInt(20) == 0) {
                v.set(c, "null");
            }
        }
        return rowOf(v);
    }

    private static String rowOf(List<String> values) {
        return "{\"row\":{\"columns\":[" + String.join(",", values) + "]}}";
    }

    /** The {@code columns} array of a row element this generator wrote. */
    private static String columnsOf(String row) {
        return row.substring("{\"row\":{\"columns\":".length(), row.length() - 2);
    }

    /** The values of a row element this generator wrote, as JSON text. */
    private static List<String> values(String row) {
        String columns = columnsOf(row);
        List<String> out = new ArrayList<>();
        int depth = 0;
        boolean inString = false;
        int start = 1;
        for (int i = 1; i < columns.length() - 1; i++) {
            char c = columns.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '[' || c == '{') {
                depth++;
            } else if (c == ']' || c == '}') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(columns.substring(start, i));
                start = i + 1;
            }
        }
        out.add(columns.substring(start, columns.length() - 1));
        return out;
    }

    private static String withValue(String row, int column, String value) {
        List<String> values = values(row);
        values.set(column, value);
        return rowOf(values);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        return s.length() > 24 ? s.substring(0, 24) + "…" : s;
    }
}
