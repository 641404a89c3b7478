package org.cameldatalake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cameldatalake.storage.Storage;
import org.cameldatalake.storage.StoreRequests;
import java.util.concurrent.atomic.AtomicInteger;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.S3Lake;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The service's key user-level scenarios with the lake on S3 ({@code datalake.root=s3a://…} and the
 * {@code datalake.hadoop.fs.s3a.*} settings a user gives), against S3Proxy; each test has a prefix of its own.
 */
class ServiceOnS3Test extends ServiceOnAStoreTest {
    private static final AtomicInteger LAKES = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final S3Lake.Server S3 = new S3Lake.Server();

    private String prefix;

    @Override
    protected Service service(Path dir) throws Exception {
        if (prefix == null) {
            prefix = "lake" + LAKES.incrementAndGet();
        }
        return new Service(dir).onS3(S3.lake(), prefix);
    }

    @Override
    protected String store() {
        return "s3";
    }

    /**
     * A writer killed mid-upload leaves an incomplete multipart upload under the file's final name (made here with the
     * AWS SDK, as S3A makes it: the first part uploaded, never completed). The process that takes the partition over
     * aborts it, young as it is; an upload of a partition it does not own stays, for its owner.
     */
    @Test
    void theUploadAKilledWriterLeftIsAbortedWhenItsPartitionIsTakenOver() throws Exception {
        String topic = "TX_TAKEOVER";
        String feed = "tx_takeover";
        Service s = service(dir);
        String day = prefix + "/streams/" + feed + "/year=2025/month=10/day=13/";
        String ofPartition0 = day + "data_20251013_000000_" + topic + "+0+0+99.parquet";
        String ofPartition7 = day + "data_20251013_000000_" + topic + "+7+0+99.parquet";
        try (S3Client c = S3.lake().client()) {
            for (String key : List.of(ofPartition0, ofPartition7)) {
                String id = c.createMultipartUpload(b -> b.bucket(S3Lake.BUCKET).key(key)).uploadId();
                c.uploadPart(b -> b.bucket(S3Lake.BUCKET).key(key).uploadId(id).partNumber(1),
                        RequestBody.fromBytes(new byte[64 * 1024]));
            }
        }
        assertThat(S3.lake().incompleteUploads(prefix + "/")).containsExactly(ofPartition0, ofPartition7);
        KafkaSupport.broker().createTopics(1, List.of(topic));
        KafkaSupport.sendTransactions(topic, 47, 200, LocalDate.of(2025, 10, 13), 1);
        s.kafkaFeed(feed, topic);
        try (s) {
            s.set("datalake.feeds.autostart", "false").start();
            assertThat(export(s, feed)).contains("200");
        }
        assertThat(S3.lake().incompleteUploads(prefix + "/")).containsExactly(ofPartition7);
        assertThat(S3.lake().keys(prefix)).doesNotContain(ofPartition0, ofPartition7);
        assertThat(s.lake().count("SELECT count(DISTINCT TRANSACTION_ID) FROM " + s.lake().stream(feed))).isEqualTo(200);
    }

    /**
     * What a restart of a feed costs on S3 when the lake already holds thousands of its files: the feed is landed
     * (one real file) and restarted, then 2,000 more files of another partition are put beside it (copies, their
     * metadata brought along) and it is restarted again; each restart lands 10 new records. Listings are flat and paged (1,000 keys a
     * request), so the LIST requests grow by one per 1,000 files; HEAD requests do not grow at all. Prints the figures.
     */
    @Test
    void aRestartOfAFeedOfThousandsOfFilesCostsAFewListingsAndNoHeadPerFile() throws Exception {
        String topic = "TX_RESUME";
        String feed = "tx_resume";
        KafkaSupport.broker().createTopics(1, List.of(topic));
        restart(feed, topic, 0); // the first landing
        Map<String, Long> few = restart(feed, topic, 0);
        Map<String, Long> many = restart(feed, topic, 2_000);
        System.out.printf("S3 requests of a restart that lands 10 records: a feed of 1 file %s; of 2,001 files %s%n", few, many);
        assertThat(lists(many)).as("LIST requests").isLessThanOrEqualTo(lists(few) + 2 * 2 + 2);
        // the larger feed has one source partition more (9): its manifest is looked up at start and at the merge
        // after each publish, a few requests however many files it counts
        assertThat(many.getOrDefault("object_metadata_request", 0L)).as("HEAD requests")
                .isLessThanOrEqualTo(few.getOrDefault("object_metadata_request", 0L) + 2 + 4);
        assertThat(many.getOrDefault("object_get_request", 0L)).as("GET requests: no footer read")
                .isLessThanOrEqualTo(few.getOrDefault("object_get_request", 0L) + 2);
    }

    private static long lists(Map<String, Long> requests) {
        return requests.getOrDefault("object_list_request", 0L) + requests.getOrDefault("object_continue_list_request", 0L);
    }

    /**
     * Adds {@code copies} files of partition 9 to the feed (and to its manifest), then starts the service, lands 10 new
     * records and stops; returns the requests its store made.
     */
    private Map<String, Long> restart(String feed, String topic, int copies) throws Exception {
        Service s = service(dir);
        s.kafkaFeed(feed, topic);
        // the copies below are written behind S3Proxy's back, so it knows no ETag of them
        s.set("datalake.hadoop.fs.s3a.change.detection.version.required", "false");
        if (copies > 0) {
            Path feedDir = s.lakeRoot().resolve("streams/" + feed);
            Path one;
            try (var files = java.nio.file.Files.walk(feedDir)) {
                one = files.filter(f -> f.toString().endsWith(".parquet")).findFirst().orElseThrow();
            }
            // and to the counts of partition 9's manifest, as its writer would have kept them
            ObjectNode manifest = JSON.createObjectNode().put("source", topic + "-9");
            ObjectNode days = manifest.putObject("days");
            long records = s.lake().count("SELECT count(*) FROM read_parquet('" + one + "')");
            for (int folder = 0; folder < copies / 100; folder++) {
                String day = String.format("year=2024/month=%02d/day=%02d", 1 + folder / 28, 1 + folder % 28);
                Path dayDir = java.nio.file.Files.createDirectories(feedDir.resolve(day));
                long last = -1;
                for (int i = 0; i < 100; i++) {
                    long first = (folder * 100L + i) * records;
                    last = first + records - 1;
                    java.nio.file.Files.copy(one, dayDir.resolve("data_20240101_000000_" + topic + "+9+" + first + "+"
                            + last + ".parquet"));
                }
                days.putObject(day).put("records", 100 * records).put("size_bytes", 100 * java.nio.file.Files.size(one))
                        .put("files", 100).put("last_offset", last).put("updated_at", 1L);
            }
            java.nio.file.Files.writeString(feedDir.resolve("_manifests/" + topic + "-9.json"), JSON.writeValueAsString(manifest));
        }
        KafkaSupport.sendTransactions(topic, 59 + copies, 10, LocalDate.of(2025, 10, 13), 1);
        try (s) {
            s.set("datalake.feeds.autostart", "false").start();
            export(s, feed);
            return StoreRequests.of(s.context().getRegistry().lookupByNameAndType("lakeStorage", Storage.class));
        }
    }

    /** No incomplete upload below the lake's prefix, no temporary object, and the stopped services' spools gone. */
    @Override
    protected void assertNothingUnfinished(Service s) throws Exception {
        S3.lake().assertNothingUnfinished(prefix);
        assertThat(files(s.spoolDir())).isEmpty();
    }
}
