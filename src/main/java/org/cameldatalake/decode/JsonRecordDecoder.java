package org.cameldatalake.decode;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import org.apache.avro.generic.GenericData;
import org.cameldatalake.schema.FeedSchema;
import org.cameldatalake.schema.Unicode;

/**
 * Decodes a Kafka record value into the JSON object a stream feed lands, or says why it cannot. Stricter than
 * Jackson's defaults, because what Jackson lets through silently changes data in the lake:
 * <ul>
 * <li>UTF-8 only, well-formed: no overlong forms, encoded surrogates or UTF-16/32 (which Jackson would guess);</li>
 * <li>no duplicate keys (which value would be the real one?), no NaN/Infinity (not JSON), nothing after the value;</li>
 * <li>numbers a double can hold ({@code 1e400} would land as Infinity), text and names that are Unicode;</li>
 * <li>at most {@link #MAX_DEPTH} levels of nesting. Deeper records would make the lake hard to read, then to write:
 * DuckDB takes 2 s to read one row with lists nested 22 deep and 10 s at 24; at about 250 levels of objects the Avro
 * schema can no longer be written at all (Jackson's write limit) and the batch would fail over and over.</li>
 * </ul>
 * A UTF-8 byte order mark is accepted and ignored (RFC 8259 §8.1 allows it).
 */
public final class JsonRecordDecoder {
    /** Levels of objects and arrays, the record itself counting as one. */
    public static final int MAX_DEPTH = 16;

    // duplicate keys are refused as the tree is built (not by the parser's STRICT_DUPLICATE_DETECTION, which keeps a
    // set of names per object: ≈ 10 % of the bytes a record allocates)
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build());
    }

    private JsonRecordDecoder() {
    }

    /** Why a value cannot be landed; the message is the reason kept in {@code _rejected/}. */
    public static final class Refused extends Exception {
        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * The common case, without building a JSON tree: the value read straight into {@code schema}'s Avro record when it
     * is a JSON object the lake takes that fits the schema as it is. Null otherwise — {@link #decodeObject} then
     * says why the value is refused, or gives the tree the schema is widened with. So this never takes a value
     * decodeObject refuses, and gives the record {@link FeedSchema#convert} would make of decodeObject's tree.
     */
    public static GenericData.Record decodeFitting(byte[] value, FeedSchema schema) {
        if (precheck(value) != null) {
            return null;
        }
        try (JsonParser parser = JSON.getFactory().createParser(value)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            GenericData.Record record = schema.read(parser);
            return record != null && parser.nextToken() == null ? record : null;
        } catch (IOException e) { // malformed, or beyond the limits: decodeObject words it
            return null;
        }
    }

    /** Why a value cannot even be parsed as UTF-8 JSON, or null. */
    private static String precheck(byte[] value) {
        if (value == null || value.length == 0) {
            return "empty value (a tombstone or an empty message)";
        }
        int bad = Unicode.malformedUtf8(value);
        if (bad >= 0) {
            return String.format("not UTF-8: malformed byte 0x%02X at offset %d", value[bad] & 0xFF, bad);
        }
        for (int i = 0; i < Math.min(4, value.length); i++) {
            if (value[i] == 0) { // Jackson would take it for UTF-16 or UTF-32; in UTF-8 JSON a raw NUL is never valid
                return "not valid JSON: a NUL byte at offset " + i + " (UTF-16, UTF-32 or binary data?)";
            }
        }
        return null;
    }

    /** The value as a JSON object. */
    public static JsonNode decodeObject(byte[] value) throws Refused {
        String unparsable = precheck(value);
        if (unparsable != null) {
            throw new Refused(unparsable);
        }
        JsonNode node;
        try {
            node = JSON.readTree(value);
        } catch (StreamConstraintsException e) {
            throw new Refused("beyond the decoder's limits: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new Refused("not valid JSON: " + firstLine(e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            throw new Refused("not a JSON object but " + (node == null || node.isMissingNode() ? "nothing"
                    : node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
        }
        Problem problem = problem(node);
        if (problem != null) {
            throw new Refused(problem.path().isEmpty() ? problem.what() : "field " + problem.path() + ": " + problem.what());
        }
        return node;
    }

    /** What is wrong, and where: {@code LOCATION.CITY}, {@code TAGS[2]}; built only on the way out of a failure. */
    private record Problem(String path, String what) {
        Problem under(String segment) {
            return new Problem(path.isEmpty() || path.startsWith("[") ? segment + path : segment + "." + path, what);
        }
    }

    /** The first value or name the lake cannot hold as it is, or null. */
    private static Problem problem(JsonNode node) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = Unicode.loneSurrogateProblem(e.getKey());
                if (name != null) {
                    return new Problem("", "a field name " + name);
                }
                Problem inner = problem(e.getValue());
                if (inner != null) {
                    return inner.under(e.getKey());
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                Problem inner = problem(node.get(i));
                if (inner != null) {
                    return inner.under("[" + i + "]");
                }
            }
        } else if (node.isTextual()) {
            String text = Unicode.loneSurrogateProblem(node.textValue());
            return text == null ? null : new Problem("", "the text " + text);
        } else if (node.isNumber() && !Double.isFinite(node.doubleValue())) {
            return new Problem("", "the number is beyond the range of a double"
                    + (node.isIntegralNumber() ? " (" + node.bigIntegerValue().toString().length() + " digits)" : ""));
        }
        return null;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return abbreviate(nl < 0 ? s : s.substring(0, nl));
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
