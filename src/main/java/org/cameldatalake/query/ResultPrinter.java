package org.cameldatalake.query;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Blob;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Struct;
import java.sql.Types;
import java.time.LocalDateTime;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.duckdb.DuckDBStruct;

/**
 * Prints a query's rows as an aligned table (the first {@value #TABLE_ROWS} rows), as CSV (RFC 4180, a header line)
 * or as a JSON array of objects; CSV and JSON stream every row. Nested values (lists, structs, maps) are JSON in
 * the table and CSV, JSON in JSON; bytes are base64; timestamps ISO-8601.
 */
public final class ResultPrinter {
    public static final int TABLE_ROWS = 1000;
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN).build();

    public enum Format { TABLE, CSV, JSON }

    private ResultPrinter() {
    }

    /** Prints every row of {@code rs} in {@code format}; returns how many rows there were. */
    public static long print(ResultSet rs, Format format, Writer out) throws SQLException, IOException {
        ResultSetMetaData md = rs.getMetaData();
        List<String> labels = new ArrayList<>();
        for (int c = 1; c <= md.getColumnCount(); c++) {
            labels.add(md.getColumnLabel(c));
        }
        long rows = switch (format) {
            case TABLE -> table(rs, md, labels, out);
            case CSV -> csv(rs, md, labels, out);
            case JSON -> json(rs, md, labels, out);
        };
        out.flush();
        return rows;
    }

    private static long csv(ResultSet rs, ResultSetMetaData md, List<String> labels, Writer out) throws SQLException, IOException {
        out.write(String.join(",", labels.stream().map(ResultPrinter::csvField).toList()) + "\r\n");
        long rows = 0;
        while (rs.next()) {
            List<String> fields = new ArrayList<>(labels.size());
            for (int c = 1; c <= labels.size(); c++) {
                Object v = value(rs, md, c);
                fields.add(v == null ? "" : csvField(text(v)));
            }
            out.write(String.join(",", fields) + "\r\n");
            rows++;
        }
        return rows;
    }

    private static String csvField(String s) {
        return s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0
                ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static long json(ResultSet rs, ResultSetMetaData md, List<String> labels, Writer out) throws SQLException, IOException {
        out.write("[");
        long rows = 0;
        while (rs.next()) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int c = 1; c <= labels.size(); c++) {
                row.put(labels.get(c - 1), value(rs, md, c));
            }
            out.write((rows == 0 ? "\n" : ",\n") + JSON.writeValueAsString(row));
            rows++;
        }
        out.write(rows == 0 ? "]\n" : "\n]\n");
        return rows;
    }

    private static long table(ResultSet rs, ResultSetMetaData md, List<String> labels, Writer out) throws SQLException, IOException {
        int n = labels.size();
        List<String[]> shown = new ArrayList<>();
        boolean[] numeric = new boolean[n];
        java.util.Arrays.fill(numeric, true);
        long rows = 0;
        while (rs.next()) {
            if (rows++ >= TABLE_ROWS) {
                continue; // counted, not shown
            }
            String[] cells = new String[n];
            for (int c = 0; c < n; c++) {
                Object v = value(rs, md, c + 1);
                numeric[c] &= v == null || v instanceof Number;
                cells[c] = v == null ? "NULL" : text(v);
            }
            shown.add(cells);
        }
        int[] width = new int[n];
        for (int c = 0; c < n; c++) {
            width[c] = longestLine(labels.get(c));
            for (String[] cells : shown) {
                width[c] = Math.max(width[c], longestLine(cells[c]));
            }
        }
        line(labels.toArray(new String[0]), width, new boolean[n], out);
        StringBuilder rule = new StringBuilder();
        for (int c = 0; c < n; c++) {
            rule.append(c == 0 ? "-" : "-+-").append("-".repeat(width[c]));
        }
        out.write(rule.append("-\n").toString());
        for (String[] cells : shown) {
            line(cells, width, numeric, out);
        }
        out.write("(" + rows + (rows == 1 ? " row" : " rows") + (rows > TABLE_ROWS ? ", the first " + TABLE_ROWS
                + " shown; --format csv or json prints them all" : "") + ")\n");
        return rows;
    }

    /** One row; a cell of several lines (an EXPLAIN plan) spreads the row over as many lines. */
    private static void line(String[] cells, int[] width, boolean[] right, Writer out) throws IOException {
        String[][] lines = new String[cells.length][];
        int height = 1;
        for (int c = 0; c < cells.length; c++) {
            lines[c] = cells[c].split("\n", -1);
            height = Math.max(height, lines[c].length);
        }
        for (int l = 0; l < height; l++) {
            StringBuilder b = new StringBuilder();
            for (int c = 0; c < cells.length; c++) {
                String s = l < lines[c].length ? lines[c][l] : "";
                String pad = " ".repeat(width[c] - s.length());
                b.append(c == 0 ? " " : " | ").append(right[c] ? pad + s : s + pad);
            }
            out.write(b.toString().stripTrailing() + "\n");
        }
    }

    private static int longestLine(String s) {
        int longest = 0;
        for (String l : s.split("\n", -1)) {
            longest = Math.max(longest, l.length());
        }
        return longest;
    }

    /** A column's value as plain Java: null, String, Number, Boolean, List or Map. */
    private static Object value(ResultSet rs, ResultSetMetaData md, int c) throws SQLException {
        // typed read: a java.sql.Timestamp would pass through the JVM's time zone
        Object v = md.getColumnType(c) == Types.TIMESTAMP ? rs.getObject(c, LocalDateTime.class) : rs.getObject(c);
        return plain(v);
    }

    private static Object plain(Object v) throws SQLException {
        if (v == null || v instanceof String || v instanceof Boolean) {
            return v;
        }
        if (v instanceof Double d && !Double.isFinite(d) || v instanceof Float f && !Float.isFinite(f)) {
            return v.toString();
        }
        if (v instanceof Number) {
            return v;
        }
        if (v instanceof Array a) {
            List<Object> out = new ArrayList<>();
            for (Object item : (Object[]) a.getArray()) {
                out.add(plain(item));
            }
            return out;
        }
        if (v instanceof DuckDBStruct s) {
            return plain(s.getMap());
        }
        if (v instanceof Struct s) {
            return plain(java.util.Arrays.asList(s.getAttributes()));
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.put(String.valueOf(e.getKey()), plain(e.getValue()));
            }
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object item : l) {
                out.add(plain(item));
            }
            return out;
        }
        if (v instanceof Blob b) {
            return Base64.getEncoder().encodeToString(b.getBytes(1, Math.toIntExact(b.length())));
        }
        if (v instanceof byte[] b) {
            return Base64.getEncoder().encodeToString(b);
        }
        if (v instanceof java.sql.Timestamp ts) {
            return ts.toLocalDateTime().toString();
        }
        if (v instanceof java.sql.Date d) {
            return d.toLocalDate().toString();
        }
        if (v instanceof java.sql.Time t) {
            return t.toLocalTime().toString();
        }
        if (v instanceof org.duckdb.JsonNode j) {
            try {
                return JSON.readTree(j.toString());
            } catch (IOException notJson) {
                return j.toString();
            }
        }
        return v instanceof TemporalAccessor ? v.toString() : String.valueOf(v);
    }

    /** A plain value as text: numbers without exponent, nested values as JSON. */
    private static String text(Object v) throws IOException {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (v instanceof Double || v instanceof Float) {
            return new BigDecimal(v.toString()).stripTrailingZeros().toPlainString();
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        return JSON.writeValueAsString(v);
    }
}
