package org.cameldatalake.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How long the commands that need no routes take from launch to exit ({@code java -jar target/camel-datalake.jar …},
 * as a user runs them): {@code feeds list}, {@code feeds validate}, {@code report}, {@code report --html} and
 * {@code doctor}, five runs each, against a lake and a broker; then the same with a class-data-sharing archive made by
 * one {@code doctor} run ({@code -XX:ArchiveClassesAtExit}, then {@code -XX:SharedArchiveFile}).
 */
final class StartupBenchmark {
    private static final int RUNS = 5;
    private static final List<List<String>> COMMANDS = List.of(List.of("feeds", "list"), List.of("feeds", "validate"),
            List.of("report"), List.of("report", "--html", "report.html"), List.of("doctor"));

    private StartupBenchmark() {
    }

    /** The markdown section: each command's median and range of {@link #RUNS} runs, without and with the archive. */
    static String measure(Path serviceDir, String brokers, int rows) throws Exception {
        Path archive = serviceDir.resolve("camel-datalake.jsa");
        List<String> settings = List.of("-Ddatalake.root=" + serviceDir.resolve("data_lake"),
                "-Ddatalake.feeds.dir=" + serviceDir.resolve("feeds"), "-Dcamel.component.kafka.brokers=" + brokers);
        run(serviceDir, List.of("-XX:ArchiveClassesAtExit=" + archive), settings, List.of("doctor"));
        StringBuilder s = new StringBuilder("\n## Start-up of the commands that need no routes\n\n");
        s.append("`java -jar target/camel-datalake.jar <command>` from launch to exit, ").append(RUNS)
                .append(String.format(Locale.ROOT, " runs each, against the first race's lake (one feed, %,d rows) and the broker; median (min–max).", rows))
                .append(" With the archive: `-XX:SharedArchiveFile` of an archive made by one `doctor` run")
                .append(" (`-XX:ArchiveClassesAtExit`).\n\n| command | seconds | with the CDS archive | target |\n|---|---:|---:|---|\n");
        for (List<String> command : COMMANDS) {
            double[] plain = times(serviceDir, List.of(), settings, command);
            double[] shared = times(serviceDir, List.of("-XX:SharedArchiveFile=" + archive), settings, command);
            String line = String.format(Locale.ROOT, "| `%s` | %s | %s | < 1.5 s %s |%n", String.join(" ", command), summary(plain),
                    summary(shared), plain[RUNS / 2] < 1.5 ? "✓" : shared[RUNS / 2] < 1.5 ? "✓ with the archive" : "✗");
            System.out.print(line);
            s.append(line);
        }
        return s.toString();
    }

    private static double[] times(Path dir, List<String> jvm, List<String> settings, List<String> command) throws Exception {
        double[] t = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            t[i] = run(dir, jvm, settings, command);
        }
        Arrays.sort(t);
        return t;
    }

    private static String summary(double[] sorted) {
        return String.format(Locale.ROOT, "%.2f (%.2f–%.2f)", sorted[RUNS / 2], sorted[0], sorted[RUNS - 1]);
    }

    /** Seconds from launch to exit; a command that fails stops the benchmark with its output. */
    private static double run(Path dir, List<String> jvm, List<String> settings, List<String> command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(LaunchedRun.javaBin()));
        cmd.addAll(jvm);
        cmd.addAll(settings);
        cmd.addAll(List.of("-jar", Path.of("target/camel-datalake.jar").toAbsolutePath().toString()));
        cmd.addAll(command);
        Path log = dir.resolve("startup.log");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int exit = p.waitFor();
        double seconds = LaunchedRun.secs(t0);
        if (exit != 0) {
            throw new IllegalStateException(cmd + " exited with " + exit + ":\n" + Files.readString(log));
        }
        return seconds;
    }
}
