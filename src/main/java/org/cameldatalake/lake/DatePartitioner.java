package org.cameldatalake.lake;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;

/**
 * Decides a stream record's {@code year=/month=/day=} partition from event time (DESIGN.md §4.4): the feed's
 * {@code timestamp_field} (ISO-8601 text or epoch milliseconds, possibly a dotted path into nested objects), else
 * the Kafka record timestamp; as a date in the configured zone.
 */
public final class DatePartitioner {
    private final String[] path;
    private final ZoneId zone;

    public DatePartitioner(String timestampField, ZoneId zone) {
        this.path = timestampField == null ? null : timestampField.split("\\.");
        this.zone = zone;
    }

    public static final class BadTimestamp extends Exception {
        BadTimestamp(String message) {
            super(message, null, false, false);
        }
    }

    public LocalDate dateOf(JsonNode record, long recordTimestampMillis) throws BadTimestamp {
        JsonNode v = record;
        if (path != null) {
            for (String p : path) {
                v = v == null ? null : v.get(p);
            }
        }
        if (path == null || v == null || v.isNull()) {
            if (recordTimestampMillis < 0) {
                throw new BadTimestamp("no " + (path == null ? "timestamp" : String.join(".", path))
                        + " and no record timestamp");
            }
            return Instant.ofEpochMilli(recordTimestampMillis).atZone(zone).toLocalDate();
        }
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return Instant.ofEpochMilli(v.longValue()).atZone(zone).toLocalDate();
        }
        if (v.isTextual()) {
            return parse(v.textValue());
        }
        throw new BadTimestamp("timestamp field " + String.join(".", path) + " is neither ISO-8601 text nor epoch millis: " + abbreviate(v.toString()));
    }

    private LocalDate parse(String text) throws BadTimestamp {
        String t = text.trim();
        try {
            if (t.matches("-?\\d{1,19}")) {
                return Instant.ofEpochMilli(Long.parseLong(t)).atZone(zone).toLocalDate();
            }
            if (t.length() == 10) {
                return LocalDate.parse(t);
            }
            String iso = t.replace(' ', 'T');
            if (iso.endsWith("Z") || iso.matches(".*[+-]\\d{2}:?\\d{2}$")) {
                return OffsetDateTime.parse(iso.matches(".*[+-]\\d{4}$")
                        ? iso.substring(0, iso.length() - 2) + ":" + iso.substring(iso.length() - 2) : iso)
                        .atZoneSameInstant(zone).toLocalDate();
            }
            return LocalDateTime.parse(iso).toLocalDate(); // no zone given: a wall time in the configured zone
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new BadTimestamp("timestamp field " + String.join(".", path) + " does not parse as ISO-8601 or epoch millis: " + abbreviate(text));
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
