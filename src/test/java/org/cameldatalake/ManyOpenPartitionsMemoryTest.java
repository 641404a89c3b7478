package org.cameldatalake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.cameldatalake.support.Cli;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1,000 day partitions open at once across ten feeds, in a service with -Xmx128m: every record carries 2 KB that
 * neither a dictionary nor snappy can shrink, and each feed's records go round its 100 days, so that every partition
 * stays open until the end of the pass — 120 MB of values, about the whole heap. What the open files hold in memory
 * stays bounded (the memory budget, {@code datalake.append.memory-budget}, and Parquet's own memory manager, which
 * shrinks row groups as writers open): the export completes without running out of memory and lands every record
 * once, one file per partition.
 */
class ManyOpenPartitionsMemoryTest {
    private static final int FEEDS = 10;
    private static final int DAYS = 100;
    private static final int RECORDS_PER_FEED = 6_000;
    private static final int PAD = 2_000;
    private static final LocalDate FIRST_DAY = LocalDate.of(2025, 1, 1);

    @TempDir
    Path dir;

    private static String pad(Random random) {
        char[] c = new char[PAD];
        for (int i = 0; i < c.length; i++) {
            c[i] = (char) ('!' + random.nextInt(90));
            if (c[i] == '"' || c[i] == '\\') {
                c[i] = '#';
            }
        }
        return new String(c);
    }

    @Test
    void thousandOpenDayPartitionsAcrossFeedsStayWithinTheBudgetAndEveryRecordLands() throws Exception {
        List<String> topics = new ArrayList<>();
        for (int f = 0; f < FEEDS; f++) {
            topics.add("MANY_DAYS_" + f);
        }
        KafkaSupport.broker().createTopics(1, topics);
        Random random = new Random(11);
        try (KafkaProducer<String, byte[]> producer = KafkaSupport.producer()) {
            for (int i = 0; i < RECORDS_PER_FEED; i++) {
                LocalDate day = FIRST_DAY.plusDays(i % DAYS);
                for (String topic : topics) {
                    String json = "{\"ID\": " + i + ", \"TIMESTAMP\": \"" + day + "T12:00:00Z\", \"PAD\": \"" + pad(random) + "\"}";
                    producer.send(new ProducerRecord<>(topic, null, json.getBytes(StandardCharsets.UTF_8)));
                }
            }
            producer.flush();
        }
        Service service = new Service(dir);
        for (String topic : topics) {
            service.kafkaFeed(topic.toLowerCase(java.util.Locale.ROOT), topic);
        }
        Map<String, String> settings = new HashMap<>(service.settings());
        // neither age nor the number of open files publishes anything before the end of the pass
        settings.put("datalake.append.max-age", "1h");
        settings.put("datalake.append.max-open-files", String.valueOf(DAYS * FEEDS));

        Cli.Result r = Cli.run(dir, List.of("-Xmx128m", "-XX:+ExitOnOutOfMemoryError"), 600, settings, Map.of(),
                "export", "--all", "--progress=off");

        assertThat(r.exit()).as(String.join("\n", r.err().subList(Math.max(0, r.err().size() - 20), r.err().size())))
                .isZero();
        Lake lake = service.lake();
        String all = "read_parquet('" + lake.root().resolve("streams") + "/*/year=*/*/*/*.parquet', hive_partitioning=true,"
                + " union_by_name=true, filename=true)";
        assertThat(lake.count("SELECT count(*) FROM " + all)).isEqualTo((long) FEEDS * RECORDS_PER_FEED);
        assertThat(lake.count("SELECT count(DISTINCT (_source, ID)) FROM " + all)).isEqualTo((long) FEEDS * RECORDS_PER_FEED);
        assertThat(lake.count("SELECT count(DISTINCT (_source, year, month, day)) FROM " + all)).isEqualTo((long) FEEDS * DAYS);
        assertThat(lake.count("SELECT count(DISTINCT filename) FROM " + all)).isEqualTo((long) FEEDS * DAYS);
        for (String topic : topics) {
            assertThat(KafkaSupport.committed("camel-datalake-" + topic.toLowerCase(java.util.Locale.ROOT), topic))
                    .isEqualTo(KafkaSupport.endOffsets(topic, 1));
        }
    }
}
