package org.cameldatalake.feed;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.duckdb.DuckDBDriver;

/**
 * Checks that a text is one query that only reads — a SELECT (also WITH, FROM-first, VALUES, DESCRIBE, SHOW,
 * SUMMARIZE), or EXPLAIN [ANALYZE] of one where allowed — with DuckDB's own parser ({@code json_serialize_sql}, which
 * serialises SELECT statements only). COPY … TO, CREATE, INSERT, ATTACH, SET and the like are refused before anything
 * runs: a SQL feed or a {@code query} reads the lake and never writes to it.
 */
public final class SelectQuery {
    private static final Pattern EXPLAIN = Pattern.compile(
            "^\\s*(?:--[^\\n]*\\n\\s*)*EXPLAIN\\s+(?:ANALYZE\\s+)?(.*)$", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

    private SelectQuery() {
    }

    /** Why a text is not one read-only query, in words fit for one line after a file and field name. */
    public static final class NotASelect extends Exception {
        NotASelect(String message) {
            super(message);
        }
    }

    /** Throws unless {@code sql} is exactly one SELECT statement (or EXPLAIN of one when {@code explainAllowed}). */
    public static void check(String sql, boolean explainAllowed) throws NotASelect {
        if (sql == null || sql.isBlank()) {
            throw new NotASelect("is empty; it must be one SELECT query");
        }
        Matcher explain = EXPLAIN.matcher(sql);
        String select = explainAllowed && explain.matches() ? explain.group(1) : sql;
        JsonNode parsed = parse(select);
        if (parsed.path("error").asBoolean()) {
            if ("parser".equals(parsed.path("error_type").asText())) {
                throw new NotASelect("is not valid SQL: " + parsed.path("error_message").asText()
                        + (parsed.has("position") ? " (at character " + (parsed.path("position").asInt() + 1) + ")" : ""));
            }
            throw new NotASelect("must be a SELECT query" + (explainAllowed ? " (or EXPLAIN of one)" : "")
                    + ": the lake is read here, never written (no COPY, CREATE, INSERT, ATTACH, SET…)");
        }
        int statements = parsed.path("statements").size();
        if (statements != 1) {
            throw new NotASelect("holds " + statements + " statements; it must be one SELECT query");
        }
    }

    private static JsonNode parse(String sql) throws NotASelect {
        try (Connection c = new DuckDBDriver().connect("jdbc:duckdb:", new java.util.Properties());
             PreparedStatement s = c.prepareStatement("SELECT json_serialize_sql(?::VARCHAR)::VARCHAR")) {
            s.setString(1, sql);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return FeedFileParser.JSON.readTree(rs.getString(1));
            }
        } catch (SQLException | IOException e) {
            throw new NotASelect("could not be checked by DuckDB's parser: " + e.getMessage());
        }
    }
}
