package org.cameldatalake.demo.ksqldb;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Writes a query's result in one of ksqlDB's three streamed formats (§2.3, §3.3, §3.4). A writer may wrap another to
 * sabotage the response ({@link ResponseFault#writer}).
 */
public interface ResultWriter {

    enum Format { V1, DELIMITED, JSON_ARRAY }

    Format format();

    void header(String queryId, SelectQuery query) throws IOException;

    void row(ArrayNode values, boolean tombstone) throws IOException;

    /** "Limit Reached" / "Query Completed"; only the v1 format carries it. */
    void finalMessage(String message) throws IOException;

    void error(ObjectNode error) throws IOException;

    /** Writes {@code text} where the next element goes, framed as this format frames elements, whatever it holds. */
    void rawElement(String text) throws IOException;

    /** Terminates the body properly and ends the HTTP response. */
    void end() throws IOException;

    /** Sends everything written so far, as if more were to come. */
    void flush() throws IOException;

    /**
     * @param buffered table pull queries: ksqlDB holds back the last element so it can close the array without a
     *                 trailing comma, and flushes in batches; everything else is written one element at a time
     */
    static ResultWriter create(Format format, ChunkedBody body, boolean buffered) {
        return switch (format) {
            case V1 -> new V1(body, buffered);
            case DELIMITED -> new Delimited(body, buffered);
            case JSON_ARRAY -> new JsonArray(body, buffered);
        };
    }

    abstract class Base implements ResultWriter {
        private static final int FLUSH_BYTES = 5 * 1024;
        final ChunkedBody body;
        final boolean buffered;

        Base(ChunkedBody body, boolean buffered) {
            this.body = body;
            this.buffered = buffered;
        }

        void elementWritten() throws IOException {
            if (!buffered || body.pendingBytes() >= FLUSH_BYTES) {
                body.flush();
            }
        }

        @Override
        public void flush() throws IOException {
            body.flush();
        }

        static ObjectNode metadata(String queryId, SelectQuery query) {
            ObjectNode metadata = Json.object();
            metadata.put("queryId", queryId);
            query.columnNames().forEach(metadata.putArray("columnNames")::add);
            query.columnTypes().forEach(metadata.putArray("columnTypes")::add);
            return metadata;
        }
    }

    /** {@code [} header {@code ,\n} row {@code ,\n} ... last {@code ]} (JsonStreamedRowResponseWriter). */
    final class V1 extends Base {
        private String heldBack;

        V1(ChunkedBody body, boolean buffered) {
            super(body, buffered);
        }

        @Override
        public void header(String queryId, SelectQuery query) throws IOException {
            ObjectNode header = Json.object();
            header.putObject("header").put("queryId", queryId).put("schema", query.headerSchema());
            body.append("[");
            element(Json.write(header));
        }

        @Override
        public void row(ArrayNode values, boolean tombstone) throws IOException {
            ObjectNode row = Json.object();
            ObjectNode content = row.putObject("row");
            content.set("columns", values);
            if (tombstone) {
                content.put("tombstone", true);
            }
            element(Json.write(row));
        }

        @Override
        public void finalMessage(String message) throws IOException {
            releaseHeldBack();
            ObjectNode element = Json.object();
            element.put("finalMessage", message);
            body.append(Json.write(element));
            elementWritten();
        }

        @Override
        public void error(ObjectNode error) throws IOException {
            ObjectNode element = Json.object();
            element.set("errorMessage", error);
            element(Json.write(element));
        }

        @Override
        public Format format() {
            return Format.V1;
        }

        @Override
        public void rawElement(String text) throws IOException {
            element(text);
        }

        private void element(String json) throws IOException {
            if (buffered) {
                releaseHeldBack();
                heldBack = json;
            } else {
                body.append(json + ",\n");
            }
            elementWritten();
        }

        private void releaseHeldBack() {
            if (heldBack != null) {
                body.append(heldBack + ",\n");
                heldBack = null;
            }
        }

        @Override
        public void end() throws IOException {
            if (heldBack != null) {
                body.append(heldBack);
                heldBack = null;
            }
            body.append("]");
            body.flush();
        }

        @Override
        public void flush() throws IOException {
            releaseHeldBack();
            body.flush();
        }
    }

    /** Metadata line, then one JSON array per row, each followed by a newline; no terminator. */
    final class Delimited extends Base {
        Delimited(ChunkedBody body, boolean buffered) {
            super(body, buffered);
        }

        @Override
        public void header(String queryId, SelectQuery query) throws IOException {
            line(Json.write(metadata(queryId, query)));
        }

        @Override
        public void row(ArrayNode values, boolean tombstone) throws IOException {
            if (!tombstone) {
                line(Json.write(values));
            }
        }

        @Override
        public void finalMessage(String message) {
        }

        @Override
        public void error(ObjectNode error) throws IOException {
            line(Json.write(error));
        }

        @Override
        public Format format() {
            return Format.DELIMITED;
        }

        @Override
        public void rawElement(String text) throws IOException {
            line(text);
        }

        private void line(String json) throws IOException {
            body.append(json + "\n");
            elementWritten();
        }

        @Override
        public void end() throws IOException {
            body.flush();
        }
    }

    /** One JSON array: metadata, rows and any error, comma-separated, no newlines. */
    final class JsonArray extends Base {
        JsonArray(ChunkedBody body, boolean buffered) {
            super(body, buffered);
        }

        @Override
        public void header(String queryId, SelectQuery query) throws IOException {
            body.append("[" + Json.write(metadata(queryId, query)));
            elementWritten();
        }

        @Override
        public void row(ArrayNode values, boolean tombstone) throws IOException {
            if (!tombstone) {
                next(Json.write(values));
            }
        }

        @Override
        public void finalMessage(String message) {
        }

        @Override
        public void error(ObjectNode error) throws IOException {
            next(Json.write(error));
        }

        @Override
        public Format format() {
            return Format.JSON_ARRAY;
        }

        @Override
        public void rawElement(String text) throws IOException {
            next(text);
        }

        private void next(String json) throws IOException {
            body.append("," + json);
            elementWritten();
        }

        @Override
        public void end() throws IOException {
            body.append("]");
            body.flush();
        }
    }
}
