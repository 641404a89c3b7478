package org.cameldatalake.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.cameldatalake.demo.EmbeddedKafka;
import org.cameldatalake.demo.TransactionGenerator;

/**
 * The throughput benchmark, all figures in one run (the machine is noisy, so ratios within a run matter more than
 * absolutes): (a) a plain KafkaConsumer + Jackson, (b) the same records converted and written with parquet-avro/snappy
 * into date partitions (each as a fresh JVM timed from launch to exit, like (c), and as a loop in this warm JVM), (c) the real service (the jar, its own JVM, -Xmx256m) from launch until its last offset is
 * committed, (p) {@link HandWrittenPeer} launched and timed alike, checked to land the same rows, (d) the service's
 * peak RSS and heap, (e) Parquet bytes / JSON bytes, (f) a 100,000-row ksqlDB snapshot; then the service and the peer
 * again on 6 partitions over 4 days, and on 20 topics at once (20 feeds under one memory budget).
 * Run with {@code bench/run.sh [records]}; writes bench/RESULTS.md.
 */
public final class ThroughputBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "BENCH_TRANSACTIONS";
    private static final LocalDate FIRST_DAY = LocalDate.of(2025, 10, 13);

    public static void main(String[] args) {
        try {
            run(args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000);
        } catch (Exception | Error e) {
            e.printStackTrace();
            System.exit(1); // the in-process broker leaves non-daemon threads behind: without this the JVM stays
        }
        System.exit(0);
    }

    private static void run(int n) throws Exception {
        Path work = Files.createTempDirectory("camel-datalake-bench");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"))) {
            // the BENCH_ONLY_* runs may take another shape (the full run's races set their own)
            kafka.createTopics(partitions(), List.of(TOPIC));
            long t0 = System.nanoTime();
            long jsonBytes = produce(kafka.bootstrapServers(), List.of(TOPIC), n,
                    Integer.parseInt(System.getenv().getOrDefault("BENCH_DAYS", "3")));
            System.out.printf("produced %,d records (%,.1f MB of JSON) in %.1f s%n", n, jsonBytes / 1e6, secs(t0));
            String brokers = kafka.bootstrapServers();
            if (System.getenv("BENCH_ONLY_BARE") != null) {
                System.out.println("(c0) " + launched("bare pipeline", n, jsonBytes, BareJvmPipeline.class, brokers, TOPIC,
                        String.valueOf(n), work.resolve("bare-lake").toString()));
            } else if (System.getenv("BENCH_ONLY_RAW") != null) { // (a) and (b), warm and from launch; RESULTS.md untouched
                Path values = work.resolve("values.avro");
                System.out.println(rawConsume(brokers, n, jsonBytes) + "\n" + rawWrite(brokers, n, jsonBytes, work.resolve("raw-lake"), values)
                        + "\n" + freshConsume(brokers, n, jsonBytes) + "\n" + freshWrite(values, n, jsonBytes, work.resolve("fresh-lake")));
            } else if (System.getenv("BENCH_ONLY_CDS") != null) { // (c) without and with the archive; RESULTS.md untouched
                Path archive = runArchive(kafka, work.resolve("archive"));
                System.out.println("(c) " + Contenders.service(brokers, List.of(TOPIC), work.resolve("service")));
                Contenders.forgetServiceOffsets(brokers, List.of(TOPIC));
                System.out.println("(c) with the archive " + Contenders.service(brokers, List.of(TOPIC), work.resolve("service-cds"),
                        List.of("-XX:SharedArchiveFile=" + archive)));
            } else if (System.getenv("BENCH_ONLY_AB") != null) { // (c) with JVM options "A|B", as A, B, A, B; RESULTS.md untouched
                String[] ab = System.getenv("BENCH_ONLY_AB").split("\\|", -1);
                for (int i = 0; i < 4; i++) {
                    List<String> options = ab[i % 2].isBlank() ? List.of() : List.of(ab[i % 2].trim().split("\\s+"));
                    System.out.println("(c) " + options + ": " + Contenders.service(brokers, List.of(TOPIC), work.resolve("ab" + i), options));
                    Contenders.forgetServiceOffsets(brokers, List.of(TOPIC));
                }
            } else if (System.getenv("BENCH_ONLY_SERVICE") != null) { // experiments on (c) alone; RESULTS.md untouched
                System.out.println("(c) " + Contenders.service(brokers, List.of(TOPIC), work.resolve("service")));
            } else if (System.getenv("BENCH_ONLY_RACE") != null) { // (c) against (p) alone; RESULTS.md untouched
                System.out.println(race("only", brokers, List.of(TOPIC), work.resolve("race")));
            } else if (System.getenv("BENCH_ONLY_STARTUP") != null) { // the commands' start-up, on the service's lake
                Contenders.service(brokers, List.of(TOPIC), work.resolve("service"));
                System.out.println(StartupBenchmark.measure(work.resolve("service"), brokers, n));
            } else {
                measureAll(kafka, n, jsonBytes, work);
            }
        } finally {
            if (System.getenv("BENCH_KEEP") == null) {
                deleteQuietly(work);
            } else {
                System.out.println("kept " + work + " (the service's log is service/service.log)");
            }
        }
    }

    private static void measureAll(EmbeddedKafka kafka, int n, long jsonBytes, Path work) throws Exception {
        String brokers = kafka.bootstrapServers();
        Result warmConsume = rawConsume(brokers, n, jsonBytes);
        System.out.println("(a) warm " + warmConsume);
        Path values = work.resolve("values.avro"); // (b)'s input from launch: the records converted once, here
        Result warmWrite = rawWrite(brokers, n, jsonBytes, work.resolve("raw-lake"), values);
        System.out.println("(b) warm " + warmWrite);
        Result consumeBefore = freshConsume(brokers, n, jsonBytes);
        System.out.println("(a) " + consumeBefore);
        Result writeBefore = freshWrite(values, n, jsonBytes, work.resolve("fresh-lake"));
        System.out.println("(b) " + writeBefore);
        Race main = race("2 partitions, 3 days", brokers, List.of(TOPIC), work.resolve("main"));
        System.out.println(main);
        long parquetBytes = parquetBytes(work.resolve("main/service/data_lake/streams"));
        Path archive = runArchive(kafka, work.resolve("archive"));
        Contenders.forgetServiceOffsets(brokers, List.of(TOPIC));
        LaunchedRun.Outcome withArchive = Contenders.service(brokers, List.of(TOPIC), work.resolve("main-cds"),
                List.of("-XX:SharedArchiveFile=" + archive));
        System.out.println("(c) with the archive for run: " + withArchive);
        // this machine's speed drifts by up to 2x within the hour: (a) and (b) run again after (c), and count both
        Result consumeAfter = freshConsume(brokers, n, jsonBytes);
        System.out.println("(a) again " + consumeAfter);
        Result writeAfter = freshWrite(values, n, jsonBytes, work.resolve("fresh-lake-again"));
        System.out.println("(b) again " + writeAfter);
        Files.delete(values);
        Result bare = launched("bare pipeline: (a)'s and (b)'s loops on two threads, fresh JVM, -Xmx256m", n, jsonBytes,
                BareJvmPipeline.class, brokers, TOPIC, String.valueOf(n), work.resolve("bare-lake").toString());
        System.out.println("(c0) " + bare);
        double snapshot = SnapshotBenchmark.hundredThousandRowSnapshotSeconds();
        System.out.printf("(f) 100,000-row snapshot: %.2f s%n", snapshot);
        String startup = StartupBenchmark.measure(work.resolve("main/service"), brokers, n);

        List<Race> wider = new ArrayList<>();
        String six = "BENCH_SIX";
        kafka.createTopics(6, List.of(six));
        produce(brokers, List.of(six), n, 4);
        wider.add(race("6 partitions, 4 days", brokers, List.of(six), work.resolve("six")));
        System.out.println(wider.get(0));
        List<String> twenty = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            twenty.add(String.format(Locale.ROOT, "BENCH_F%02d", i));
        }
        kafka.createTopics(2, twenty);
        produce(brokers, twenty, n, 3);
        wider.add(race("20 feeds, 2 partitions, 3 days each", brokers, twenty, work.resolve("twenty")));
        System.out.println(wider.get(1));

        String md = ResultsTable.markdown(n, jsonBytes, consumeBefore.and(consumeAfter), writeBefore.and(writeAfter),
                List.of(warmConsume, warmWrite, bare), main, withArchive, parquetBytes, snapshot, wider) + startup;
        System.out.println(md);
        Files.writeString(Path.of("bench/RESULTS.md"), md);
    }

    /** The service and the peer on the same topics, one after the other, and whether they landed the same rows. */
    record Race(String what, LaunchedRun.Outcome service, LaunchedRun.Outcome peer, String sameRows) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s:%n(c) service %s%n    %s%n(p) peer    %s%n    %s%n    %s; service / peer %.2f",
                    what, service, service.cpuByThread().replace("\n", "\n    "), peer, peer.cpuByThread(), sameRows,
                    service.rps() / peer.rps());
        }
    }

    static Race race(String what, String brokers, List<String> topics, Path dir) throws Exception {
        LaunchedRun.Outcome service = Contenders.service(brokers, topics, dir.resolve("service"));
        System.out.println("(c) " + what + ": " + service);
        LaunchedRun.Outcome peer = Contenders.peer(brokers, topics, dir.resolve("peer"));
        System.out.println("(p) " + what + ": " + peer);
        String sameRows = service.failed() || peer.failed() ? "rows not compared: a process failed"
                : Contenders.sameRows(dir.resolve("service"), dir.resolve("peer"));
        return new Race(what, service, peer, sameRows);
    }

    /**
     * A class-data-sharing archive for {@code run}, made as README says a user makes one: the service started with
     * {@code -XX:ArchiveClassesAtExit}, landing records (50,000 on a topic of their own) and then stopped.
     */
    private static Path runArchive(EmbeddedKafka kafka, Path dir) throws Exception {
        String topic = "BENCH_WARMUP";
        kafka.createTopics(2, List.of(topic));
        produce(kafka.bootstrapServers(), List.of(topic), 50_000, 3);
        Path archive = dir.resolve("camel-datalake-run.jsa");
        Contenders.service(kafka.bootstrapServers(), List.of(topic), dir, List.of("-XX:ArchiveClassesAtExit=" + archive));
        if (!Files.isRegularFile(archive)) {
            throw new IllegalStateException("no archive written; see " + dir.resolve("service.log"));
        }
        return archive;
    }

    private static long parquetBytes(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".parquet")).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    /** cpuSeconds: CPU time the measured work used (its thread for (a) and (b), the whole process for (c)). */
    record Result(String what, long records, double seconds, long jsonBytes, double cpuSeconds) {
        double rps() {
            return records / seconds;
        }

        double mbps() {
            return jsonBytes / 1e6 / seconds;
        }

        /** Both runs of the same measure as one: records and time added up; the figure of each in the name. */
        Result and(Result again) {
            return new Result(String.format(Locale.ROOT, "%s (run before and after (c): %,.0f and %,.0f records/s)", what, rps(),
                    again.rps()), records + again.records, seconds + again.seconds, jsonBytes + again.jsonBytes,
                    cpuSeconds + again.cpuSeconds);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s: %,d records in %.2f s = %,.0f records/s, %.1f MB/s of JSON, %.1f CPU s",
                    what, records, seconds, rps(), mbps(), cpuSeconds);
        }
    }

    /** {@code n} seed-004 transactions over {@code days} event days, spread evenly over {@code topics}; their JSON bytes. */
    private static long produce(String brokers, List<String> topics, int n, int days) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        TransactionGenerator gen = new TransactionGenerator(42, FIRST_DAY, days);
        long bytes = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < n; i++) {
                TransactionGenerator.Transaction t = gen.next();
                byte[] value = t.json().getBytes(StandardCharsets.UTF_8);
                bytes += value.length;
                producer.send(new ProducerRecord<>(topics.get(i % topics.size()), null, t.eventTimeMillis(), t.userId(), value));
            }
            producer.flush();
        }
        return bytes;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String brokers) {
        return RawMeasures.consumer(brokers, TOPIC, partitions(), 2000);
    }

    private static int partitions() {
        return Integer.parseInt(System.getenv().getOrDefault("BENCH_PARTITIONS", "2"));
    }

    /** (a) a plain consumer reading the topic and parsing every value with Jackson. */
    private static Result rawConsume(String brokers, int n, long jsonBytes) throws Exception {
        long t0 = System.nanoTime();
        long cpu0 = threadCpu();
        long seen = RawMeasures.consume(brokers, TOPIC, partitions(), n);
        return new Result("(a) raw consume (KafkaConsumer + Jackson), warm: a loop in the benchmark's JVM", seen, secs(t0), jsonBytes, (threadCpu() - cpu0) / 1e9);
    }

    /**
     * (b) warm: the same parsed records converted to Avro and written with parquet-avro, snappy, one open file per day
     * partition; only conversion and writing are timed (reading and parsing are (a)). The converted records, each with
     * its Kafka timestamp, also go (untimed) into the Avro file {@code values}: the input of (b) from launch.
     */
    private static Result rawWrite(String brokers, int n, long jsonBytes, Path lake, Path values) throws IOException {
        DayFiles files = null;
        Schema schema = null;
        long timed = 0;
        long timedCpu = 0;
        long seen = 0;
        try (KafkaConsumer<byte[], byte[]> c = consumer(brokers);
             DataFileWriter<GenericRecord> dump = new DataFileWriter<>(new GenericDatumWriter<>())) {
            List<JsonNode> chunk = new ArrayList<>();
            List<Long> times = new ArrayList<>();
            List<GenericRecord> converted = new ArrayList<>();
            while (seen < n) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    chunk.add(JSON.readTree(r.value()));
                    times.add(r.timestamp());
                    seen++;
                }
                if (chunk.size() >= 50_000 || (seen >= n && !chunk.isEmpty())) {
                    if (files == null) {
                        schema = JsonAvro.schemaOf(chunk.subList(0, Math.min(1000, chunk.size())));
                        files = new DayFiles(lake, schema);
                        dump.create(RawMeasures.timedSchema(schema), values.toFile());
                    }
                    long t0 = System.nanoTime();
                    long cpu0 = threadCpu();
                    for (int i = 0; i < chunk.size(); i++) {
                        GenericRecord avro = JsonAvro.convert(chunk.get(i), schema);
                        files.write(avro, times.get(i));
                        converted.add(avro);
                    }
                    timed += System.nanoTime() - t0;
                    timedCpu += threadCpu() - cpu0;
                    Schema timedSchema = RawMeasures.timedSchema(schema);
                    for (int i = 0; i < converted.size(); i++) {
                        GenericData.Record record = new GenericData.Record(timedSchema);
                        record.put(RawMeasures.TIMESTAMP, times.get(i));
                        record.put(RawMeasures.VALUE, converted.get(i));
                        dump.append(record);
                    }
                    chunk.clear();
                    times.clear();
                    converted.clear();
                }
            }
        }
        long t0 = System.nanoTime();
        long cpu0 = threadCpu();
        if (files != null) {
            files.close();
        }
        timed += System.nanoTime() - t0;
        timedCpu += threadCpu() - cpu0;
        return new Result("(b) raw write (JSON tree → Avro → parquet-avro, snappy, 3 day files), warm: a loop in the benchmark's JVM",
                seen, timed / 1e9, jsonBytes, timedCpu / 1e9);
    }

    /** (a) from launch: {@link RawMeasures} {@code consume}, a fresh JVM with -Xmx256m, timed from launch to exit. */
    private static Result freshConsume(String brokers, int n, long jsonBytes) throws Exception {
        return launched("(a) raw consume (KafkaConsumer + Jackson), fresh JVM, -Xmx256m, from launch to exit", n, jsonBytes,
                RawMeasures.class, "consume", brokers, TOPIC, String.valueOf(partitions()), String.valueOf(n));
    }

    /** (b) from launch: {@link RawMeasures} {@code write} of the converted records in {@code values}. */
    private static Result freshWrite(Path values, int n, long jsonBytes, Path lake) throws Exception {
        return launched("(b) raw write (Avro file → parquet-avro, snappy, 3 day files), fresh JVM, -Xmx256m, from launch to exit",
                n, jsonBytes, RawMeasures.class, "write", values.toString(), lake.toString());
    }

    /**
     * {@code main} with {@code args} in a fresh JVM launched as the service is (-Xmx256m), timed from launch to exit;
     * its CPU seconds from the {@code cpu=} it prints last. A process that fails is a result: its first line, no figures.
     */
    private static Result launched(String what, int n, long jsonBytes, Class<?> main, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(LaunchedRun.javaBin(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                main.getName()));
        cmd.addAll(List.of(args));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) { // e.g. parquet-avro's default 128 MB row groups, three files open, at -Xmx256m
            System.out.println(what + " failed: " + out);
            String first = out.lines().filter(l -> !l.isBlank() && !l.startsWith("SLF4J")).findFirst().orElse("exit " + p.exitValue());
            return new Result(what + " — failed: " + first.replace('|', '/'), 0, Double.NaN, jsonBytes, 0);
        }
        double seconds = secs(t0);
        Matcher m = Pattern.compile("cpu=([0-9.]+)").matcher(out);
        double cpu = m.find() ? Double.parseDouble(m.group(1)) : 0;
        return new Result(what, n, seconds, jsonBytes, cpu);
    }

    private static long threadCpu() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void deleteQuietly(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
