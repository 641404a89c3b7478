package org.cameldatalake.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.filesystem.FilesystemApiMetadata;
import org.jclouds.filesystem.reference.FilesystemConstants;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * A real S3 API server in-process (S3Proxy on a random port) holding one bucket, whose objects are plain files below
 * {@link #bucketDir()}: a test reads them there with DuckDB or java.nio, independently of S3A. {@link #hadoop()} gives
 * the S3A settings that reach it — what a user sets as {@code datalake.hadoop.<key>}.
 *
 * <pre>
 * try (S3Lake s3 = S3Lake.start(tempDir)) {
 *     Storage lake = Storages.open(s3.root("lake"), s3.hadoop());
 *     …
 *     Files.exists(s3.object("lake/streams/…/x.parquet"));
 * }
 * </pre>
 */
public final class S3Lake implements AutoCloseable {
    public static final String BUCKET = "datalake";
    public static final String ACCESS_KEY = "lake-access";
    public static final String SECRET_KEY = "lake-secret";

    private final Path dir;
    private final BlobStoreContext context;
    private final S3Proxy proxy;

    private S3Lake(Path dir, BlobStoreContext context, S3Proxy proxy) {
        this.dir = dir;
        this.context = context;
        this.proxy = proxy;
    }

    /** Starts S3Proxy with a filesystem store in {@code dir} and creates the bucket. */
    public static S3Lake start(Path dir) throws Exception {
        Files.createDirectories(dir);
        Properties props = new Properties();
        props.setProperty(FilesystemConstants.PROPERTY_BASEDIR, dir.toString());
        // by its metadata, not by name: a lookup by name loads every provider S3Proxy lists, and the other clouds'
        // SDKs are left out of the test class path
        BlobStoreContext context = ContextBuilder.newBuilder(new FilesystemApiMetadata()).overrides(props)
                .buildView(BlobStoreContext.class);
        S3Proxy proxy = S3Proxy.builder().blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        try {
            proxy.start();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> "STARTED".equals(proxy.getState()));
            context.getBlobStore().createContainerInLocation(null, BUCKET);
        } catch (Exception e) {
            proxy.stop();
            context.close();
            throw e;
        }
        return new S3Lake(dir, context, proxy);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    /** The lake root URI for {@code prefix} in the bucket: {@code s3a://datalake/<prefix>}. */
    public String root(String prefix) {
        return "s3a://" + BUCKET + "/" + prefix;
    }

    /** The S3A settings for this server (the Hadoop keys, without {@code datalake.hadoop.}). */
    public Map<String, String> hadoop() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("fs.s3a.endpoint", endpoint());
        m.put("fs.s3a.endpoint.region", "us-east-1");
        m.put("fs.s3a.path.style.access", "true");
        m.put("fs.s3a.connection.ssl.enabled", "false");
        m.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        m.put("fs.s3a.access.key", ACCESS_KEY);
        m.put("fs.s3a.secret.key", SECRET_KEY);
        // S3A retries a failing request for minutes (SDK attempts × its own retry policy): a broken test fails in seconds
        m.put("fs.s3a.attempts.maximum", "1");
        m.put("fs.s3a.retry.limit", "1");
        m.put("fs.s3a.retry.interval", "50ms");
        return m;
    }

    /** The same settings as service properties: {@code datalake.root} and {@code datalake.hadoop.*}. */
    public Map<String, String> properties(String prefix) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("datalake.root", root(prefix));
        hadoop().forEach((k, v) -> m.put("datalake.hadoop." + k, v));
        return m;
    }

    /**
     * A plain AWS SDK client of this server, independent of S3A: what a test checks the bucket with (incomplete
     * uploads, for one, are not files in {@link #bucketDir()}).
     */
    public S3Client client() {
        return S3Client.builder().endpointOverride(URI.create(endpoint())).region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    /** The keys of the multipart uploads started below {@code prefix} and neither completed nor aborted. */
    public java.util.List<String> incompleteUploads(String prefix) {
        try (S3Client c = client()) {
            return c.listMultipartUploads(b -> b.bucket(BUCKET).prefix(prefix)).uploads().stream()
                    .map(MultipartUpload::key).sorted().toList();
        }
    }

    /** Nothing unfinished below {@code prefix}: no incomplete multipart upload, no temporary object. */
    public void assertNothingUnfinished(String prefix) throws IOException {
        assertThat(incompleteUploads(prefix + "/")).as("incomplete uploads below " + prefix)
                .isEmpty();
        assertThat(keys(prefix)).as("objects below " + prefix)
                .noneMatch(k -> k.contains("_temporary") || k.endsWith(".tmp"));
    }

    /** The folder that holds the bucket's objects as files (key "a/b/c" is file a/b/c). */
    public Path bucketDir() {
        return dir.resolve(BUCKET);
    }

    /** The file behind an object key. */
    public Path object(String key) {
        return bucketDir().resolve(key);
    }

    /** Every object key below {@code prefix}, sorted ("" for the whole bucket); S3Proxy's own hidden files excluded. */
    public java.util.List<String> keys(String prefix) throws IOException {
        Path base = bucketDir();
        if (!Files.isDirectory(base.resolve(prefix))) {
            return java.util.List.of();
        }
        try (Stream<Path> s = Files.walk(base.resolve(prefix))) {
            return s.filter(Files::isRegularFile).map(p -> base.relativize(p).toString().replace('\\', '/')).sorted().toList();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            proxy.stop();
        } finally {
            context.close();
        }
    }

    /**
     * S3Proxy for the tests of one class, started before the first and stopped after the last:
     * {@code @RegisterExtension static final S3Lake.Server S3 = new S3Lake.Server();}
     */
    public static final class Server implements org.junit.jupiter.api.extension.BeforeAllCallback,
            org.junit.jupiter.api.extension.AfterAllCallback {
        private S3Lake lake;
        private Path dir;

        public S3Lake lake() {
            return lake;
        }

        @Override
        public void beforeAll(org.junit.jupiter.api.extension.ExtensionContext context) throws Exception {
            dir = Files.createTempDirectory("s3proxy");
            lake = start(dir);
        }

        @Override
        public void afterAll(org.junit.jupiter.api.extension.ExtensionContext context) throws Exception {
            try {
                lake.close();
            } finally {
                try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
                    all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }
}
