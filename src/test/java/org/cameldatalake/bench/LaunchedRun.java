package org.cameldatalake.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A process launched like the service (its own JVM), watched from its launch until the commits of its consumer
 * groups reach the end of their topics: how long, how much CPU (user + system, JVM start, JIT and GC included),
 * peak RSS, and when 10 % and 90 % of the records were committed (the steady state, without start or tail).
 */
final class LaunchedRun {
    /**
     * seconds and the at* figures from launch; cpuSeconds of the whole process; {@code failure}: null, or why the
     * process ended before its commits reached the end (then the figures are not a result, and {@code committed90}
     * holds what it had committed).
     */
    record Outcome(long records, double seconds, double cpuSeconds, long peakRssMb, long peakHeapMb, double atFirst,
                   double at10, double at90, long committed10, long committed90, String cpuByThread, String failure) {
        boolean failed() {
            return failure != null;
        }

        double rps() {
            return records / seconds;
        }

        double steadyRps() {
            return at90 > at10 && at10 >= 0 ? (committed90 - committed10) / (at90 - at10) : 0;
        }

        double cpuMicrosPerRecord() {
            return cpuSeconds * 1e6 / records;
        }

        @Override
        public String toString() {
            if (failed()) {
                return String.format(Locale.ROOT, "FAILED after %.1f s (%,d of %,d records committed, peak RSS %d MB): %s", seconds,
                        committed90, records, peakRssMb, failure);
            }
            return String.format(Locale.ROOT, "%,d records in %.2f s = %,.0f records/s, %.1f CPU s (%.1f µs/record), peak RSS %d MB;"
                    + " first commit at %.1f s, 10 %% at %.1f s, 90 %% at %.1f s; 10–90 %%: %,.0f records/s",
                    records, seconds, rps(), cpuSeconds, cpuMicrosPerRecord(), peakRssMb, atFirst, at10, at90, steadyRps());
        }
    }

    private LaunchedRun() {
    }

    /**
     * Starts {@code cmd} in {@code dir} (output to {@code log}) and watches it until every group of {@code groups}
     * (group → its topics) has committed up to the end of its topics; then stops it. {@code heapMb}, when not null,
     * is asked the process's heap in use about once a second.
     */
    static Outcome run(List<String> cmd, Path dir, Path log, String brokers, Map<String, List<String>> groups,
                       LongSupplier heapMb) throws Exception {
        Properties ap = new Properties();
        ap.put("bootstrap.servers", brokers);
        try (Admin admin = Admin.create(ap)) {
            Map<TopicPartition, Long> end = new HashMap<>();
            for (String topic : groups.values().stream().flatMap(List::stream).distinct().toList()) {
                Map<TopicPartition, OffsetSpec> q = new HashMap<>();
                admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                        .forEach(p -> q.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
                admin.listOffsets(q).all().get().forEach((tp, o) -> end.put(tp, o.offset()));
            }
            long n = end.values().stream().mapToLong(Long::longValue).sum();
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long peakRss = 0;
            long peakHeap = 0;
            int polls = 0;
            double atFirst = -1;
            double at10 = -1;
            double at90 = -1;
            long committed10 = 0;
            long committed90 = 0;
            long lastCommitted = 0;
            try {
                while (true) {
                    if (!p.isAlive()) { // e.g. out of memory: a result too
                        return new Outcome(n, secs(t0), 0, peakRss, peakHeap, atFirst, at10, at90, committed10, lastCommitted,
                                "", "exit " + p.exitValue() + ", " + firstError(log));
                    }
                    peakRss = Math.max(peakRss, rssMb(p.pid()));
                    if (heapMb != null && ++polls % 5 == 0) { // a scrape costs the process CPU: once a second
                        peakHeap = Math.max(peakHeap, heapMb.getAsLong());
                    }
                    long committed = 0;
                    boolean done = true;
                    for (Map.Entry<String, List<String>> g : groups.entrySet()) {
                        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(g.getKey())
                                .partitionsToOffsetAndMetadata().get();
                        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
                            if (!g.getValue().contains(e.getKey().topic())) {
                                continue;
                            }
                            OffsetAndMetadata o = offsets.get(e.getKey());
                            committed += o == null ? 0 : o.offset();
                            done &= o != null && o.offset() >= e.getValue();
                        }
                    }
                    double now = secs(t0);
                    lastCommitted = committed;
                    if (atFirst < 0 && committed > 0) {
                        atFirst = now;
                    }
                    if (at10 < 0 && committed >= n / 10) {
                        at10 = now;
                        committed10 = committed;
                    }
                    if (at90 < 0 && committed >= n * 9 / 10) {
                        at90 = now;
                        committed90 = committed;
                    }
                    if (done) {
                        double cpu = processCpuSeconds(p.pid());
                        return new Outcome(n, now, cpu, peakRss, peakHeap, atFirst, at10, at90, committed10, committed90,
                                cpuByThread(p.pid()), null);
                    }
                    if (now > 1800) {
                        throw new IllegalStateException("not done after 30 minutes; see " + log);
                    }
                    Thread.sleep(200); // polling interval of a measurement loop, not a synchronisation
                }
            } finally {
                p.destroy();
                p.waitFor();
            }
        }
    }

    /** The log's first line naming an error or exception (e.g. {@code java.lang.OutOfMemoryError: Java heap space}). */
    private static String firstError(Path log) {
        try (var lines = Files.lines(log)) {
            return lines.filter(l -> l.matches(".*(Error|Exception)\\b.*") && !l.startsWith("\tat ")).findFirst()
                    .map(String::trim).orElse("see " + log);
        } catch (IOException | java.io.UncheckedIOException e) {
            return "see " + log;
        }
    }

    static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** user + system CPU time of a process so far (/proc/PID/stat, in clock ticks of 1/100 s). */
    static double processCpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // fields 14 and 15 of proc(5)
    }

    /** Where the CPU went, by thread name as the kernel knows it (15 characters: JIT, GC, consumer…) and Camel's. */
    private static String cpuByThread(long pid) throws IOException {
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
        return top("CPU s by thread:", byName, 12) + "\n" + camelThreadCpu(pid);
    }

    /** The kernel's 15 characters cannot tell Camel's threads apart; the JVM's thread dump (cpu=…ms) can. */
    private static String camelThreadCpu(long pid) {
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
            return byName.isEmpty() ? "" : top("CPU s by Camel thread:", byName, 8);
        } catch (IOException | InterruptedException e) {
            return "no thread dump: " + e;
        }
    }

    private static String top(String title, Map<String, Double> byName, int limit) {
        StringBuilder s = new StringBuilder(title);
        byName.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(limit)
                .forEach(e -> s.append(String.format(Locale.ROOT, " [%s] %.1f", e.getKey(), e.getValue())));
        return s.toString();
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

    static String javaBin() {
        return Objects.requireNonNull(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
