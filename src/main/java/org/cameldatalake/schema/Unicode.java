package org.cameldatalake.schema;

/**
 * Checks shared by the decoders of Kafka values and ksqlDB rows. JSON's {@code \\uD800} escapes can produce strings
 * that are not Unicode (a surrogate without its pair); Parquet stores strings as UTF-8, and Java's encoder silently
 * turns such a surrogate into {@code ?}, so they are refused before they reach a file.
 */
public final class Unicode {
    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    private Unicode() {
    }

    /** The index of the first surrogate without its pair in {@code s}, or -1. */
    public static int loneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return i;
            }
        }
        return -1;
    }

    /** A reason naming the lone surrogate of {@code s} (see {@link #loneSurrogate}), or null when there is none. */
    public static String loneSurrogateProblem(String s) {
        int at = loneSurrogate(s);
        return at < 0 ? null : String.format("holds a lone surrogate \\u%04X at character %d (not Unicode text)",
                (int) s.charAt(at), at);
    }

    /**
     * The offset of the first byte of {@code b} that is not well-formed UTF-8 (Unicode 15, table 3-7: no overlong
     * forms, no encoded surrogates, nothing above U+10FFFF, no truncated sequence), or -1.
     */
    public static int malformedUtf8(byte[] b) {
        int i = 0;
        int n = b.length;
        while (i < n) {
            // eight ASCII bytes at a time: records are mostly ASCII, and this check runs over every byte of them
            while (i + 8 <= n && ((long) LONGS.get(b, i) & 0x8080808080808080L) == 0) {
                i += 8;
            }
            if (i >= n) {
                break;
            }
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                i++;
                continue;
            }
            int length;
            int low = 0x80;   // the range of the second byte, narrower after E0, ED, F0 and F4
            int high = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) {
                length = 2;
            } else if (c >= 0xE0 && c <= 0xEF) {
                length = 3;
                low = c == 0xE0 ? 0xA0 : low;
                high = c == 0xED ? 0x9F : high;
            } else if (c >= 0xF0 && c <= 0xF4) {
                length = 4;
                low = c == 0xF0 ? 0x90 : low;
                high = c == 0xF4 ? 0x8F : high;
            } else {
                return i;
            }
            if (i + length > n) {
                return i;
            }
            int second = b[i + 1] & 0xFF;
            if (second < low || second > high) {
                return i;
            }
            for (int k = 2; k < length; k++) {
                if ((b[i + k] & 0xC0) != 0x80) {
                    return i;
                }
            }
            i += length;
        }
        return -1;
    }
}
