package org.cameldatalake.demo.ksqldb;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A stream or table held in memory. Every insert and delete is also appended to a change log, which push queries
 * follow and stream pull queries read; table pull queries read the current rows. The change log may be bounded
 * ({@link #keepNewest}), as a topic with size-based retention is: the oldest changes go first.
 */
final class InMemorySource implements KsqlDbServer.Source {

    enum Kind { STREAM, TABLE }

    enum WindowType { TUMBLING, HOPPING, SESSION }

    record Column(String name, SqlType type, boolean key, int index) {
    }

    /** {@code values}: one per declared column; a tombstone carries only the key values. */
    record Row(long rowtime, long offset, List<Object> values, Long windowStart, Long windowEnd) {
    }

    record Change(Row row, boolean tombstone) {
    }

    /** Where a push query is in the change log: the index of the next change since the source was created. */
    static final class Cursor {
        private long nextChange;
        private final Deque<Change> initial = new ArrayDeque<>();
    }

    final String name;
    final String topic;
    final Kind kind;
    /** null when not windowed. */
    final WindowType windowType;
    final long windowSizeMs;
    final List<Column> columns;
    /** Creation order, used to number the made-up persistent query of a windowed table. */
    final int sequence;

    private final List<Change> changes = new ArrayList<>();
    private final LinkedHashMap<List<Object>, Row> tableRows = new LinkedHashMap<>();
    /** How many changes were dropped from the front of {@link #changes}. */
    private long droppedChanges;
    private int maxChanges = Integer.MAX_VALUE;
    private long nextOffset;
    private boolean woken;

    InMemorySource(String name, String topic, Kind kind, WindowType windowType, long windowSizeMs,
                   List<String> columnSpecs, List<String> keyColumnSpecs, int sequence) {
        this.name = name;
        this.topic = topic;
        this.kind = kind;
        this.windowType = windowType;
        this.windowSizeMs = windowSizeMs;
        this.sequence = sequence;
        Set<String> keyNames = new LinkedHashSet<>();
        for (String keySpec : keyColumnSpecs) {
            keyNames.add(identifier(keySpec));
        }
        List<Column> parsed = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String spec : columnSpecs) {
            SqlLexer.Cursor cursor = new SqlLexer.Cursor(spec);
            String columnName = cursor.expectIdentifier();
            SqlType type = SqlType.parse(cursor);
            if (!cursor.atEnd()) {
                throw new IllegalArgumentException("Column spec must be 'NAME TYPE': " + spec);
            }
            if (!seen.add(columnName)) {
                throw new IllegalArgumentException("Duplicate column " + columnName);
            }
            parsed.add(new Column(columnName, type, keyNames.contains(columnName), parsed.size()));
        }
        if (!seen.containsAll(keyNames)) {
            keyNames.removeAll(seen);
            throw new IllegalArgumentException("Key columns not declared in columns: " + keyNames);
        }
        if (kind == Kind.TABLE && keyNames.isEmpty()) {
            throw new IllegalArgumentException("A table needs at least one PRIMARY KEY column: " + name);
        }
        this.columns = List.copyOf(parsed);
    }

    /** An identifier as ksqlDB stores it: unquoted upper-cased, back-quoted kept. */
    static String identifier(String text) {
        SqlLexer.Cursor cursor = new SqlLexer.Cursor(text);
        String identifier = cursor.expectIdentifier();
        if (!cursor.atEnd()) {
            throw new IllegalArgumentException("Not a single identifier: " + text);
        }
        return identifier;
    }

    @Override
    public String name() {
        return name;
    }

    List<Column> keyColumns() {
        return columns.stream().filter(Column::key).toList();
    }

    List<Column> valueColumns() {
        return columns.stream().filter(c -> !c.key()).toList();
    }

    boolean windowed() {
        return windowType != null;
    }

    String keyFormat() {
        List<Column> keys = keyColumns();
        return keys.isEmpty() || keys.size() == 1 && keys.get(0).type().kafkaKeyCompatible() ? "KAFKA" : "JSON";
    }

    @Override
    public void insert(long rowtime, Object... values) {
        if (windowed()) {
            throw new IllegalStateException(name + " is windowed: use insertWindow");
        }
        append(rowtime, null, null, values);
    }

    @Override
    public void insertJson(long rowtime, JsonNode value) {
        insert(rowtime, JsonValueFormat.row(columns, value));
    }

    @Override
    public void insertWindow(long rowtime, long windowStart, long windowEnd, Object... values) {
        if (!windowed()) {
            throw new IllegalStateException(name + " is not windowed: use insert");
        }
        if (windowType != WindowType.SESSION && windowEnd != windowStart + windowSizeMs) {
            throw new IllegalArgumentException(windowType + " window of " + windowSizeMs + " ms starting at "
                    + windowStart + " ends at " + (windowStart + windowSizeMs) + ", not " + windowEnd);
        }
        if (windowEnd < windowStart) {
            throw new IllegalArgumentException("Window ends before it starts");
        }
        append(rowtime, windowStart, windowEnd, values);
    }

    private void append(long rowtime, Long windowStart, Long windowEnd, Object[] values) {
        if (values == null || values.length != columns.size()) {
            throw new IllegalArgumentException(name + " has " + columns.size() + " columns, got "
                    + (values == null ? "null" : values.length + " values"));
        }
        List<Object> normalized = new ArrayList<>(values.length);
        for (Column column : columns) {
            normalized.add(column.type().normalize(values[column.index()], name + "." + column.name()));
        }
        synchronized (this) {
            Row row = new Row(rowtime, nextOffset++, Collections.unmodifiableList(normalized), windowStart,
                    windowEnd);
            if (kind == Kind.TABLE) {
                tableRows.put(tableKey(normalized, windowStart), row);
            }
            changes.add(new Change(row, false));
            trim();
            notifyAll();
        }
    }

    @Override
    public void delete(Object... keyValues) {
        if (kind != Kind.TABLE) {
            throw new IllegalStateException(name + " is a stream: rows cannot be deleted");
        }
        List<Column> keys = keyColumns();
        if (keyValues == null || keyValues.length != keys.size()) {
            throw new IllegalArgumentException(name + " has " + keys.size() + " key columns");
        }
        List<Object> keyOnlyValues = new ArrayList<>(Collections.nCopies(columns.size(), null));
        List<Object> keyParts = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            Column column = keys.get(i);
            Object value = column.type().normalize(keyValues[i], name + "." + column.name());
            keyOnlyValues.set(column.index(), value);
            keyParts.add(SqlType.keyPart(value));
        }
        synchronized (this) {
            Iterator<Map.Entry<List<Object>, Row>> it = tableRows.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<List<Object>, Row> entry = it.next();
                if (entry.getKey().subList(0, keyParts.size()).equals(keyParts)) {
                    Row removed = entry.getValue();
                    it.remove();
                    Row tombstone = new Row(System.currentTimeMillis(), nextOffset++,
                            Collections.unmodifiableList(keyOnlyValues), removed.windowStart(),
                            removed.windowEnd());
                    changes.add(new Change(tombstone, true));
                }
            }
            trim();
            notifyAll();
        }
    }

    @Override
    public synchronized void keepNewest(int changes) {
        if (changes < 1) {
            throw new IllegalArgumentException("Must keep at least one change: " + changes);
        }
        maxChanges = changes;
        trim();
    }

    /** Drops the oldest changes beyond the bound, a quarter of it at a time (removing from the front copies). */
    private void trim() {
        if (changes.size() > maxChanges + (long) maxChanges / 4) {
            int drop = changes.size() - maxChanges;
            changes.subList(0, drop).clear();
            droppedChanges += drop;
        }
    }

    private List<Object> tableKey(List<Object> values, Long windowStart) {
        List<Object> key = new ArrayList<>();
        for (Column column : keyColumns()) {
            key.add(SqlType.keyPart(values.get(column.index())));
        }
        if (windowStart != null) {
            key.add(windowStart);
        }
        return key;
    }

    @Override
    public synchronized int size() {
        return kind == Kind.TABLE ? tableRows.size() : changes.size();
    }

    /** Stream: every row so far. Table: the current rows. */
    synchronized List<Row> snapshot() {
        if (kind == Kind.TABLE) {
            return List.copyOf(tableRows.values());
        }
        return changes.stream().map(Change::row).toList();
    }

    /** A push query starts at the end of the log, or at the beginning (tables: their current rows) if earliest. */
    synchronized Cursor openCursor(boolean fromEarliest) {
        Cursor cursor = new Cursor();
        if (kind == Kind.TABLE) {
            cursor.nextChange = droppedChanges + changes.size();
            if (fromEarliest) {
                tableRows.values().forEach(row -> cursor.initial.add(new Change(row, false)));
            }
        } else {
            cursor.nextChange = fromEarliest ? droppedChanges : droppedChanges + changes.size();
        }
        return cursor;
    }

    /** The changes after the cursor, waiting up to {@code timeoutMs} for one to arrive. */
    synchronized List<Change> poll(Cursor cursor, long timeoutMs) throws InterruptedException {
        List<Change> batch = new ArrayList<>(cursor.initial);
        cursor.initial.clear();
        long end = droppedChanges + changes.size();
        if (batch.isEmpty() && cursor.nextChange >= end && !woken) {
            wait(timeoutMs);
            end = droppedChanges + changes.size();
        }
        // a cursor left behind by retention goes on from the oldest change kept, as a Kafka consumer would
        int from = (int) Math.max(0, cursor.nextChange - droppedChanges);
        batch.addAll(changes.subList(from, changes.size()));
        cursor.nextChange = end;
        return batch;
    }

    /** Releases push queries waiting in {@link #poll} for good (the server is closing). */
    synchronized void wakeUpForever() {
        woken = true;
        notifyAll();
    }

    /** Releases waiting push queries once, so they can notice a close request. */
    synchronized void wakeUp() {
        notifyAll();
    }
}
