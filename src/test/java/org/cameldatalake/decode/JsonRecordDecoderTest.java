package org.cameldatalake.decode;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.apache.avro.generic.GenericData;
import org.cameldatalake.partition.DatePartitioner;
import org.cameldatalake.schema.DoesNotFitSchema;
import org.cameldatalake.schema.FeedSchema;
import org.cameldatalake.schema.InferredType;
import org.cameldatalake.support.BadRecords;
import org.cameldatalake.support.Fuzz;
import org.junit.jupiter.api.Test;

/**
 * {@link JsonRecordDecoder#decodeFitting} reads values straight into the Avro record, without the JSON tree the strict
 * decoder checks. It must never take a value the tree path refuses, and must give exactly the record (and partition
 * date) the tree path gives.
 */
class JsonRecordDecoderTest {
    private static final LocalDate DAY = LocalDate.of(2025, 10, 13);

    /** What the tree path lands: the record converted from decodeObject's tree; null when refused or not fitting. */
    private static GenericData.Record viaTree(byte[] value, FeedSchema schema) {
        try {
            return schema.convert(JsonRecordDecoder.decodeObject(value));
        } catch (JsonRecordDecoder.Refused | DoesNotFitSchema e) {
            return null;
        }
    }

    private static FeedSchema schemaOf(List<byte[]> samples) throws Exception {
        InferredType type = null;
        for (byte[] s : samples) {
            InferredType t = InferredType.of(JsonRecordDecoder.decodeObject(s));
            type = type == null ? t : type.widen(t, "");
        }
        return new FeedSchema("f", 1, type);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void fuzzedTransactionsGoodAndBadDecodeStraightIntoTheRecordTheTreeGivesOrNotAtAll() throws Exception {
        long seed = Fuzz.seed("JsonRecordDecoderTest");
        BadRecords generator = new BadRecords(seed, DAY, 3);
        List<byte[]> samples = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            samples.add(generator.good().bytes());
        }
        FeedSchema schema = schemaOf(samples);
        DatePartitioner partitioner = new DatePartitioner("TIMESTAMP", ZoneOffset.UTC);
        List<BadRecords.Value> values = Fuzz.mixed(new SplittableRandom(seed), 5_000, generator::bad, 5_000, generator::good);
        int goodStraight = 0;
        int good = 0;
        for (BadRecords.Value v : values) {
            GenericData.Record fast = JsonRecordDecoder.decodeFitting(v.bytes(), schema);
            assertThat(fast).as("%s", v).isEqualTo(viaTree(v.bytes(), schema));
            if (fast != null) {
                assertSameDate(partitioner, schema, fast, v.bytes());
            }
            if (v.good()) {
                good++;
                goodStraight += fast != null ? 1 : 0;
            }
        }
        // the good transactions the sample's schema fits (nearly all) go straight: the fast path is the common one
        assertThat(goodStraight).isBetween(good * 9 / 10, good);
    }

    private static void assertSameDate(DatePartitioner partitioner, FeedSchema schema, GenericData.Record fast, byte[] value)
            throws Exception {
        JsonNode tree = JsonRecordDecoder.decodeObject(value);
        String fromTree;
        try {
            fromTree = partitioner.dateOf(tree, 1_700_000_000_000L).toString();
        } catch (DatePartitioner.BadTimestamp e) {
            fromTree = "refused: " + e.getMessage();
        }
        String fromRecord;
        try {
            fromRecord = Objects.toString(partitioner.dateOf(schema, fast, 1_700_000_000_000L), null);
        } catch (DatePartitioner.BadTimestamp e) {
            fromRecord = "refused: " + e.getMessage();
        }
        if (fromRecord == null) { // only the tree words that error
            assertThat(fromTree).startsWith("refused: ");
        } else {
            assertThat(fromRecord).isEqualTo(fromTree);
        }
    }

    @Test
    void edgeCasesDecodeStraightExactlyWhenTheTreeTakesThemAndFits() throws Exception {
        FeedSchema schema = schemaOf(List.of(utf8("""
                {"S":"a","L":1,"D":1.5,"B":true,"R":{"X":"x","Y":2},"A":[1,2],"AR":[{"Z":"z"}],"T":"2025-10-13T10:00:00Z"}""")));
        String[] fitting = {
                "{\"S\":\"a\",\"L\":1,\"D\":1.5,\"B\":true,\"R\":{\"X\":\"x\",\"Y\":2},\"A\":[1,2],\"AR\":[{\"Z\":\"z\"}]}",
                "{}", "{\"S\":null,\"R\":null,\"A\":null}", "{\"D\":3}", "{\"D\":-0.0}", "{\"D\":12345678901234567890}",
                "{\"L\":-9223372036854775808}", "{\"A\":[1,null,3]}", "{\"A\":[]}", "{\"R\":{}}", "\uFEFF{\"S\":\"a\"}",
                "{\"S\":\"\\ud83d\\ude00 \\u0000\"}", " {\"B\":false} ", "{\"AR\":[{\"Z\":null},null]}",
        };
        String[] notStraight = {
                "{\"L\":1.0}", "{\"L\":9223372036854775808}", "{\"L\":1" + "0".repeat(400) + "}", "{\"D\":1e400}",
                "{\"D\":-1e400}", "{\"S\":\"a\",\"S\":\"b\"}", "{\"S\":null,\"S\":null}", "{\"R\":{\"X\":\"x\",\"X\":\"y\"}}",
                "{\"AR\":[{\"Z\":\"z\",\"Z\":\"z\"}]}", "{\"S\":\"\\ud800\"}", "{\"S\":\"\\udc00x\"}", "{\"S\":\"a\"} x",
                "{\"S\":\"a\"}{\"S\":\"b\"}", "{\"Q\":1}", "{\"R\":{\"Q\":1}}", "{\"A\":[1,\"x\"]}", "{\"A\":{}}",
                "{\"R\":[]}", "{\"B\":\"true\"}", "{\"S\":5}", "{\"S\":[]}", "[]", "\"x\"", "1", "null", "", "{\"S\":\"a\",",
                "{\"S\":NaN}", "{\"D\":NaN}", "{'S':'a'}", "{\"A\":[1,2,]}", "{\"R\":" + "{\"X\":".repeat(20) + "1" + "}".repeat(21),
                "{\"T\":5.5}",
        };
        for (String json : fitting) {
            byte[] v = utf8(json);
            GenericData.Record fast = JsonRecordDecoder.decodeFitting(v, schema);
            assertThat(fast).as(json).isNotNull().isEqualTo(viaTree(v, schema));
        }
        for (String json : notStraight) {
            byte[] v = utf8(json);
            assertThat(JsonRecordDecoder.decodeFitting(v, schema)).as(json).isNull();
        }
        assertThat(JsonRecordDecoder.decodeFitting(null, schema)).isNull();
        assertThat(JsonRecordDecoder.decodeFitting(new byte[] {'{', '"', 'S', '"', ':', '"', (byte) 0xC0, (byte) 0x80, '"', '}'}, schema))
                .as("overlong UTF-8").isNull();
    }

    @Test
    void aDuplicateKeyIsCaughtInRecordsWiderThanSixtyFourFields() throws Exception {
        StringBuilder wide = new StringBuilder("{");
        for (int i = 0; i < 100; i++) {
            wide.append(i == 0 ? "" : ",").append("\"F").append(i).append("\":").append(i);
        }
        FeedSchema schema = schemaOf(List.of(utf8(wide + "}")));
        assertThat(JsonRecordDecoder.decodeFitting(utf8(wide + "}"), schema)).isEqualTo(viaTree(utf8(wide + "}"), schema)).isNotNull();
        for (int dup : new int[] {3, 63, 64, 70, 99}) {
            String json = wide + ",\"F" + dup + "\":1}";
            assertThat(JsonRecordDecoder.decodeFitting(utf8(json), schema)).as("F%d twice", dup).isNull();
            assertThat(viaTree(utf8(json), schema)).as("F%d twice", dup).isNull();
        }
    }
}
