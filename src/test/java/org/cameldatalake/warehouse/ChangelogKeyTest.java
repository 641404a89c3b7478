package org.cameldatalake.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.cameldatalake.feed.FeedDefinition.KeyFormat;
import org.cameldatalake.feed.FeedDefinition.Warehouse;
import org.cameldatalake.feed.FeedDefinition.Window;
import org.cameldatalake.feed.FeedDefinition.WindowType;
import org.junit.jupiter.api.Test;

/** Key bytes as ksqlDB writes them. */
class ChangelogKeyTest {
    private static Map<String, String> decode(Warehouse spec, byte[] bytes) {
        Map<String, JsonNode> m = new ChangelogKey(spec).decode(bytes);
        Map<String, String> out = new java.util.LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v.toString()));
        return out;
    }

    @Test
    void jsonKeysAreUnwrappedForOneColumnAndObjectsForSeveral() {
        Warehouse one = new Warehouse("t", List.of("USER_ID"), "T", KeyFormat.JSON, null);
        assertThat(decode(one, "\"u1\"".getBytes(StandardCharsets.UTF_8))).containsExactly(Map.entry("USER_ID", "\"u1\""));
        assertThat(decode(one, "42".getBytes(StandardCharsets.UTF_8))).containsExactly(Map.entry("USER_ID", "42"));
        Warehouse two = new Warehouse("t", List.of("USER_ID", "TRANSACTION_TYPE"), "T", KeyFormat.JSON, null);
        assertThat(decode(two, "{\"TRANSACTION_TYPE\":\"refund\",\"USER_ID\":\"u1\"}".getBytes(StandardCharsets.UTF_8)))
                .containsExactly(Map.entry("USER_ID", "\"u1\""), Map.entry("TRANSACTION_TYPE", "\"refund\""));
        assertThatThrownBy(() -> decode(two, "{\"USER_ID\":\"u1\"}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("has no TRANSACTION_TYPE");
        assertThatThrownBy(() -> decode(two, "\"u1\"".getBytes(StandardCharsets.UTF_8))).hasMessageContaining("JSON object");
    }

    @Test
    void kafkaKeysAreRawTextOrBigEndianNumbers() {
        assertThat(decode(new Warehouse("t", List.of("K"), "T", KeyFormat.KAFKA, null), "abc".getBytes(StandardCharsets.UTF_8)))
                .containsExactly(Map.entry("K", "\"abc\""));
        assertThat(decode(new Warehouse("t", List.of("K"), "T", KeyFormat.KAFKA_INT, null), new byte[] {0, 0, 1, 0}))
                .containsExactly(Map.entry("K", "256"));
        assertThat(decode(new Warehouse("t", List.of("K"), "T", KeyFormat.KAFKA_BIGINT, null), ByteBuffer.allocate(8).putLong(-5).array()))
                .containsExactly(Map.entry("K", "-5"));
        assertThatThrownBy(() -> decode(new Warehouse("t", List.of("K"), "T", KeyFormat.KAFKA_INT, null), new byte[3]))
                .hasMessageContaining("4 bytes");
    }

    @Test
    void windowedKeysEndWithTheirWindow() {
        // the example of §8.4: KAFKA STRING key abc, tumbling start 12000
        Warehouse tumbling = new Warehouse("t", List.of("K", "WINDOW_START"), "T", KeyFormat.KAFKA,
                new Window(WindowType.TUMBLING, Duration.ofSeconds(1)));
        assertThat(decode(tumbling, HexFormat.of().parseHex("616263" + "0000000000002EE0")))
                .containsExactly(Map.entry("K", "\"abc\""), Map.entry("WINDOW_START", "12000"), Map.entry("WINDOW_END", "13000"));
        Warehouse session = new Warehouse("t", List.of("K", "WINDOW_START"), "T", KeyFormat.JSON, new Window(WindowType.SESSION, null));
        byte[] key = ByteBuffer.allocate(5 + 16).put("\"abc\"".getBytes(StandardCharsets.UTF_8)).putLong(9000).putLong(2000).array();
        assertThat(decode(session, key))
                .containsExactly(Map.entry("K", "\"abc\""), Map.entry("WINDOW_START", "2000"), Map.entry("WINDOW_END", "9000"));
        assertThatThrownBy(() -> decode(tumbling, new byte[5])).hasMessageContaining("at least 8 bytes");
    }
}
