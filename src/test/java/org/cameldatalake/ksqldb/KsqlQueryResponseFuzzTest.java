package org.cameldatalake.ksqldb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.cameldatalake.schema.KsqlRowSchema;
import org.cameldatalake.support.BadResponses;
import org.cameldatalake.support.Fuzz;
import org.junit.jupiter.api.Test;

/**
 * Seeded ksqlDB responses, complete and broken, read as a snapshot reads them (the response reader, then every row
 * converted with the header's schema): a broken one always ends in an error that says what is wrong, never in a
 * normal end after some of its rows (that would publish a partial version) and never in another exception; a
 * complete one gives every row, unchanged.
 */
class KsqlQueryResponseFuzzTest {
    private static final int BAD = 10_000;
    private static final int GOOD = 3_000;

    private record Outcome(List<JsonNode> rows, Exception error) {
    }

    /** What a snapshot does with a response, without writing Parquet: every row read and converted, or the error. */
    private static Outcome read(BadResponses.Response response) {
        List<JsonNode> rows = new ArrayList<>();
        try (KsqlQueryResponse r = new KsqlQueryResponse(new ByteArrayInputStream(response.body()))) {
            KsqlRowSchema schema = new KsqlRowSchema("fuzzed", r.header().columns());
            JsonNode row;
            while ((row = r.nextRow()) != null) {
                schema.convert(row, 0, "FUZZED");
                rows.add(row);
            }
            return new Outcome(rows, null);
        } catch (KsqlDbException | KsqlRowSchema.BadValue e) {
            return new Outcome(rows, e);
        } catch (Throwable t) { // an uncaught exception or error is the bug this test looks for
            throw new AssertionError(response + " threw " + t, t);
        }
    }

    @Test
    void everyBrokenResponseFailsWithItsReasonAndEveryCompleteOneGivesAllItsRows() throws Exception {
        long seed = Fuzz.seed("KsqlQueryResponseFuzzTest");
        BadResponses generator = new BadResponses(seed);
        List<BadResponses.Response> responses = Fuzz.mixed(new SplittableRandom(seed), BAD, generator::bad, GOOD, generator::good,
                generator.bad(BadResponses.Kind.HUGE_VALUE), generator.bad(BadResponses.Kind.HUGE_VALUE),
                generator.goodHuge(10 << 20));
        Map<BadResponses.Kind, Integer> byKind = new EnumMap<>(BadResponses.Kind.class);
        long start = System.nanoTime();
        long slowest = 0;
        int goodRows = 0;
        for (BadResponses.Response response : responses) {
            long t0 = System.nanoTime();
            Outcome outcome = read(response);
            slowest = Math.max(slowest, System.nanoTime() - t0);
            if (response.good()) {
                if (outcome.error() != null) {
                    fail(response + " is complete but failed: " + outcome.error().getMessage());
                }
                List<JsonNode> expected = new ArrayList<>();
                for (String row : response.rows()) {
                    expected.add(KsqlQueryResponse.JSON.readTree(row).get("row").get("columns"));
                }
                assertThat(outcome.rows()).as(response.toString()).isEqualTo(expected);
                goodRows += expected.size();
            } else {
                byKind.merge(response.kind(), 1, Integer::sum);
                assertThat(outcome.error()).as(response + " must fail, not end normally after " + outcome.rows().size() + " rows")
                        .isNotNull();
                assertThat(outcome.error().getMessage()).as(response.toString()).containsPattern(response.failure());
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("KsqlQueryResponseFuzzTest: %d broken responses %s and %d complete ones (%d rows) in %.1f s, "
                + "slowest %.0f ms%n", byKind.values().stream().mapToInt(Integer::intValue).sum(), byKind, GOOD + 1, goodRows,
                seconds, slowest / 1e6);
        assertThat(byKind.keySet()).containsExactlyInAnyOrder(BadResponses.Kind.values());
        assertThat(slowest).as("no response may keep a snapshot busy (1e-99999999 took 100 s)").isLessThan(10_000_000_000L);
    }
}
