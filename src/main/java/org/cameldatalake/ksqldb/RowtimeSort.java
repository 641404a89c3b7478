package org.cameldatalake.ksqldb;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The rows of a ksqlDB stream poll in ROWTIME order, in bounded memory (an external merge sort): rows are kept as
 * their JSON bytes until {@code bufferBytes} are held, then that run is sorted and written to a temporary file; at the
 * end the runs are merged. Rows with the same ROWTIME keep the order they came in, so a tie stays together. A poll
 * that fits in the buffer never touches the disk.
 */
final class RowtimeSort implements AutoCloseable {
    /** What one buffered row costs beyond its bytes: the entry, the array header, the list's slot. */
    private static final int ROW_OVERHEAD = 64;

    /** A row and its ROWTIME. */
    record Row(long rowtime, JsonNode columns) {
    }

    private record Buffered(long rowtime, byte[] json) {
    }

    private final long bufferBytes;
    private final Path tmpDir;
    private final List<Buffered> buffer = new ArrayList<>();
    private final List<Path> runs = new ArrayList<>();
    private final List<RunReader> readers = new ArrayList<>();
    private long buffered;
    private long rows;
    private long maxRowtime = Long.MIN_VALUE;

    RowtimeSort(long bufferBytes, Path tmpDir) {
        this.bufferBytes = bufferBytes;
        this.tmpDir = tmpDir;
    }

    void add(long rowtime, JsonNode columns) throws IOException {
        byte[] json = KsqlQueryResponse.JSON.writeValueAsBytes(columns);
        buffer.add(new Buffered(rowtime, json));
        buffered += json.length + ROW_OVERHEAD;
        rows++;
        maxRowtime = Math.max(maxRowtime, rowtime);
        if (buffered >= bufferBytes) {
            spill();
        }
    }

    long rows() {
        return rows;
    }

    /** The highest ROWTIME added (the watermark a complete poll moves to). */
    long maxRowtime() {
        return maxRowtime;
    }

    /** How many sorted runs went to disk (0: the poll fitted in memory). */
    int spilledRuns() {
        return runs.size();
    }

    private void spill() throws IOException {
        buffer.sort(Comparator.comparingLong(Buffered::rowtime)); // stable: ties keep their order
        Path run = Files.createTempFile(tmpDir, "ksqldb-poll-", ".run");
        runs.add(run);
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(run), 1 << 16))) {
            for (Buffered b : buffer) {
                out.writeLong(b.rowtime());
                out.writeInt(b.json().length);
                out.write(b.json());
            }
        }
        buffer.clear();
        buffered = 0;
    }

    /** The rows in ROWTIME order, once all have been added; {@code null} after the last. */
    Cursor sorted() throws IOException {
        if (runs.isEmpty()) {
            buffer.sort(Comparator.comparingLong(Buffered::rowtime));
            var it = buffer.iterator();
            return () -> it.hasNext() ? row(it.next()) : null;
        }
        if (!buffer.isEmpty()) {
            spill();
        }
        // runs hold consecutive stretches of the response: on equal ROWTIMEs the earlier run's rows came first
        PriorityQueue<RunReader> heads = new PriorityQueue<>(Comparator.comparingLong((RunReader r) -> r.head.rowtime())
                .thenComparingInt(r -> r.index));
        for (int i = 0; i < runs.size(); i++) {
            RunReader r = new RunReader(i, runs.get(i));
            readers.add(r);
            if (r.advance()) {
                heads.add(r);
            }
        }
        return () -> {
            RunReader r = heads.poll();
            if (r == null) {
                return null;
            }
            Row out = row(r.head);
            if (r.advance()) {
                heads.add(r);
            }
            return out;
        };
    }

    private static Row row(Buffered b) throws IOException {
        return new Row(b.rowtime(), KsqlQueryResponse.JSON.readTree(b.json()));
    }

    /** Deletes the runs written to disk. */
    @Override
    public void close() throws IOException {
        buffer.clear();
        IOException failed = null;
        for (RunReader r : readers) {
            try {
                r.in.close();
            } catch (IOException e) {
                failed = e;
            }
        }
        readers.clear();
        for (Path run : runs) {
            try {
                Files.deleteIfExists(run);
            } catch (IOException e) {
                failed = e;
            }
        }
        runs.clear();
        if (failed != null) {
            throw failed;
        }
    }

    /** The sorted rows, one at a time. */
    @FunctionalInterface
    interface Cursor {
        Row next() throws IOException;
    }

    private static final class RunReader {
        private final int index;
        private final DataInputStream in;
        private Buffered head;

        RunReader(int index, Path run) throws IOException {
            this.index = index;
            this.in = new DataInputStream(new BufferedInputStream(Files.newInputStream(run), 1 << 16));
        }

        boolean advance() throws IOException {
            long rowtime;
            try {
                rowtime = in.readLong();
            } catch (EOFException end) {
                in.close();
                head = null;
                return false;
            }
            byte[] json = new byte[in.readInt()];
            in.readFully(json);
            head = new Buffered(rowtime, json);
            return true;
        }
    }
}
