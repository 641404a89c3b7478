package org.cameldatalake.decode;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import org.apache.avro.generic.GenericData;
import org.cameldatalake.schema.RowSchema;

/**
 * A source record as far as decoding takes it: its position ({@code source}), the day its event time falls on, and
 * its Avro record under {@code schema} — or why it is rejected. A JSON value that did not fit the feed's schema as it
 * was keeps its tree ({@code node}, else null), from which the writer converts it once the schema has widened.
 * {@code splittable}: a file may end after this record (false inside a run of ksqlDB rows sharing one ROWTIME, which
 * must stay in one file for the offset ranges in file names to hold).
 */
public record DecodedRecord(SourceRecord source, LocalDate day, RowSchema schema, GenericData.Record record,
                            JsonNode node, String rejection, boolean splittable) {

    public static DecodedRecord rejected(SourceRecord source, String reason) {
        return new DecodedRecord(source, null, null, null, null, reason, true);
    }

    public boolean isRejected() {
        return rejection != null;
    }
}
