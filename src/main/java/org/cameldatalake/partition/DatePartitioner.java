package org.cameldatalake.partition;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import org.apache.avro.generic.GenericData;
import org.apache.avro.util.Utf8;
import org.cameldatalake.schema.FeedSchema;

/**
 * Decides a stream record's {@code year=/month=/day=} partition from event time (DESIGN.md §4.4): the feed's
 * {@code timestamp_field} (ISO-8601 text or epoch milliseconds, possibly a dotted path into nested objects), else
 * the Kafka record timestamp; as a date in the configured zone.
 */
public final class DatePartitioner {
    private static final java.util.regex.Pattern EPOCH_MILLIS = java.util.regex.Pattern.compile("-?\\d{1,19}");
    private static final java.util.regex.Pattern OFFSET = java.util.regex.Pattern.compile(".*[+-]\\d{2}:?\\d{2}$");
    private static final java.util.regex.Pattern OFFSET_WITHOUT_COLON = java.util.regex.Pattern.compile(".*[+-]\\d{4}$");
    private static final int[] DIGIT_POSITIONS = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};
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
            return recordDate(recordTimestampMillis);
        }
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return Instant.ofEpochMilli(v.longValue()).atZone(zone).toLocalDate();
        }
        if (v.isTextual()) {
            return parse(v.textValue());
        }
        throw new BadTimestamp("timestamp field " + String.join(".", path) + " is neither ISO-8601 text nor epoch millis: " + abbreviate(v.toString()));
    }

    /**
     * {@link #dateOf(JsonNode, long)} for a record decoded straight into {@code schema}'s Avro record; null when its
     * timestamp is neither text, a whole number nor absent — only the JSON tree then words the error as it is.
     */
    public LocalDate dateOf(FeedSchema schema, GenericData.Record record, long recordTimestampMillis) throws BadTimestamp {
        Object v = path == null ? null : schema.valueAt(record, path);
        if (v == null) {
            return recordDate(recordTimestampMillis);
        }
        if (v instanceof Long millis) {
            return Instant.ofEpochMilli(millis).atZone(zone).toLocalDate();
        }
        if (v instanceof Utf8 text) {
            return parse(text.toString());
        }
        return null;
    }

    private LocalDate recordDate(long recordTimestampMillis) throws BadTimestamp {
        if (recordTimestampMillis < 0) {
            throw new BadTimestamp("no " + (path == null ? "timestamp" : String.join(".", path)) + " and no record timestamp");
        }
        return Instant.ofEpochMilli(recordTimestampMillis).atZone(zone).toLocalDate();
    }

    private LocalDate parse(String text) throws BadTimestamp {
        String t = text.trim();
        LocalDate utc = utcInstantDate(t);
        if (utc != null) {
            return zone.equals(java.time.ZoneOffset.UTC) ? utc
                    : java.time.LocalDateTime.of(utc, java.time.LocalTime.of(digits(t, 11, 2), digits(t, 14, 2), digits(t, 17, 2)))
                    .atOffset(java.time.ZoneOffset.UTC).atZoneSameInstant(zone).toLocalDate();
        }
        try {
            if (EPOCH_MILLIS.matcher(t).matches()) {
                return Instant.ofEpochMilli(Long.parseLong(t)).atZone(zone).toLocalDate();
            }
            if (t.length() == 10) {
                return LocalDate.parse(t);
            }
            String iso = t.replace(' ', 'T');
            if (iso.endsWith("Z") || OFFSET.matcher(iso).matches()) {
                return OffsetDateTime.parse(OFFSET_WITHOUT_COLON.matcher(iso).matches()
                        ? iso.substring(0, iso.length() - 2) + ":" + iso.substring(iso.length() - 2) : iso)
                        .atZoneSameInstant(zone).toLocalDate();
            }
            return LocalDateTime.parse(iso).toLocalDate(); // no zone given: a wall time in the configured zone
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new BadTimestamp("timestamp field " + String.join(".", path) + " does not parse as ISO-8601 or epoch millis: " + abbreviate(text));
        }
    }

    /**
     * The date of the commonest form, {@code yyyy-MM-ddTHH:mm:ss[.fraction]Z} (ksqlDB, the seeds), read by hand: the
     * general path compiles patterns and runs java.time's formatters, which is most of a record's partitioning cost.
     * Null when {@code t} has another form (the general path then decides) or a field is out of range.
     */
    private static LocalDate utcInstantDate(String t) {
        int n = t.length();
        if (n < 20 || t.charAt(n - 1) != 'Z' || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T'
                || t.charAt(13) != ':' || t.charAt(16) != ':') {
            return null;
        }
        if (n > 20 && (t.charAt(19) != '.' || n - 21 < 1 || n - 21 > 9)) { // 1 to 9 fraction digits
            return null;
        }
        for (int i : DIGIT_POSITIONS) {
            if (t.charAt(i) < '0' || t.charAt(i) > '9') {
                return null;
            }
        }
        for (int i = 20; i < n - 1; i++) {
            if (t.charAt(i) < '0' || t.charAt(i) > '9') {
                return null;
            }
        }
        int month = digits(t, 5, 2);
        int day = digits(t, 8, 2);
        if (month < 1 || month > 12 || day < 1 || day > 31 || digits(t, 11, 2) > 23 || digits(t, 14, 2) > 59
                || digits(t, 17, 2) > 59) {
            return null;
        }
        try {
            return LocalDate.of(digits(t, 0, 4), month, day);
        } catch (java.time.DateTimeException e) {
            return null; // 2025-02-30: the general path reports it
        }
    }

    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            v = v * 10 + (s.charAt(i) - '0');
        }
        return v;
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
