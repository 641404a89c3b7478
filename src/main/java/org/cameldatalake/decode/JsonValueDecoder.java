package org.cameldatalake.decode;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericData;
import org.cameldatalake.partition.DatePartitioner;
import org.cameldatalake.schema.DoesNotFitSchema;
import org.cameldatalake.schema.FeedSchema;
import org.cameldatalake.schema.InferredType;
import org.cameldatalake.schema.RowSchema;
import org.cameldatalake.schema.SchemaConflictException;

/**
 * Kafka JSON values → Avro records under the feed's inferred schema, which widens as values require (a field
 * appears, a whole number becomes a decimal…), each widening a new schema version.
 * <p>
 * {@link #decode} takes no lock and reads the schema current now, so that a consumer decodes its next batch while the
 * previous one is written: most records are read straight into the Avro record, without a JSON tree. The writer then
 * calls {@link #resolve} under its lock for each record, which converts the few that did not fit (or were decoded
 * under a schema that changed meanwhile) and widens the schema when none fits.
 */
public final class JsonValueDecoder {
    /** A schema wider than this is refused: it would be a map keyed by data, not a record. */
    static final int MAX_FIELDS = 1000;
    /** Schemas the first batch of a new feed is split into when its records disagree on types (most fit wins). */
    private static final int MAX_SCHEMA_CANDIDATES = 16;

    /** Told each new schema version, to record it in the feed's metadata. */
    @FunctionalInterface
    public interface SchemaHistory {
        void added(FeedSchema schema);
    }

    private final String feedName;
    private final DatePartitioner partitioner;
    private final SchemaHistory history;
    private volatile FeedSchema schema;

    public JsonValueDecoder(String feedName, DatePartitioner partitioner, SchemaHistory history) {
        this.feedName = feedName;
        this.partitioner = partitioner;
        this.history = history;
    }

    /** The schema the feed's files were last written with (from its metadata), at start. */
    public void restore(FeedSchema last) {
        schema = last;
    }

    public FeedSchema schema() {
        return schema;
    }

    public List<DecodedRecord> decode(List<SourceRecord> batch) {
        FeedSchema current = schema;
        List<DecodedRecord> out = new ArrayList<>(batch.size());
        for (SourceRecord r : batch) {
            out.add(decode(r, current));
        }
        return out;
    }

    private DecodedRecord decode(SourceRecord r, FeedSchema current) {
        if (current != null) { // most records fit the schema as it is: no JSON tree for them
            GenericData.Record rec = JsonRecordDecoder.decodeFitting(r.value(), current);
            if (rec != null) {
                try {
                    LocalDate day = partitioner.dateOf(current, rec, r.timestamp());
                    if (day != null) {
                        return new DecodedRecord(r, day, current, rec, null, null, true);
                    }
                } catch (DatePartitioner.BadTimestamp e) {
                    return DecodedRecord.rejected(r, e.getMessage());
                }
            }
        }
        JsonNode node;
        try {
            node = JsonRecordDecoder.decodeObject(r.value());
        } catch (JsonRecordDecoder.Refused e) {
            return DecodedRecord.rejected(r, e.getMessage());
        }
        LocalDate day;
        try {
            day = partitioner.dateOf(node, r.timestamp());
        } catch (DatePartitioner.BadTimestamp e) {
            return DecodedRecord.rejected(r, e.getMessage());
        }
        return new DecodedRecord(r, day, current, convert(current, node), node, null, true);
    }

    /**
     * The record to write into a file written with {@code fileSchema} (null when none is open for its day), with its
     * bronze columns set: converted from its tree where it was decoded under another schema, under the feed's
     * current schema when the file's does not fit it, under a widened new version when none fits — or rejected.
     */
    public DecodedRecord resolve(DecodedRecord d, RowSchema fileSchema, long ingestionMillis) {
        FeedSchema used = fileSchema instanceof FeedSchema fs ? fs : schema;
        if (used != null && used == d.schema() && d.record() != null) { // most records: decoded under the file's schema
            used.setBronze(d.record(), ingestionMillis, d.source().topic(), d.source().partition(), d.source().offset());
            return new DecodedRecord(d.source(), d.day(), used, d.record(), null, null, true);
        }
        return convertOrWiden(d, fileSchema, ingestionMillis);
    }

    /** {@link #resolve} for the records it cannot take as they are; one partition at a time may widen the schema. */
    private synchronized DecodedRecord convertOrWiden(DecodedRecord d, RowSchema fileSchema, long ingestionMillis) {
        SourceRecord r = d.source();
        FeedSchema used = fileSchema instanceof FeedSchema fs ? fs : schema;
        JsonNode node = d.node();
        GenericData.Record rec;
        if (used != null && used == d.schema()) {
            rec = d.record();
        } else {
            if (node == null) { // decoded straight into another schema version: convert from the tree
                try {
                    node = JsonRecordDecoder.decodeObject(r.value());
                } catch (JsonRecordDecoder.Refused e) { // cannot happen (decodeFitting takes less), but if it did
                    return DecodedRecord.rejected(r, e.getMessage());
                }
            }
            rec = convert(used, node);
        }
        if (rec == null && schema != null && used != schema) {
            used = schema;
            rec = convert(used, node);
        }
        if (rec == null) {
            try {
                InferredType seen = InferredType.of(node);
                InferredType widened = schema == null ? seen : schema.type().widen(seen, "");
                if (leafCount(widened) > MAX_FIELDS) {
                    throw new SchemaConflictException("", "the schema would exceed " + MAX_FIELDS + " fields");
                }
                FeedSchema next = new FeedSchema(feedName, schema == null ? 1 : schema.version() + 1, widened);
                rec = next.convert(node);
                schema = next;
                used = next;
                history.added(next);
            } catch (SchemaConflictException e) {
                return DecodedRecord.rejected(r, "schema conflict: " + e.getMessage());
            } catch (DoesNotFitSchema e) {
                throw new IllegalStateException("inferred schema does not fit its own record at " + e.getMessage());
            }
        }
        used.setBronze(rec, ingestionMillis, r.topic(), r.partition(), r.offset());
        return new DecodedRecord(r, d.day(), used, rec, null, null, true);
    }

    /**
     * A new feed takes its first schema from its whole first batch rather than from its first record, so that a
     * field that is null or a whole number in the first records does not publish a tiny file as soon as it widens.
     * Where records disagree on a field's type, the schema most of them fit wins: a bad record early in the topic
     * must not decide the type and have the good ones after it rejected. Nothing happens once the feed has a schema.
     */
    public synchronized void inferInitialSchema(List<DecodedRecord> batch) {
        if (schema != null) {
            return;
        }
        Map<InferredType, Integer> shapes = new LinkedHashMap<>(); // the distinct record types, with their counts
        for (DecodedRecord d : batch) {
            if (d.node() == null) {
                continue; // this record will be rejected with its reason when it is appended
            }
            try {
                InferredType seen = InferredType.of(d.node());
                if (leafCount(seen) <= MAX_FIELDS) {
                    shapes.merge(seen, 1, Integer::sum);
                }
            } catch (SchemaConflictException e) {
                // this record will be rejected with its reason when it is appended
            }
        }
        // each shape widens the first candidate it agrees with, or starts a candidate of its own
        List<InferredType> candidates = new ArrayList<>();
        for (InferredType shape : shapes.keySet()) {
            int i = 0;
            for (; i < candidates.size(); i++) {
                InferredType widened = widenOrNull(candidates.get(i), shape);
                if (widened != null && leafCount(widened) <= MAX_FIELDS) {
                    candidates.set(i, widened);
                    break;
                }
            }
            if (i == candidates.size() && candidates.size() < MAX_SCHEMA_CANDIDATES) {
                candidates.add(shape);
            }
        }
        InferredType type = null;
        long mostFit = 0;
        for (InferredType candidate : candidates) {
            long fit = 0;
            for (Map.Entry<InferredType, Integer> shape : shapes.entrySet()) {
                fit += widenOrNull(candidate, shape.getKey()) != null ? shape.getValue() : 0;
            }
            if (fit > mostFit) {
                type = candidate;
                mostFit = fit;
            }
        }
        if (type != null) {
            schema = new FeedSchema(feedName, 1, type);
            history.added(schema);
        }
    }

    private static InferredType widenOrNull(InferredType a, InferredType b) {
        try {
            return a.widen(b, "");
        } catch (SchemaConflictException e) {
            return null;
        }
    }

    private static GenericData.Record convert(FeedSchema s, JsonNode node) {
        if (s == null) {
            return null;
        }
        try {
            return s.convert(node);
        } catch (DoesNotFitSchema e) {
            return null;
        }
    }

    /** The number of leaf fields of a type: its width as Parquet columns. */
    public static int leafCount(InferredType t) {
        return switch (t.kind()) {
            case RECORD -> t.fields().values().stream().mapToInt(JsonValueDecoder::leafCount).sum();
            case ARRAY -> leafCount(t.element());
            default -> 1;
        };
    }
}
