package org.cameldatalake.decode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.ZoneId;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.partition.DatePartitioner;
import org.cameldatalake.schema.FeedSchema;
import org.cameldatalake.schema.InferredType;
import org.cameldatalake.schema.KsqlRowSchema;
import org.cameldatalake.schema.KsqlType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decoders of a stream feed — Kafka JSON values ({@link JsonValueDecoder}) and rows whose types their source
 * declared ({@link KsqlRowDecoder}) — and the schema history they share, in the form the feed's metadata keeps it: an
 * inferred schema as its JSON type, a declared one as its column list (text).
 */
public final class StreamDecoders {
    private static final Logger LOG = LoggerFactory.getLogger(StreamDecoders.class);

    /** Told each new schema version, to record it in the feed's metadata. */
    @FunctionalInterface
    public interface SchemaHistory {
        void added(int version, JsonNode fields);
    }

    private final String feedName;
    private final JsonValueDecoder json;
    private final KsqlRowDecoder rows;

    public StreamDecoders(FeedDefinition feed, ZoneId zone, SchemaHistory history) {
        this.feedName = feed.name();
        DatePartitioner partitioner = new DatePartitioner(feed.partitioning().timestampField(), zone);
        this.json = new JsonValueDecoder(feed.name(), partitioner, s -> {
            history.added(s.version(), s.type().toJson());
            LOG.info("feed {}: schema version {} ({} fields)", feed.name(), s.version(), JsonValueDecoder.leafCount(s.type()));
        });
        this.rows = new KsqlRowDecoder(feed.name(), partitioner, feed.partitioning().timestampField() != null,
                feed.ksqldbSource(), s -> {
                    history.added(s.version(), TextNode.valueOf(s.columnsText()));
                    LOG.info("feed {}: schema version {} ({})", feed.name(), s.version(), s.columnsText());
                });
    }

    public JsonValueDecoder json() {
        return json;
    }

    public KsqlRowDecoder rows() {
        return rows;
    }

    /** At start: the schema the feed's files were last written with, as its metadata keeps it, into its decoder. */
    public void restore(int version, JsonNode fields) {
        if (fields.isTextual()) {
            rows.restore(new KsqlRowSchema(feedName, version, KsqlType.parseColumns(fields.asText())));
        } else {
            json.restore(new FeedSchema(feedName, version, InferredType.fromJson(fields)));
        }
    }
}
