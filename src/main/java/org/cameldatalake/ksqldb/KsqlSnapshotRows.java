package org.cameldatalake.ksqldb;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.cameldatalake.schema.KsqlRowSchema;
import org.cameldatalake.sink.SnapshotRows;

/** The rows of a ksqlDB pull query's response as a table snapshot: typed as the response's header declares them. */
public final class KsqlSnapshotRows implements SnapshotRows {
    private final KsqlQueryResponse response;
    private final KsqlQueryResponse.Header header;
    private final KsqlRowSchema schema;
    private final long ingestionMillis;
    private final String source;
    private long rows;

    public KsqlSnapshotRows(KsqlQueryResponse response, String feedName, String source, long ingestionMillis) throws IOException {
        this.response = response;
        this.header = response.header();
        this.schema = new KsqlRowSchema(feedName, header.columns());
        this.source = source;
        this.ingestionMillis = ingestionMillis;
    }

    @Override
    public Schema schema() {
        return schema.avro();
    }

    @Override
    public String columnsText() {
        List<String> cols = new ArrayList<>();
        header.columns().forEach(c -> cols.add("`" + c.name() + "` " + c.type() + (c.key() ? " KEY" : "")));
        return String.join(", ", cols);
    }

    @Override
    public String queryId() {
        return header.queryId();
    }

    @Override
    public GenericRecord next() throws IOException {
        JsonNode row = response.nextRow();
        if (row == null) {
            return null;
        }
        rows++;
        try {
            return schema.convert(row, ingestionMillis, source);
        } catch (KsqlRowSchema.BadValue e) {
            throw new KsqlDbException(0, "row " + rows + ": " + e.getMessage());
        }
    }
}
