package org.cameldatalake.warehouse;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Plain JDBC on the warehouse; whole numbers read as Long, fractional ones as Double, booleans as 1/0. */
final class Sql {
    private final String url;
    private final SqlDialect dialect;

    Sql(String url) {
        this.url = url;
        this.dialect = SqlDialect.forUrl(url);
    }

    /** Runs one statement (DDL, an insert…). */
    void execute(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    String q(String name) {
        return dialect.quote(name);
    }

    String cols(String... names) {
        return String.join(", ", Stream.of(names).map(this::q).toList());
    }

    Map<String, List<List<Object>>> tables(String... names) throws Exception {
        Map<String, List<List<Object>>> out = new HashMap<>();
        for (String t : names) {
            out.put(t, rows("SELECT * FROM " + q(t) + " ORDER BY 1, 2"));
        }
        return out;
    }

    List<List<Object>> rows(String query) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            ResultSetMetaData md = rs.getMetaData();
            List<List<Object>> out = new ArrayList<>();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    Object v = rs.getObject(i);
                    row.add(v instanceof Boolean b ? (Object) (b ? 1L : 0L)
                            : v instanceof Integer || v instanceof Short || v instanceof Byte ? ((Number) v).longValue()
                            : v instanceof Float || v instanceof java.math.BigDecimal ? ((Number) v).doubleValue() : v);
                }
                out.add(row);
            }
            return out;
        }
    }
}
