package org.cameldatalake.ksqldb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The external sort of a stream poll: ROWTIME order, ties in arrival order, values intact, nothing left on disk. */
class RowtimeSortTest {
    @TempDir
    Path tmp;

    private static JsonNode row(long rowtime, int arrival) throws Exception {
        // a DECIMAL and a DOUBLE as ksqlDB sends them: they must come back digit for digit
        return KsqlQueryResponse.JSON.readTree("[" + rowtime + ", \"r" + arrival + "\", 12345678901234.56, 0.1, null]");
    }

    @Test
    void spilledRunsMergeIntoRowtimeOrderWithTiesInArrivalOrder() throws Exception {
        Random random = new Random(7);
        List<long[]> added = new ArrayList<>(); // rowtime, arrival
        try (RowtimeSort sort = new RowtimeSort(4096, tmp)) {
            for (int i = 0; i < 5_000; i++) {
                long rowtime = random.nextInt(300); // many ties, spread over every run
                sort.add(rowtime, row(rowtime, i));
                added.add(new long[] {rowtime, i});
            }
            assertThat(sort.spilledRuns()).isGreaterThan(10);
            RowtimeSort.Cursor cursor = sort.sorted();
            added.sort(java.util.Comparator.comparingLong((long[] a) -> a[0])); // stable
            for (long[] expected : added) {
                RowtimeSort.Row r = cursor.next();
                assertThat(r.rowtime()).isEqualTo(expected[0]);
                assertThat(r.columns().get(1).textValue()).isEqualTo("r" + expected[1]);
                assertThat(r.columns().get(2).decimalValue()).isEqualByComparingTo("12345678901234.56");
                assertThat(r.columns().get(3).decimalValue().toPlainString()).isEqualTo("0.1");
                assertThat(r.columns().get(4).isNull()).isTrue();
            }
            assertThat(cursor.next()).isNull();
            assertThat(sort.maxRowtime()).isEqualTo(added.get(added.size() - 1)[0]);
        }
        try (var left = Files.list(tmp)) {
            assertThat(left).as("runs are deleted").isEmpty();
        }
    }

    @Test
    void aPollThatFitsNeverTouchesTheDiskAndAnAbandonedMergeLeavesNothing() throws Exception {
        try (RowtimeSort sort = new RowtimeSort(1 << 20, tmp)) {
            for (int i = 0; i < 100; i++) {
                sort.add(100 - i, row(100 - i, i));
            }
            assertThat(sort.spilledRuns()).isZero();
            assertThat(sort.sorted().next().rowtime()).isEqualTo(1);
        }
        try (RowtimeSort sort = new RowtimeSort(1024, tmp)) {
            for (int i = 0; i < 1_000; i++) {
                sort.add(i % 17, row(i % 17, i));
            }
            sort.sorted().next(); // the writer failed after the first row
        }
        try (var left = Files.list(tmp)) {
            assertThat(left).isEmpty();
        }
    }
}
