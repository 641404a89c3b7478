package org.cameldatalake.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class DatePartitionerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long KAFKA_TS = LocalDate.of(2025, 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();

    private static LocalDate date(String field, String zone, String json) throws Exception {
        return new DatePartitioner(field, ZoneId.of(zone)).dateOf(JSON.readTree(json), KAFKA_TS);
    }

    @Test
    void eventTimeDecidesTheDateInTheConfiguredZone() throws Exception {
        assertThat(date("TIMESTAMP", "UTC", "{\"TIMESTAMP\": \"2025-10-13T23:38:28.047846Z\"}")).isEqualTo("2025-10-13");
        assertThat(date("TIMESTAMP", "Europe/Paris", "{\"TIMESTAMP\": \"2025-10-13T23:38:28.047846Z\"}")).isEqualTo("2025-10-14");
        assertThat(date("TIMESTAMP", "UTC", "{\"TIMESTAMP\": \"2025-10-13T01:00:00+02:00\"}")).isEqualTo("2025-10-12");
        assertThat(date("TIMESTAMP", "UTC", "{\"TIMESTAMP\": \"2025-10-13 16:38:28\"}")).isEqualTo("2025-10-13");
        assertThat(date("TIMESTAMP", "UTC", "{\"TIMESTAMP\": \"2025-10-13\"}")).isEqualTo("2025-10-13");
        assertThat(date("TIMESTAMP", "UTC", "{\"TIMESTAMP\": 1760373508047}")).isEqualTo("2025-10-13");
        assertThat(date("TIMESTAMP", "UTC", "{\"TIMESTAMP\": \"1760373508047\"}")).isEqualTo("2025-10-13");
        assertThat(date("EVENT.TIME", "UTC", "{\"EVENT\": {\"TIME\": \"2025-10-13T10:00:00Z\"}}")).isEqualTo("2025-10-13");
    }

    @Test
    void aMissingOrNullFieldFallsBackToTheRecordTimestamp() throws Exception {
        assertThat(date("TIMESTAMP", "UTC", "{\"OTHER\": 1}")).isEqualTo("2025-01-01");
        assertThat(date("TIMESTAMP", "UTC", "{\"TIMESTAMP\": null}")).isEqualTo("2025-01-01");
        assertThat(date(null, "UTC", "{\"TIMESTAMP\": \"2025-10-13T10:00:00Z\"}")).isEqualTo("2025-01-01");
    }

    @Test
    void anUnparseableTimestampIsABadRecord() {
        assertThatThrownBy(() -> date("TIMESTAMP", "UTC", "{\"TIMESTAMP\": \"yesterday\"}"))
                .isInstanceOf(DatePartitioner.BadTimestamp.class).hasMessageContaining("yesterday");
        assertThatThrownBy(() -> date("TIMESTAMP", "UTC", "{\"TIMESTAMP\": true}"))
                .isInstanceOf(DatePartitioner.BadTimestamp.class);
        assertThatThrownBy(() -> date("TIMESTAMP", "UTC", "{\"TIMESTAMP\": \"2025-13-45T10:00:00Z\"}"))
                .isInstanceOf(DatePartitioner.BadTimestamp.class);
    }

    @Test
    void theHandReadUtcFormAgreesWithJavaTimeEverywhere() throws Exception {
        java.util.SplittableRandom random = new java.util.SplittableRandom(8);
        for (String zone : java.util.List.of("UTC", "Europe/Paris", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Kiritimati")) {
            DatePartitioner p = new DatePartitioner("T", java.time.ZoneId.of(zone));
            for (int i = 0; i < 2000; i++) {
                java.time.Instant at = java.time.Instant.ofEpochSecond(random.nextLong(0, 4_102_444_800L), random.nextInt(1_000_000_000));
                String text = java.time.format.DateTimeFormatter.ISO_INSTANT.format(at.truncatedTo(
                        java.time.temporal.ChronoUnit.values()[random.nextInt(4)])); // nanos, micros, millis or seconds
                java.time.LocalDate expected = java.time.OffsetDateTime.parse(text).atZoneSameInstant(java.time.ZoneId.of(zone)).toLocalDate();
                assertThat(p.dateOf(JSON.readTree("{\"T\": \"" + text + "\"}"), -1)).as(text + " in " + zone).isEqualTo(expected);
            }
        }
        for (String bad : java.util.List.of("2025-02-30T10:00:00Z", "2025-10-13T24:00:00Z", "2025-13-01T10:00:00Z",
                "2025-10-13T10:60:00Z", "2025-10-13T1a:00:00Z", "٢٠٢٥-10-13T10:00:00Z")) {
            assertThatThrownBy(() -> date("TIMESTAMP", "UTC", "{\"TIMESTAMP\": \"" + bad + "\"}")).as(bad)
                    .isInstanceOf(DatePartitioner.BadTimestamp.class);
        }
    }
}
