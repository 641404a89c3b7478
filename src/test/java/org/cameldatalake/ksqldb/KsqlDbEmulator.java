package org.cameldatalake.ksqldb;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.cameldatalake.demo.ksqldb.KsqlDbServer;
import org.cameldatalake.demo.ksqldb.ResponseFault;
import org.cameldatalake.demo.ksqldb.ResultWriter;

/**
 * A strict emulator of the ksqlDB 0.29 / CP 7.x REST API on a real HTTP/1.1 server, byte for byte as
 * ksqlDB answers: the demo's {@link KsqlDbServer}, plus faults injected per
 * request and a record of every request.
 */
public final class KsqlDbEmulator extends KsqlDbServer {

    private static final Set<String> FAULT_PATHS =
            Set.of("/query-stream", "/query", "/ksql", "/info", "/healthcheck", "/close-query", "/");
    private static final Set<String> STREAMED_PATHS = Set.of("/query-stream", "/query");

    private sealed interface Fault extends ResponseFault permits Fail, Drop, Malformed, ErrorMidStream, Stall, Raw {
    }

    private record Fail(int status, String body) implements Fault {
        @Override
        public Answer answer() {
            return new Answer(status, body);
        }
    }

    private record Drop(int rows) implements Fault {
        @Override
        public void send(OutputStream out, byte[] body) throws IOException {
            out.write(body, 0, body.length / 2);
            out.flush();
            throw new DropConnection("connection dropped by KsqlDbEmulator");
        }

        @Override
        public ResultWriter writer(ResultWriter writer) {
            return new FaultInjectingWriter(writer, FaultInjectingWriter.Mode.DROP, rows);
        }
    }

    private record Malformed() implements Fault {
        @Override
        public byte[] body(byte[] body) {
            return body.length > 1 ? Arrays.copyOf(body, body.length / 2) : body;
        }

        @Override
        public ResultWriter writer(ResultWriter writer) {
            return new FaultInjectingWriter(writer, FaultInjectingWriter.Mode.MALFORMED, -1);
        }
    }

    private record ErrorMidStream(int rows) implements Fault {
        @Override
        public ResultWriter writer(ResultWriter writer) {
            return new FaultInjectingWriter(writer, FaultInjectingWriter.Mode.ERROR, rows);
        }
    }

    private record Stall(int rows, long millis) implements Fault {
        @Override
        public ResultWriter writer(ResultWriter writer) {
            return new FaultInjectingWriter(writer, FaultInjectingWriter.Mode.STALL, rows, millis);
        }
    }

    private record Raw(byte[] body) implements Fault {
        @Override
        public byte[] streamedBody() {
            return body;
        }
    }

    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Deque<Long>> delays = new HashMap<>();
    private final Map<String, Deque<Fault>> faults = new HashMap<>();

    private KsqlDbEmulator() throws IOException {
        super("KsqlDbEmulator");
    }

    /** Starts on 127.0.0.1 on a free port. */
    public static KsqlDbEmulator start() throws IOException {
        KsqlDbEmulator emulator = new KsqlDbEmulator();
        emulator.serve();
        return emulator;
    }

    @Override
    protected ResponseFault received(RecordedRequest request) throws InterruptedException {
        requests.add(request);
        Long delay = dequeue(delays, request.path());
        if (delay != null) {
            Thread.sleep(delay);
        }
        Fault fault = dequeue(faults, request.path());
        return fault == null ? ResponseFault.NONE : fault;
    }

    // ---- faults: each applies to the next request to the path only ----

    /** Answers the next request to {@code path} with this status and body. */
    public void failNext(String path, int httpStatus, String errorJson) {
        addFault(path, new Fail(httpStatus, errorJson));
    }

    /**
     * Streamed responses: sends the headers, the header element and {@code rows} rows, then closes the connection
     * without terminating the body. Other responses: sends the headers and half the body, then closes.
     */
    public void dropNextAfterRows(String path, int rows) {
        requireNonNegative(rows);
        addFault(path, new Drop(rows));
    }

    /**
     * Waits this long before answering the next request to {@code path} (calls add up: two calls delay the next two
     * requests). Combines with the other faults.
     */
    public void delayNext(String path, long millis) {
        requireFaultPath(path);
        requireNonNegative(millis);
        enqueue(delays, path, millis);
    }

    /**
     * Streamed responses: sends the headers, the header element and {@code rows} rows, then goes silent for
     * {@code millis} before going on normally: a response that is slow mid-stream, as when ksqlDB or the network
     * stalls.
     */
    public void stallNextAfterRows(String path, int rows, long millis) {
        requireStreamedPath(path);
        requireNonNegative(rows);
        requireNonNegative(millis);
        addFault(path, new Stall(rows, millis));
    }

    /**
     * Streamed responses: the element after the header is cut-off JSON (the rest follows normally). Other responses:
     * the body is cut in half.
     */
    public void malformedNext(String path) {
        addFault(path, new Malformed());
    }

    /** HTTP 200, {@code rowsBefore} rows, then ksqlDB's in-band error element (error_code 50000). */
    public void errorMidStreamNext(String path, int rowsBefore) {
        requireStreamedPath(path);
        requireNonNegative(rowsBefore);
        addFault(path, new ErrorMidStream(rowsBefore));
    }

    /**
     * Streamed responses: HTTP 200 with the negotiated content type, then exactly {@code body} (in chunks of random
     * size) instead of the query's result, as a server or proxy gone wrong would send. The query is still checked.
     */
    public void answerNextWith(String path, byte[] body) {
        requireStreamedPath(path);
        addFault(path, new Raw(body.clone()));
    }

    private void addFault(String path, Fault fault) {
        requireFaultPath(path);
        enqueue(faults, path, fault);
    }

    private static <T> void enqueue(Map<String, Deque<T>> queues, String path, T item) {
        synchronized (queues) {
            queues.computeIfAbsent(path, p -> new ArrayDeque<>()).add(item);
        }
    }

    /** The next item queued for {@code path}, or null. */
    private static <T> T dequeue(Map<String, Deque<T>> queues, String path) {
        synchronized (queues) {
            Deque<T> queue = queues.get(path);
            return queue == null ? null : queue.poll();
        }
    }

    private static void requireFaultPath(String path) {
        if (!FAULT_PATHS.contains(path)) {
            throw new IllegalArgumentException("Not an emulated path: " + path + " (one of " + FAULT_PATHS + ")");
        }
    }

    private static void requireStreamedPath(String path) {
        if (!STREAMED_PATHS.contains(path)) {
            throw new IllegalArgumentException("Only /query-stream and /query stream rows: " + path);
        }
    }

    private static void requireNonNegative(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("Must not be negative: " + value);
        }
    }

    // ---- observation ----

    /** Every request received so far, in arrival order. */
    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }
}
