package org.cameldatalake.support;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cameldatalake.DatalakeApp;

/**
 * The service ({@code DatalakeApp run}, the real main class) in a JVM of its own, with a {@link Service}'s settings as
 * {@code -D} options, its log in {@code target/<folder>/<name>.log}: a test can kill it (SIGKILL), freeze and resume
 * it (SIGSTOP, SIGCONT) or stop it as an operator would (SIGTERM), and read its log.
 */
public final class ServiceProcess {
    private final String name;
    private final Process process;
    private final Path log;
    private final long startNanos = System.nanoTime();
    private long endNanos;

    private ServiceProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code service}'s settings, overridden by {@code overrides}, in a JVM logging to target/{@code folder}/{@code name}.log. */
    public static ServiceProcess start(Service service, Map<String, String> overrides, String folder, String name)
            throws IOException {
        Map<String, String> settings = new HashMap<>(service.settings());
        settings.putAll(overrides);
        Path log = Files.createDirectories(Path.of("target", folder)).resolve(name + ".log");
        Process p = Cli.start(settings, log);
        return new ServiceProcess(name, p, log);
    }

    public static ServiceProcess start(Service service, String folder, String name) throws IOException {
        return start(service, Map.of(), folder, name);
    }

    public String name() {
        return name;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Ended without being killed or stopped by the test: it failed to start or crashed. */
    public boolean exitedByItself() {
        return !process.isAlive() && endNanos == 0;
    }

    /** SIGKILL: no shutdown hook, no flush, no commit. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        endNanos = System.nanoTime();
        assertThat(process.waitFor(30, SECONDS)).as(name + " killed").isTrue();
    }

    /** SIGTERM, as an operator stops the service: it publishes what it holds and commits; fails if it takes too long. */
    public void stop() throws InterruptedException {
        process.destroy();
        boolean ended = process.waitFor(60, SECONDS);
        endNanos = System.nanoTime();
        if (!ended) {
            process.destroyForcibly();
        }
        assertThat(ended).as(name + " stopped within 60 s; its log ends with:\n" + logTail(30)).isTrue();
    }

    /** SIGSTOP / SIGCONT: the whole JVM freezes, as in a long GC pause or a throttled container, and goes on. */
    public void signal(String signal) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).start().waitFor()).isZero();
    }

    /** Seconds from its start to its kill or stop. */
    public double uptimeSeconds() {
        return (endNanos - startNanos) / 1e9;
    }

    public List<String> logLines() {
        try {
            return new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList(); // a line may be half written
        } catch (IOException e) {
            return List.of(e.toString());
        }
    }

    public boolean logContains(String text) {
        return logLines().stream().anyMatch(l -> l.contains(text));
    }

    public String logTail(int lines) {
        List<String> all = logLines();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", log " + log + ")";
    }
}
