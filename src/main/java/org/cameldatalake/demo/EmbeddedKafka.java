package org.cameldatalake.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real Apache Kafka broker (KRaft, combined broker + controller, one node) in this JVM, for the demo and the
 * tests. Its log directory survives {@link #stop()}, so a broker can be restarted on the same data and port.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private final Path logDir;
    private final int port;
    private final int controllerPort;
    private KafkaRaftServer server;

    private EmbeddedKafka(Path logDir, int port, int controllerPort) {
        this.logDir = logDir;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /** Formats {@code logDir} if needed and starts a broker on free ports. */
    public static EmbeddedKafka start(Path logDir) throws Exception {
        EmbeddedKafka k = new EmbeddedKafka(logDir, freePort(), freePort());
        k.restart();
        return k;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Starts (again) on the same log directory and ports. */
    public synchronized void restart() throws Exception {
        if (server != null) {
            return;
        }
        Files.createDirectories(logDir);
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toAbsolutePath().toString());
        p.put("num.partitions", "2");
        p.put("auto.create.topics.enable", "true");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("log.flush.interval.messages", "1000000");
        p.put("log.cleaner.enable", "false");
        // keep everything: demo and test records carry event timestamps days or years old, which the default
        // 7-day time retention would delete from under the consumers
        p.put("log.retention.ms", "-1");
        p.put("log.retention.bytes", "-1");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        KafkaConfig config = KafkaConfig.fromProps(p, false);
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            new Formatter()
                    .setPrintStream(new PrintStream(new ByteArrayOutputStream()))
                    .setNodeId(1)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .addDirectory(logDir.toAbsolutePath().toString())
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setIgnoreFormatted(true)
                    .run();
        }
        server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        try (Admin admin = admin()) {
            admin.describeCluster().nodes().get(); // wait until it answers
        }
    }

    /** Stops the broker, keeping its data. */
    public synchronized void stop() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    public Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return Admin.create(p);
    }

    public void createTopics(int partitions, List<String> topics) throws Exception {
        try (Admin admin = admin()) {
            for (String t : topics) {
                try {
                    admin.createTopics(List.of(new NewTopic(t, partitions, (short) 1))).all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
                awaitLeaders(admin, t, partitions);
            }
        }
    }

    /**
     * Creation returns once the controller has the topic, before this broker leads its partitions: a producer sending
     * then gets NOT_LEADER_OR_FOLLOWER, and an idempotent one can then be stuck on OUT_OF_ORDER_SEQUENCE_NUMBER until
     * its delivery timeout. Each partition must answer an offset query (which only its leader does) first.
     */
    private static void awaitLeaders(Admin admin, String topic, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> query = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            query.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try {
                admin.listOffsets(query).all().get();
                return;
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50); // the controller hands leadership over within milliseconds; poll until it has
            }
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
