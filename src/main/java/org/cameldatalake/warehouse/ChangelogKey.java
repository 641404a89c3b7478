package org.cameldatalake.warehouse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cameldatalake.feed.FeedDefinition.KeyFormat;
import org.cameldatalake.feed.FeedDefinition.Warehouse;
import org.cameldatalake.feed.FeedDefinition.Window;
import org.cameldatalake.feed.FeedDefinition.WindowType;

/**
 * Decodes the Kafka key of a ksqlDB table's changelog into its key columns:
 * KEY_FORMAT JSON (one column: the bare JSON value; several: an object by column name) or KAFKA (one column:
 * UTF-8 text, 4-byte INT or 8-byte BIGINT, big-endian). Windowed keys end with the window: tumbling and hopping
 * with the start (the end is start + size), session with the end then the start; both become the
 * {@code WINDOW_START} and {@code WINDOW_END} columns, epoch milliseconds.
 */
public final class ChangelogKey {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final KeyFormat format;
    private final List<String> inner;
    private final Window window;

    public ChangelogKey(Warehouse spec) {
        this.format = spec.keyFormat();
        this.inner = spec.innerKey();
        this.window = spec.window();
    }

    /** The key columns, or an {@link IllegalArgumentException} saying why the bytes are not such a key. */
    public Map<String, JsonNode> decode(byte[] bytes) {
        if (bytes == null) {
            throw new IllegalArgumentException("the record has no key");
        }
        int suffix = window == null ? 0 : window.type() == WindowType.SESSION ? 16 : 8;
        if (bytes.length < suffix) {
            throw new IllegalArgumentException("a " + window.type().json() + "-windowed key has at least " + suffix
                    + " bytes, this one " + bytes.length);
        }
        Map<String, JsonNode> out = new LinkedHashMap<>(inner(Arrays.copyOf(bytes, bytes.length - suffix)));
        if (window != null) {
            ByteBuffer tail = ByteBuffer.wrap(bytes, bytes.length - suffix, suffix);
            long start;
            long end;
            if (window.type() == WindowType.SESSION) {
                end = tail.getLong();
                start = tail.getLong();
            } else {
                start = tail.getLong();
                end = start + window.size().toMillis();
            }
            out.put(Warehouse.WINDOW_START, NODES.numberNode(start));
            out.put(Warehouse.WINDOW_END, NODES.numberNode(end));
        }
        return out;
    }

    private Map<String, JsonNode> inner(byte[] b) {
        String column = inner.get(0);
        return switch (format) {
            case KAFKA -> Map.of(column, NODES.textNode(utf8(b)));
            case KAFKA_INT -> Map.of(column, NODES.numberNode(fixed(b, 4).getInt()));
            case KAFKA_BIGINT -> Map.of(column, NODES.numberNode(fixed(b, 8).getLong()));
            case JSON -> json(b);
        };
    }

    private Map<String, JsonNode> json(byte[] b) {
        JsonNode node;
        try {
            node = JSON.readTree(b);
        } catch (IOException e) {
            throw new IllegalArgumentException("the key is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (node == null || node.isMissingNode()) {
            throw new IllegalArgumentException("the key is empty");
        }
        if (inner.size() == 1) {
            return Map.of(inner.get(0), node); // a single key column is unwrapped
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("a key of " + inner.size() + " columns is a JSON object, not " + node);
        }
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (String column : inner) {
            JsonNode v = node.get(column);
            if (v == null) {
                throw new IllegalArgumentException("the key " + node + " has no " + column);
            }
            out.put(column, v);
        }
        return out;
    }

    private static ByteBuffer fixed(byte[] b, int length) {
        if (b.length != length) {
            throw new IllegalArgumentException("a KAFKA " + (length == 4 ? "INT" : "BIGINT") + " key has " + length
                    + " bytes, this one " + b.length);
        }
        return ByteBuffer.wrap(b);
    }

    private static String utf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the key is not UTF-8 text");
        }
    }
}
