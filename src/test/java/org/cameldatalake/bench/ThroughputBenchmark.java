package org.cameldatalake.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.cameldatalake.demo.EmbeddedKafka;
import org.cameldatalake.demo.TransactionGenerator;
import org.cameldatalake.support.Http;

/**
 * Issue 8's benchmark, all figures in one run (the machine is noisy, so ratios matter more than absolutes):
 * (a) a plain KafkaConsumer + Jackson, (b) the same records converted and written with parquet-avro/snappy into
 * date partitions, (c) the real service (the jar, its own JVM, -Xmx256m) from start until the last offset is committed,
 * (d) its peak RSS and heap, (e) Parquet bytes / JSON bytes, (f) a 100,000-row ksqlDB snapshot.
 * Run with {@code bench/run.sh [records]}; writes bench/RESULTS.md.
 */
public final class ThroughputBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "BENCH_TRANSACTIONS";
    private static final LocalDate FIRST_DAY = LocalDate.of(2025, 10, 13);

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path work = Files.createTempDirectory("camel-datalake-bench");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"))) {
            kafka.createTopics(2, List.of(TOPIC));
            long t0 = System.nanoTime();
            long jsonBytes = produce(kafka.bootstrapServers(), n);
            System.out.printf("produced %,d records (%,.1f MB of JSON) in %.1f s%n", n, jsonBytes / 1e6, secs(t0));

            if (System.getenv("BENCH_ONLY_BARE") != null) {
                System.out.println("(c0) " + bareJvm(kafka.bootstrapServers(), n, jsonBytes, work.resolve("bare-lake")));
            } else if (System.getenv("BENCH_ONLY_SERVICE") != null) { // experiments on (c) alone; RESULTS.md untouched
                ServiceRun only = service(kafka.bootstrapServers(), n, jsonBytes, work.resolve("service"));
                System.out.printf("(c) %s; peak RSS %d MB, peak heap %d MB; 10-90 %% %,.0f records/s%n", only.result, only.peakRssMb,
                        only.peakHeapMb, only.steadyRps);
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
        System.exit(0); // the in-process broker leaves non-daemon threads behind
    }

    private static void measureAll(EmbeddedKafka kafka, int n, long jsonBytes, Path work) throws Exception {
        Result consumeBefore = rawConsume(kafka.bootstrapServers(), n, jsonBytes);
        System.out.println("(a) " + consumeBefore);
        Result writeBefore = rawWrite(kafka.bootstrapServers(), n, jsonBytes, work.resolve("raw-lake"));
        System.out.println("(b) " + writeBefore);
        ServiceRun service = service(kafka.bootstrapServers(), n, jsonBytes, work.resolve("service"));
        System.out.println("(c) " + service.result + "; peak RSS " + service.peakRssMb + " MB, peak heap " + service.peakHeapMb + " MB");
        // this machine's speed drifts by up to 2x within the hour: (a) and (b) run again after (c), and count both
        Result consumeAfter = rawConsume(kafka.bootstrapServers(), n, jsonBytes);
        System.out.println("(a) again " + consumeAfter);
        Result writeAfter = rawWrite(kafka.bootstrapServers(), n, jsonBytes, work.resolve("raw-lake-again"));
        System.out.println("(b) again " + writeAfter);
        Result consume = consumeBefore.and(consumeAfter);
        Result write = writeBefore.and(writeAfter);
        Result bare = bareJvm(kafka.bootstrapServers(), n, jsonBytes, work.resolve("bare-lake"));
        System.out.println("(c0) " + bare);
        double snapshot = SnapshotBenchmark.hundredThousandRowSnapshotSeconds();
        System.out.printf("(f) 100,000-row snapshot: %.2f s%n", snapshot);
        String md = table(n, jsonBytes, consume, write, service, bare, snapshot);
        System.out.println(md);
        Files.writeString(Path.of("bench/RESULTS.md"), md);
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

    /** steadyRps: records committed per second between 10 % and 90 % of the topic committed (no start, no tail). */
    record ServiceRun(Result result, long peakRssMb, long peakHeapMb, long parquetBytes, double steadyRps, double at10, double at90) {
    }

    private static long produce(String brokers, int n) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        TransactionGenerator gen = new TransactionGenerator(42, FIRST_DAY, 3);
        long bytes = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < n; i++) {
                TransactionGenerator.Transaction t = gen.next();
                byte[] value = t.json().getBytes(StandardCharsets.UTF_8);
                bytes += value.length;
                producer.send(new ProducerRecord<>(TOPIC, null, t.eventTimeMillis(), t.userId(), value));
            }
            producer.flush();
        }
        return bytes;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String brokers) {
        Properties p = new Properties();
        p.put("bootstrap.servers", brokers);
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        p.put("enable.auto.commit", "false");
        p.put("max.poll.records", "2000");
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p);
        List<TopicPartition> tps = List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1));
        c.assign(tps);
        c.seekToBeginning(tps);
        return c;
    }

    /** (a) a plain consumer reading the topic and parsing every value with Jackson. */
    private static Result rawConsume(String brokers, int n, long jsonBytes) throws IOException {
        long t0 = System.nanoTime();
        long cpu0 = threadCpu();
        long seen = 0;
        long fields = 0;
        try (KafkaConsumer<byte[], byte[]> c = consumer(brokers)) {
            while (seen < n) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    fields += JSON.readTree(r.value()).size();
                    seen++;
                }
            }
        }
        if (fields == 0) {
            throw new IllegalStateException("nothing parsed");
        }
        return new Result("raw consume (KafkaConsumer + Jackson)", seen, secs(t0), jsonBytes, (threadCpu() - cpu0) / 1e9);
    }

    /**
     * (b) the same parsed records converted to Avro and written with parquet-avro, snappy, one open file per day
     * partition; only conversion and writing are timed (reading and parsing are (a)).
     */
    private static Result rawWrite(String brokers, int n, long jsonBytes, Path lake) throws IOException {
        DayFiles files = null;
        long timed = 0;
        long timedCpu = 0;
        long seen = 0;
        try (KafkaConsumer<byte[], byte[]> c = consumer(brokers)) {
            List<JsonNode> chunk = new ArrayList<>();
            List<Long> times = new ArrayList<>();
            while (seen < n) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    chunk.add(JSON.readTree(r.value()));
                    times.add(r.timestamp());
                    seen++;
                }
                if (chunk.size() >= 50_000 || (seen >= n && !chunk.isEmpty())) {
                    if (files == null) {
                        files = new DayFiles(lake, JsonAvro.schemaOf(chunk.subList(0, Math.min(1000, chunk.size()))));
                    }
                    long t0 = System.nanoTime();
                    long cpu0 = threadCpu();
                    for (int i = 0; i < chunk.size(); i++) {
                        files.write(chunk.get(i), times.get(i));
                    }
                    timed += System.nanoTime() - t0;
                    timedCpu += threadCpu() - cpu0;
                    chunk.clear();
                    times.clear();
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
        return new Result("raw write (JSON tree → Avro → parquet-avro, snappy, 3 day files)", seen, timed / 1e9, jsonBytes,
                timedCpu / 1e9);
    }

    /** (c0): {@link BareJvmPipeline}, launched as the service is, timed from launch to exit. */
    private static Result bareJvm(String brokers, int n, long jsonBytes, Path dir) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), BareJvmPipeline.class.getName(), brokers, TOPIC,
                String.valueOf(n), dir.toString());
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) { // e.g. parquet-avro's default 128 MB row groups, three files open, at -Xmx256m
            System.out.println("(c0) the bare pipeline failed: " + out);
            String first = out.lines().filter(l -> !l.isBlank() && !l.startsWith("SLF4J")).findFirst().orElse("exit " + p.exitValue());
            return new Result("bare pipeline: (a)'s and (b)'s loops on two threads, fresh JVM, -Xmx256m — failed: "
                    + first.replace('|', '/'), 0, Double.NaN, jsonBytes, 0);
        }
        double seconds = secs(t0);
        Matcher m = Pattern.compile("cpu=([0-9.]+)").matcher(out);
        double cpu = m.find() ? Double.parseDouble(m.group(1)) : 0;
        return new Result("bare pipeline: (a)'s and (b)'s loops on two threads, fresh JVM, -Xmx256m", n, seconds, jsonBytes, cpu);
    }

    /** (c)+(d)+(e): the jar in its own JVM with -Xmx256m, from start until the committed offsets reach the end. */
    private static ServiceRun service(String brokers, int n, long jsonBytes, Path dir) throws Exception {
        Files.createDirectories(dir.resolve("feeds/active"));
        Files.writeString(dir.resolve("feeds/active/bench.json"), """
                {"feed_name": "bench", "feed_type": "stream", "source": "kafka", "kafka_topic": "%s",
                 "partitioning": {"type": "date", "columns": ["year", "month", "day"], "timestamp_field": "TIMESTAMP"}}
                """.formatted(TOPIC));
        int port = Http.freePort();
        Path jar = Path.of("target/camel-datalake.jar").toAbsolutePath();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
        String extra = System.getenv("BENCH_SERVICE_JVM_OPTS"); // e.g. -XX:StartFlightRecording=filename=/tmp/c.jfr
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-Ddatalake.root=" + dir.resolve("data_lake"), "-Ddatalake.feeds.dir=" + dir.resolve("feeds"),
                "-Dcamel.component.kafka.brokers=" + brokers, "-Ddatalake.api.port=" + port,
                "-Ddatalake.maintenance.autostart=false", "-Ddatalake.append.max-age=5s", "-Ddatalake.append.max-idle=1s",
                "-jar", jar.toString(), "run"));
        Path log = dir.resolve("service.log");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long peakHeap = 0;
        long peakRss = 0;
        Map<TopicPartition, Long> end;
        Properties ap = new Properties();
        ap.put("bootstrap.servers", brokers);
        double seconds;
        double cpuSeconds;
        int polls = 0;
        double atFirst = -1;
        double at10 = -1;
        double at90 = -1;
        long committed10 = 0;
        long committed90 = 0;
        try (Admin admin = Admin.create(ap)) {
            Map<TopicPartition, OffsetSpec> q = Map.of(new TopicPartition(TOPIC, 0), OffsetSpec.latest(),
                    new TopicPartition(TOPIC, 1), OffsetSpec.latest());
            end = new HashMap<>();
            admin.listOffsets(q).all().get().forEach((tp, o) -> end.put(tp, o.offset()));
            while (true) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("the service died; see " + log);
                }
                peakRss = Math.max(peakRss, rssMb(p.pid()));
                if (++polls % 5 == 0) { // a scrape costs the service CPU: once a second
                    peakHeap = Math.max(peakHeap, heapMb(port));
                }
                var committed = admin.listConsumerGroupOffsets("camel-datalake-bench").partitionsToOffsetAndMetadata().get();
                long committedSum = committed.values().stream().filter(java.util.Objects::nonNull)
                        .mapToLong(org.apache.kafka.clients.consumer.OffsetAndMetadata::offset).sum();
                if (atFirst < 0 && committedSum > 0) {
                    atFirst = secs(t0);
                }
                if (at10 < 0 && committedSum >= n / 10) {
                    at10 = secs(t0);
                    committed10 = committedSum;
                }
                if (at90 < 0 && committedSum >= n * 9L / 10) {
                    at90 = secs(t0);
                    committed90 = committedSum;
                }
                boolean done = end.entrySet().stream().allMatch(e -> committed.get(e.getKey()) != null
                        && committed.get(e.getKey()).offset() >= e.getValue());
                if (done) {
                    seconds = secs(t0);
                    cpuSeconds = processCpuSeconds(p.pid());
                    printCpuByThread(p.pid());
                    break;
                }
                if (secs(t0) > 1800) {
                    throw new IllegalStateException("not done after 30 minutes; see " + log);
                }
                Thread.sleep(200); // polling interval of a measurement loop, not a synchronisation
            }
        } finally {
            p.destroy();
            p.waitFor();
        }
        long parquet;
        long fileCount;
        try (var files = Files.walk(dir.resolve("data_lake/streams/bench"))) {
            List<Path> parquetFiles = files.filter(f -> f.toString().endsWith(".parquet")).toList();
            fileCount = parquetFiles.size();
            parquet = parquetFiles.stream().mapToLong(f -> f.toFile().length()).sum();
        }
        System.out.printf("(c) %d Parquet files%n", fileCount);
        double steady = at90 > at10 && at10 >= 0 ? (committed90 - committed10) / (at90 - at10) : 0;
        System.out.printf(Locale.ROOT, "(c) first record committed at %.1f s, 10 %% at %.1f s, 90 %% at %.1f s, all at %.1f s%n",
                atFirst, at10, at90, seconds);
        return new ServiceRun(new Result("camel-datalake end to end (jar, -Xmx256m)", n, seconds, jsonBytes, cpuSeconds), peakRss, peakHeap, parquet,
                steady, at10, at90);
    }

    private static long threadCpu() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    /** user + system CPU time of a process so far (/proc/PID/stat, in clock ticks of 1/100 s). */
    private static double processCpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // fields 14 and 15 of proc(5)
    }

    /** Where (c)'s CPU went, by thread name as the kernel knows it (15 characters), e.g. JIT, GC, consumer. */
    private static void printCpuByThread(long pid) throws IOException {
        Map<String, Double> byName = new HashMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("\\d+$", "#");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    byName.merge(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0, Double::sum);
                } catch (IOException e) {
                    // the thread ended meanwhile
                }
            }
        }
        StringBuilder s = new StringBuilder("(c) CPU s by thread:");
        byName.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(12)
                .forEach(e -> s.append(String.format(Locale.ROOT, " [%s] %.1f", e.getKey(), e.getValue())));
        System.out.println(s);
        printCamelThreadCpu(pid);
    }

    /** The kernel's 15 characters cannot tell Camel's threads apart; the JVM's thread dump (cpu=…ms) can. */
    private static void printCamelThreadCpu(long pid) {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    String.valueOf(pid), "Thread.print").redirectErrorStream(true).start();
            String dump = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jcmd.waitFor();
            Map<String, Double> byName = new HashMap<>();
            var m = java.util.regex.Pattern.compile("^\"Camel \\(camel-1\\) thread #\\d+ - ([^\"]+)\".*? cpu=([0-9.]+)ms",
                    java.util.regex.Pattern.MULTILINE).matcher(dump);
            while (m.find()) {
                byName.merge(m.group(1).replaceAll("\\d+", "#"), Double.parseDouble(m.group(2)) / 1000, Double::sum);
            }
            StringBuilder s = new StringBuilder("(c) CPU s by Camel thread:");
            byName.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(8)
                    .forEach(e -> s.append(String.format(Locale.ROOT, " [%s] %.1f", e.getKey(), e.getValue())));
            System.out.println(s);
        } catch (IOException | InterruptedException e) {
            System.out.println("(c) no thread dump: " + e);
        }
    }

    private static long rssMb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return 0;
    }

    private static final Pattern HEAP = Pattern.compile("(?m)^jvm_memory_used_bytes\\{area=\"heap\"[^}]*\\} (\\S+)$");

    /** Heap in use now (sum of the heap pools), from the service's own Prometheus endpoint. */
    private static long heapMb(int port) {
        try {
            HttpResponse<String> r = Http.get("http://localhost:" + port + "/observe/metrics");
            double sum = 0;
            Matcher m = HEAP.matcher(r.body());
            while (m.find()) {
                sum += Double.parseDouble(m.group(1));
            }
            return (long) (sum / 1048576);
        } catch (Exception e) {
            return 0; // not up yet
        }
    }

    private static String table(int n, long jsonBytes, Result a, Result b, ServiceRun c, Result bare, double snapshot) throws IOException {
        Result limit = a.rps() < b.rps() ? a : b;
        double ratio = c.result.rps() / limit.rps();
        double parquetShare = (double) c.parquetBytes / jsonBytes;
        StringBuilder s = new StringBuilder();
        s.append("# Benchmark results\n\n");
        s.append("Run on ").append(LocalDate.now(ZoneOffset.UTC)).append(" by `bench/run.sh ").append(n).append("`; machine: ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(memTotalGb()).append(" GiB RAM, ").append(cpuModel()).append(", Java ").append(Runtime.version())
                .append(".\n\n");
        s.append(String.format(Locale.ROOT, "%,d seed-004 transactions over 3 event days, 2-partition topic, %,.1f MB of JSON.%n%n", n, jsonBytes / 1e6));
        s.append("| measure | records/s | MB/s (JSON) | seconds | CPU µs / record | target |\n|---|---:|---:|---:|---:|---|\n");
        for (Result r : List.of(a, b, c.result, bare)) {
            if (Double.isNaN(r.seconds())) {
                s.append("| ").append(r.what()).append(" | | | | | |\n");
                continue;
            }
            s.append(String.format(Locale.ROOT, "| %s | %,.0f | %.1f | %.2f | %.1f | |%n", r.what(), r.rps(), r.mbps(), r.seconds(),
                    r.cpuSeconds() * 1e6 / r.records()));
        }
        s.append(String.format(Locale.ROOT, "| (c) between 10 %% and 90 %% committed (after start, before the tail) | %,.0f | | | | %.2f × min(a, b) |%n",
                c.steadyRps, c.steadyRps / limit.rps()));
        s.append(String.format(Locale.ROOT, "| **(c) / min(a, b)** | **%.2f** | | | | ≥ 0.8 %s |%n", ratio, ratio >= 0.8 ? "✓" : "✗"));
        if (!Double.isNaN(bare.seconds())) {
            s.append(String.format(Locale.ROOT, "| bare pipeline / min(a, b) — the most any service launched like (c) gets here | %.2f | | | | |%n",
                    bare.rps() / limit.rps()));
            s.append(String.format(Locale.ROOT, "| (c) / bare pipeline | %.2f | | | | |%n", c.result.rps() / bare.rps()));
        }
        s.append(String.format(Locale.ROOT, "| (d) peak RSS / peak heap of (c) | %d MB / %d MB | | | | completes within -Xmx256m ✓ |%n",
                c.peakRssMb, c.peakHeapMb));
        s.append(String.format(Locale.ROOT, "| (e) Parquet bytes / JSON bytes | %.1f %% (%,.1f MB) | | | | ≤ 15 %% %s |%n",
                parquetShare * 100, c.parquetBytes / 1e6, parquetShare <= 0.15 ? "✓" : "✗"));
        s.append(String.format(Locale.ROOT, "| (f) 100,000-row ksqlDB snapshot (emulator) | | | %.2f | | < 2 s %s |%n",
                snapshot, snapshot < 2 ? "✓" : "✗"));
        s.append("\n(a) and (b) are single-threaded loops; (b) times only Avro conversion and Parquet writing of records already parsed.")
                .append(" Each ran before and after (c), since the machine's speed drifts; their rows count both runs.\n");
        s.append("The bare pipeline chains (a)'s and (b)'s loops on two threads in a fresh JVM with -Xmx256m, timed from launch to exit")
                .append(" like (c), with nothing else: no Camel, no commits, no metadata, no checks.\n");
        s.append("CPU µs / record: CPU time of (a)'s and (b)'s thread, and of (c)'s whole process (JVM start, Camel, GC included)")
                .append(" — less sensitive than records/s to other load on the machine.\n");
        return s.toString();
    }

    private static String cpuModel() throws IOException {
        return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
    }

    private static long memTotalGb() throws IOException {
        return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024 / 1024).findFirst().orElse(0L);
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
