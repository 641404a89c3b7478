package org.cameldatalake.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UnicodeTest {

    /** The JDK's strict decoder is the reference: the first malformed byte it reports, or -1. */
    private static int jdkFirstMalformed(byte[] b) {
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b);
        var out = java.nio.CharBuffer.allocate(b.length + 1);
        var result = decoder.decode(in, out, true);
        return result.isError() ? in.position() : -1;
    }

    @Test
    void agreesWithTheJdksStrictDecoderWhereverTheBadByteFallsInAsciiRuns() throws CharacterCodingException {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        byte[][] bad = {{(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xFF},
                {(byte) 0xE2, (byte) 0x82}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}};
        byte[][] good = {"é".getBytes(StandardCharsets.UTF_8), "€".getBytes(StandardCharsets.UTF_8),
                "𝄞".getBytes(StandardCharsets.UTF_8), "a".getBytes(StandardCharsets.UTF_8)};
        for (int round = 0; round < 20_000; round++) {
            ByteBuffer b = ByteBuffer.allocate(200);
            int pieces = random.nextInt(6);
            for (int p = 0; p < pieces; p++) {
                int ascii = random.nextInt(20); // runs shorter and longer than the 8-byte fast path
                for (int i = 0; i < ascii; i++) {
                    b.put((byte) (0x20 + random.nextInt(0x5F)));
                }
                byte[] piece = random.nextInt(4) == 0 ? bad[random.nextInt(bad.length)] : good[random.nextInt(good.length)];
                if (b.remaining() >= piece.length) {
                    b.put(piece);
                }
            }
            byte[] bytes = java.util.Arrays.copyOf(b.array(), b.position());
            assertThat(Unicode.malformedUtf8(bytes)).as("seed %d, bytes %s", seed, java.util.HexFormat.of().formatHex(bytes))
                    .isEqualTo(jdkFirstMalformed(bytes));
        }
    }
}
