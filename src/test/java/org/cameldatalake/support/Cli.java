package org.cameldatalake.support;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.cameldatalake.DatalakeApp;

/** Runs the real command line ({@code java … DatalakeApp <args>}) in its own JVM, as a user would. */
public final class Cli {
    public record Result(int exit, List<String> out, List<String> err) {
    }

    private Cli() {
    }

    public static Result run(Path workDir, Map<String, String> settings, String... args) throws Exception {
        return run(workDir, settings, Map.of(), args);
    }

    /** With environment variables too (Camel main maps DATALAKE_ROOT to datalake.root, and so on). */
    public static Result run(Path workDir, Map<String, String> settings, Map<String, String> env, String... args)
            throws Exception {
        return run(workDir, List.of(), 90, settings, env, args);
    }

    /** As {@link #run(Path, Map, Map, String...)}; a command that has not ended {@code within} fails the test. */
    public static Result run(Duration within, Path workDir, Map<String, String> settings, Map<String, String> env,
                             String... args) throws Exception {
        return run(workDir, List.of(), within.toSeconds(), settings, env, args);
    }

    /** With options for the command's JVM, e.g. {@code -Xmx256m}, and how long it may take. */
    public static Result run(Path workDir, List<String> jvmOptions, long timeoutSeconds, Map<String, String> settings,
                             Map<String, String> env, String... args) throws Exception {
        List<String> cmd = command(jvmOptions, settings, args);
        Path out = Files.createTempFile(workDir, "cli", ".out");
        Path err = Files.createTempFile(workDir, "cli", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            List<String> o = Files.readAllLines(err, StandardCharsets.UTF_8); // the log
            throw new IllegalStateException("the command " + List.of(args) + " did not end within " + timeoutSeconds
                    + " s; its log ends with:\n"
                    + String.join("\n", o.subList(Math.max(0, o.size() - 15), o.size())));
        }
        return new Result(p.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8), Files.readAllLines(err, StandardCharsets.UTF_8));
    }

    /** {@code java <jvmOptions> -cp … -D<settings> DatalakeApp <args>}: the command line in a JVM of its own. */
    public static List<String> command(List<String> jvmOptions, Map<String, String> settings, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        settings.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add(DatalakeApp.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * The service ({@code run}) in a JVM of its own, its log in {@code log}: a child a test may kill with SIGKILL.
     * Tiered compilation stops at C1: it starts in about half the time on 2 busy cores, and start-up dominates a run.
     */
    public static Process start(Map<String, String> settings, Path log) throws java.io.IOException {
        return new ProcessBuilder(command(List.of("-Xmx512m", "-XX:TieredStopAtLevel=1"), settings, "run"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
