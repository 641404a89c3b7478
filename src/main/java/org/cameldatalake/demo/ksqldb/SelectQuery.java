package org.cameldatalake.demo.ksqldb;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.cameldatalake.demo.ksqldb.InMemorySource.Row;

/**
 * A SELECT the server runs, as {@link SelectParser} checked it against the sources: which source, what kind of query,
 * the output columns and the ROWTIME bounds. Public only as a type, for a {@link ResultWriter} that wraps another.
 */
public final class SelectQuery {

    enum Kind { TABLE_PULL, STREAM_PULL, PUSH }

    enum ValueSource { COLUMN, ROWTIME, ROWPARTITION, ROWOFFSET, WINDOWSTART, WINDOWEND }

    /** One output column; {@code keyInPull}: marked KEY in a table pull query's header. */
    record Projection(String name, SqlType type, boolean keyInPull, ValueSource source, int columnIndex) {
    }

    /** {@code ROWTIME <operator> <value>} in the WHERE clause. */
    record RowtimeBound(String operator, long value) {
        private static final Pattern ZONE_SUFFIX = Pattern.compile("(Z|[+-]\\d{2}:?\\d{2})$");

        boolean test(long rowtime) {
            return switch (operator) {
                case "=" -> rowtime == value;
                case "!=", "<>" -> rowtime != value;
                case "<" -> rowtime < value;
                case "<=" -> rowtime <= value;
                case ">" -> rowtime > value;
                case ">=" -> rowtime >= value;
                default -> throw new IllegalStateException(operator);
            };
        }

        /** A quoted timestamp literal: ISO-8601, UTC unless it carries an offset, date or hour alone allowed. */
        static long parseTimestamp(String text, String sql) {
            String local = text.trim();
            ZoneOffset offset = ZoneOffset.UTC;
            Matcher zone = ZONE_SUFFIX.matcher(local);
            if (local.length() > 10 && zone.find()) {
                String suffix = zone.group(1);
                offset = suffix.equals("Z") ? ZoneOffset.UTC : ZoneOffset.of(suffix.length() == 5
                        ? suffix.substring(0, 3) + ":" + suffix.substring(3) : suffix);
                local = local.substring(0, zone.start());
            }
            String padded = switch (local.length()) {
                case 10 -> local + "T00:00:00";
                case 13 -> local + ":00:00";
                case 16 -> local + ":00";
                default -> local;
            };
            try {
                return LocalDateTime.parse(padded).toInstant(offset).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw KsqlError.badStatement("Failed to parse timestamp '" + text + "': " + e.getMessage(), sql);
            }
        }
    }

    final String sql;
    final InMemorySource source;
    final Kind kind;
    final List<Projection> projections;
    final Integer limit;
    private final List<RowtimeBound> rowtimeBounds;

    SelectQuery(String sql, InMemorySource source, Kind kind, List<Projection> projections,
                List<RowtimeBound> rowtimeBounds, Integer limit) {
        this.sql = sql;
        this.source = source;
        this.kind = kind;
        this.projections = projections;
        this.rowtimeBounds = rowtimeBounds;
        this.limit = limit;
    }

    boolean pull() {
        return kind != Kind.PUSH;
    }

    boolean matches(Row row) {
        return rowtimeBounds.stream().allMatch(bound -> bound.test(row.rowtime()));
    }

    ArrayNode project(Row row, boolean tombstone) {
        ArrayNode values = Json.array();
        for (Projection projection : projections) {
            Object value = switch (projection.source()) {
                case COLUMN -> row.values().get(projection.columnIndex());
                case ROWTIME -> tombstone ? null : row.rowtime();
                case ROWPARTITION -> tombstone ? null : 0;
                case ROWOFFSET -> tombstone ? null : row.offset();
                case WINDOWSTART -> row.windowStart();
                case WINDOWEND -> row.windowEnd();
            };
            values.add(projection.type().encode(value, false));
        }
        return values;
    }

    /** The v1 header schema string, e.g. {@code `ID` STRING KEY, `AMOUNT` DECIMAL(10, 2)}. */
    String headerSchema() {
        return projections.stream()
                .map(p -> SqlType.quote(p.name()) + " " + p.type() + (p.keyInPull() ? " KEY" : ""))
                .collect(Collectors.joining(", "));
    }

    List<String> columnNames() {
        return projections.stream().map(Projection::name).toList();
    }

    List<String> columnTypes() {
        return projections.stream().map(p -> p.type().toString()).toList();
    }

    String newQueryId() {
        if (kind == Kind.TABLE_PULL) {
            return "query_" + System.currentTimeMillis();
        }
        return "transient_" + source.name + "_" + (ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }
}
