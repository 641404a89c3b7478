package org.cameldatalake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.S3Lake;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The service's key user-level scenarios with the lake on S3 ({@code datalake.root=s3a://…} and the
 * {@code datalake.hadoop.fs.s3a.*} settings a user gives), against S3Proxy; each test has a prefix of its own.
 */
class ServiceOnS3Test extends ServiceOnAStoreTest {
    private static final AtomicInteger LAKES = new AtomicInteger();

    @TempDir
    static Path shared;
    static S3Lake s3;

    private String prefix;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3Lake.start(shared.resolve("s3"));
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
    }

    @Override
    protected Service service(Path dir) throws Exception {
        if (prefix == null) {
            prefix = "lake" + LAKES.incrementAndGet();
        }
        return new Service(dir).onS3(s3, prefix);
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
        try (S3Client c = s3.client()) {
            for (String key : List.of(ofPartition0, ofPartition7)) {
                String id = c.createMultipartUpload(b -> b.bucket(S3Lake.BUCKET).key(key)).uploadId();
                c.uploadPart(b -> b.bucket(S3Lake.BUCKET).key(key).uploadId(id).partNumber(1),
                        RequestBody.fromBytes(new byte[64 * 1024]));
            }
        }
        assertThat(s3.incompleteUploads(prefix + "/")).containsExactly(ofPartition0, ofPartition7);
        KafkaSupport.broker().createTopics(1, List.of(topic));
        KafkaSupport.sendTransactions(topic, 47, 200, LocalDate.of(2025, 10, 13), 1);
        s.kafkaFeed(feed, topic);
        try (s) {
            s.set("datalake.feeds.autostart", "false").start();
            assertThat(export(s, feed)).contains("200");
        }
        assertThat(s3.incompleteUploads(prefix + "/")).containsExactly(ofPartition7);
        assertThat(s3.keys(prefix)).doesNotContain(ofPartition0, ofPartition7);
        assertThat(s.lake().count("SELECT count(DISTINCT TRANSACTION_ID) FROM " + s.lake().stream(feed))).isEqualTo(200);
    }

    /** No incomplete upload below the lake's prefix, no temporary object, and the stopped services' spools gone. */
    @Override
    protected void assertNothingUnfinished(Service s) throws Exception {
        assertThat(s3.incompleteUploads(prefix + "/")).isEmpty();
        assertThat(s3.keys(prefix)).noneMatch(k -> k.contains("_temporary") || k.endsWith(".tmp"));
        assertThat(files(s.spoolDir())).isEmpty();
    }
}
