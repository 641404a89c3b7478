package org.cameldatalake.api;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The segments of a request's path, read from the raw request target (not the router's normalised path), each
 * percent-decoded exactly once. A path is refused whole when any segment could name something other than itself:
 * empty, {@code .} or {@code ..} (also when encoded: {@code %2e%2e}), or holding {@code /}, {@code \}, NUL or another
 * control character once decoded ({@code ..%2f}, {@code %5c}). So a decoded segment is always a plain file name.
 */
final class RequestPath {
    private RequestPath() {
    }

    static List<String> segments(String rawTarget) throws ApiException {
        if (rawTarget == null || !rawTarget.startsWith("/")) {
            throw ApiException.badRequest("invalid path"); // absolute-form targets (http://…) are not accepted
        }
        String path = rawTarget;
        int q = path.indexOf('?');
        if (q >= 0) {
            path = path.substring(0, q);
        }
        if (path.indexOf('#') >= 0) {
            throw ApiException.badRequest("invalid path");
        }
        List<String> out = new ArrayList<>();
        for (String raw : path.substring(1).split("/", -1)) {
            String s = decode(raw);
            if (s.isEmpty() || s.equals(".") || s.equals("..") || s.indexOf('/') >= 0 || s.indexOf('\\') >= 0
                    || s.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw ApiException.badRequest("invalid path");
            }
            out.add(s);
        }
        return out;
    }

    private static String decode(String raw) throws ApiException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    throw ApiException.badRequest("invalid path");
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw ApiException.badRequest("invalid path");
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c > 0x7e || c < 0x21) {
                throw ApiException.badRequest("invalid path");
            } else {
                bytes.write(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("invalid path");
        }
    }
}
