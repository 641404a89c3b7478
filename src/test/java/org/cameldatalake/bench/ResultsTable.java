package org.cameldatalake.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** bench/RESULTS.md from one run of {@link ThroughputBenchmark}: the races side by side, the targets, the raw measures. */
final class ResultsTable {
    private ResultsTable() {
    }

    /** {@code a}, {@code b}: the raw measures from launch; {@code others}: more measures, one row each, after them. */
    static String markdown(int n, long jsonBytes, ThroughputBenchmark.Result a, ThroughputBenchmark.Result b,
                           List<ThroughputBenchmark.Result> others, ThroughputBenchmark.Race main, LaunchedRun.Outcome withArchive,
                           long parquetBytes, double snapshot,
                           List<ThroughputBenchmark.Race> wider) throws IOException {
        StringBuilder s = new StringBuilder();
        s.append("# Benchmark results\n\n");
        s.append("Run on ").append(LocalDate.now(ZoneOffset.UTC)).append(" by `bench/run.sh ").append(n).append("`; machine: ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(memTotalGb()).append(" GiB RAM, ").append(cpuModel()).append(", Java ").append(Runtime.version())
                .append(".\n\n");
        s.append(String.format(Locale.ROOT, "%,d seed-004 transactions per run (%,.1f MB of JSON in the first). Every process below"
                + " is a fresh JVM with -Xmx256m, timed from its launch until its consumer group's committed offsets reach the end"
                + " of its topics; CPU s is the process's user + system time (/proc/PID/stat), JVM start, JIT and GC included.%n%n",
                n, jsonBytes / 1e6));

        s.append("## camel-datalake against a hand-written one-thread peer\n\n");
        s.append("| run | process | records/s | s | CPU s | CPU µs / record | 10–90 % committed, records/s | first commit at s"
                + " | peak RSS / heap MB | service / peer |\n|---|---|---:|---:|---:|---:|---:|---:|---|---:|\n");
        List<ThroughputBenchmark.Race> races = new ArrayList<>(List.of(main));
        races.addAll(wider);
        for (ThroughputBenchmark.Race r : races) {
            boolean both = !r.service().failed() && !r.peer().failed();
            s.append(row(r.what(), "camel-datalake (jar)", r.service(), true,
                    both ? String.format(Locale.ROOT, "**%.2f ×**", r.service().rps() / r.peer().rps()) : ""));
            if (r == main) {
                s.append(row("", "camel-datalake (jar) with the CDS archive for `run`", withArchive, true,
                        withArchive.failed() || r.peer().failed() ? "" : String.format(Locale.ROOT, "**%.2f ×**",
                                withArchive.rps() / r.peer().rps())));
            }
            s.append(row("", "hand-written peer", r.peer(), false, ""));
            s.append("| | ").append(r.sameRows()).append(" | | | | | | | | |\n");
        }

        ThroughputBenchmark.Result limit = a.rps() < b.rps() ? a : b;
        LaunchedRun.Outcome c = main.service();
        LaunchedRun.Outcome p = main.peer();
        s.append("\n## Targets (").append(main.what()).append(")\n\n| target | figure | met |\n|---|---:|---|\n");
        target(s, "service ≥ 1.0 × the peer, from launch", c.rps() / p.rps(), 1.0, "×");
        target(s, "service ≥ 0.8 × min(raw consume, raw write)", c.rps() / limit.rps(), 0.8, "× min(a, b)");
        if (!withArchive.failed()) {
            target(s, "the same, the service with the CDS archive for `run`", withArchive.rps() / limit.rps(), 0.8, "× min(a, b)");
        }
        target(s, "service between 10 % and 90 % committed ≥ 1.3 × the peer (the peer from launch)", c.steadyRps() / p.rps(), 1.3,
                "×");
        s.append(String.format(Locale.ROOT, "| the same, against the peer's own 10–90 %% rate | %.2f × | |%n", c.steadyRps() / p.steadyRps()));
        s.append(String.format(Locale.ROOT, "| CPU per record ≤ the peer's | %.1f vs %.1f µs | %s |%n", c.cpuMicrosPerRecord(),
                p.cpuMicrosPerRecord(), c.cpuMicrosPerRecord() <= p.cpuMicrosPerRecord() ? "✓" : "✗"));

        s.append("\n## Raw measures and the rest\n\n");
        s.append("| measure | records/s | MB/s (JSON) | seconds | CPU µs / record | target |\n|---|---:|---:|---:|---:|---|\n");
        List<ThroughputBenchmark.Result> measures = new ArrayList<>(List.of(a, b));
        measures.addAll(others);
        for (ThroughputBenchmark.Result r : measures) {
            if (Double.isNaN(r.seconds())) {
                s.append("| ").append(r.what()).append(" | | | | | |\n");
                continue;
            }
            s.append(String.format(Locale.ROOT, "| %s | %,.0f | %.1f | %.2f | %.1f | |%n", r.what(), r.rps(), r.mbps(), r.seconds(),
                    r.cpuSeconds() * 1e6 / r.records()));
        }
        s.append(String.format(Locale.ROOT, "| (d) peak RSS / peak heap of (c) | %d MB / %d MB | | | | completes within -Xmx256m ✓ |%n",
                c.peakRssMb(), c.peakHeapMb()));
        double parquetShare = (double) parquetBytes / jsonBytes;
        s.append(String.format(Locale.ROOT, "| (e) Parquet bytes / JSON bytes | %.1f %% (%,.1f MB) | | | | ≤ 15 %% %s |%n",
                parquetShare * 100, parquetBytes / 1e6, parquetShare <= 0.15 ? "✓" : "✗"));
        s.append(String.format(Locale.ROOT, "| (f) 100,000-row ksqlDB snapshot (emulator) | | | %.2f | | < 2 s %s |%n",
                snapshot, snapshot < 2 ? "✓" : "✗"));
        s.append("\n(a) and (b) from launch are processes of their own (`RawMeasures`), launched like the service (fresh JVM,")
                .append(" -Xmx256m) and timed from launch to exit, so that they pay the JVM start and JIT the service pays; each ran")
                .append(" before and after the first race, since the machine's speed drifts, and their rows count both runs; CPU:")
                .append(" the process's. (a) reads the topic with a plain KafkaConsumer and parses every value with Jackson; (b) reads")
                .append(" the records already converted to Avro (an Avro file the benchmark wrote beforehand) and writes them with")
                .append(" parquet-avro. The targets' min(a, b) is of these. The warm rows are the same loops inside the benchmark's")
                .append(" JVM, run once; warm (b) times only Avro conversion and Parquet writing of records already parsed; CPU:")
                .append(" their thread's.\n");
        s.append("The bare pipeline chains (a)'s and (b)'s loops on two threads in a fresh JVM with -Xmx256m, timed from launch")
                .append(" to exit, with nothing else: no Camel, no commits, no metadata, no checks.\n");
        s.append("The hand-written peer (`HandWrittenPeer`) consumes in a group on one thread, parses with Jackson, converts to")
                .append(" Avro and writes parquet-avro (snappy) files per topic, partition and day, renames them into place and")
                .append(" commits what they hold (`commitSync`) at 100,000 records, 5 s, or when a poll comes back empty.")
                .append(" The service runs with `max-age=5s` and `max-idle=1s` to match.\n");
        return s.toString();
    }

    private static String row(String run, String process, LaunchedRun.Outcome o, boolean heap, String ratio) {
        if (o.failed()) {
            return String.format(Locale.ROOT, "| %s | %s | **failed** after %.1f s, %,d of %,d records committed: %s | | | | | | %d / – | |%n",
                    run, process, o.seconds(), o.committed90(), o.records(), o.failure(), o.peakRssMb());
        }
        return String.format(Locale.ROOT, "| %s | %s | %,.0f | %.1f | %.1f | %.1f | %,.0f | %.1f | %s | %s |%n", run, process, o.rps(),
                o.seconds(), o.cpuSeconds(), o.cpuMicrosPerRecord(), o.steadyRps(), o.atFirst(),
                heap ? o.peakRssMb() + " / " + o.peakHeapMb() : o.peakRssMb() + " / –", ratio);
    }

    private static void target(StringBuilder s, String what, double figure, double goal, String unit) {
        s.append(String.format(Locale.ROOT, "| %s | %.2f %s | %s |%n", what, figure, unit, figure >= goal ? "✓" : "✗"));
    }

    private static String cpuModel() throws IOException {
        return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
    }

    private static long memTotalGb() throws IOException {
        return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024 / 1024).findFirst().orElse(0L);
    }
}
