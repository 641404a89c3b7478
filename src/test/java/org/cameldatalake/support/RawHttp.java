package org.cameldatalake.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 GET over a plain socket, with the request target sent byte for byte: HTTP clients normalise
 * {@code ..} and re-encode paths, which would hide what a hostile client can send.
 */
public final class RawHttp {
    public record Response(int status, String head, String body) {
    }

    private RawHttp() {
    }

    public static Response get(int port, String target, String bearerToken) throws IOException {
        try (Socket s = new Socket("localhost", port)) {
            s.setSoTimeout(20_000);
            String req = "GET " + target + " HTTP/1.1\r\nHost: localhost:" + port + "\r\n"
                    + (bearerToken == null ? "" : "Authorization: Bearer " + bearerToken + "\r\n")
                    + "Connection: close\r\n\r\n";
            OutputStream out = s.getOutputStream();
            out.write(req.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            String head = end < 0 ? text : text.substring(0, end);
            String body = end < 0 ? "" : text.substring(end + 4);
            return new Response(Integer.parseInt(head.split(" ", 3)[1]), head, body);
        }
    }
}
