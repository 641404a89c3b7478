package org.cameldatalake.decode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericData;
import org.cameldatalake.partition.DatePartitioner;
import org.cameldatalake.schema.KsqlRowSchema;
import org.cameldatalake.schema.KsqlType;

/**
 * Rows of a ksqlDB query whose column types ksqlDB declared (the query header) → Avro records. A new set of columns
 * starts a new schema version; a value that does not match its declared type, or an event time that does not parse,
 * rejects its row. Rows sharing a ROWTIME are marked so that they stay in one file.
 */
public final class KsqlRowDecoder {
    /** A row of a ksqlDB query: its position (ROWTIME as offset) and its {@code columns} array. */
    public record Row(String topic, int partition, long offset, long timestamp, JsonNode columns) {
    }

    /** Told each new schema version, to record it in the feed's metadata. */
    @FunctionalInterface
    public interface SchemaHistory {
        void added(KsqlRowSchema schema);
    }

    private final String feedName;
    private final DatePartitioner partitioner;
    private final boolean datedByField;
    private final String source;
    private final SchemaHistory history;
    private KsqlRowSchema declared;

    /** {@code source}: the {@code _source} column of the rows (the ksqlDB source name), or null for each row's topic. */
    public KsqlRowDecoder(String feedName, DatePartitioner partitioner, boolean datedByField, String source,
                          SchemaHistory history) {
        this.feedName = feedName;
        this.partitioner = partitioner;
        this.datedByField = datedByField;
        this.source = source;
        this.history = history;
    }

    public void restore(KsqlRowSchema last) {
        declared = last;
    }

    /**
     * Decodes rows declared by {@code header}; within a partition they come in non-decreasing offset order (ROWTIME
     * for ksqlDB polls).
     */
    public List<DecodedRecord> decode(KsqlRowSchema header, List<Row> rows, long ingestionMillis) {
        if (declared == null || !declared.columns().equals(header.columns())) {
            declared = new KsqlRowSchema(feedName, declared == null ? 1 : declared.version() + 1, header.columns());
            history.added(declared);
        }
        List<KsqlType.KsqlColumn> columns = declared.columns();
        List<DecodedRecord> out = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            // rows with the same ROWTIME stay in one file: a published range [first, last] must hold every row of
            // its day with a position in it, or a replay would skip the rest of a tie
            boolean endOfTie = i == rows.size() - 1 || rows.get(i + 1).offset() != r.offset()
                    || rows.get(i + 1).partition() != r.partition();
            SourceRecord position = new SourceRecord(r.topic(), r.partition(), r.offset(), r.timestamp(), null, null);
            LocalDate day;
            try {
                // the row as an object only when a field dates it (the partitioner reads nothing else)
                day = partitioner.dateOf(datedByField ? asObject(columns, r.columns()) : null, r.timestamp());
            } catch (DatePartitioner.BadTimestamp e) {
                out.add(DecodedRecord.rejected(raw(r), e.getMessage()));
                continue;
            }
            try {
                GenericData.Record rec = declared.convert(r.columns(), ingestionMillis, source != null ? source : r.topic());
                out.add(new DecodedRecord(position, day, declared, rec, null, null, endOfTie));
            } catch (KsqlRowSchema.BadValue e) {
                out.add(new DecodedRecord(raw(r), day, null, null, null,
                        "value does not match its declared type: " + e.getMessage(), endOfTie));
            }
        }
        return out;
    }

    /** A rejected row as the rejected-records file keeps it: its columns as JSON text. */
    private static SourceRecord raw(Row r) {
        return new SourceRecord(r.topic(), r.partition(), r.offset(), r.timestamp(), null,
                r.columns().toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The row as an object for the date partitioner; ksqlDB TIMESTAMPs (UTC, written without a zone) as epoch millis. */
    private static JsonNode asObject(List<KsqlType.KsqlColumn> columns, JsonNode values) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        for (int i = 0; i < columns.size() && i < values.size(); i++) {
            JsonNode v = values.get(i);
            if (columns.get(i).type().base() == KsqlType.Base.TIMESTAMP && v.isTextual()) {
                try {
                    v = LongNode.valueOf(LocalDateTime.parse(v.textValue()).toInstant(ZoneOffset.UTC).toEpochMilli());
                } catch (DateTimeParseException e) {
                    // left as text: the partitioner reports it
                }
            }
            o.set(columns.get(i).name(), v);
        }
        return o;
    }
}
