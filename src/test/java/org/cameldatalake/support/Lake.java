package org.cameldatalake.support;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Reads the lake with DuckDB (an independent Parquet reader), never with our own writer. */
public final class Lake {
    private final Path root;

    public Lake(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** {@code read_parquet(...)} over a stream feed, with Hive partitioning (year, month, day as columns). */
    public String stream(String feed) {
        return "read_parquet('" + root.resolve("streams").resolve(feed) + "/**/*.parquet', hive_partitioning=true, "
                + "hive_types={'year': INTEGER, 'month': INTEGER, 'day': INTEGER}, union_by_name=true, filename=true)";
    }

    public List<List<Object>> rows(String sql) {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            List<List<Object>> out = new ArrayList<>();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    row.add(rs.getObject(i));
                }
                out.add(row);
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    public long count(String sql) {
        return ((Number) rows(sql).get(0).get(0)).longValue();
    }

    /** Rows in a stream feed, 0 while it has no file yet. */
    public long streamRows(String feed) {
        if (!java.nio.file.Files.isDirectory(root.resolve("streams").resolve(feed))) {
            return 0;
        }
        try {
            return count("SELECT count(*) FROM " + stream(feed));
        } catch (IllegalStateException e) {
            if (e.getMessage().contains("No files found")) {
                return 0;
            }
            throw e;
        }
    }
}
