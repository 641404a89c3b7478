package org.cameldatalake.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One local HTML file opened in headless Chromium, driven over the Chrome DevTools Protocol (a WebSocket, no extra
 * dependency): what went wrong while it loaded ({@link #problems()}), every URL it requested ({@link #requests()}),
 * JavaScript evaluated in it ({@link #evaluate}) and a full-page PNG ({@link #screenshot}). Every wait has a time-out;
 * {@link #close()} kills the browser and deletes its profile.
 */
public final class HeadlessChromium implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern DEVTOOLS_URL = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int VIEWPORT_WIDTH = 1280;

    private final Path profile;
    private final Process browser;
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> replies = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> loads = new ConcurrentHashMap<>(); // by loaderId
    private final Map<String, String> requestUrls = new ConcurrentHashMap<>();            // by requestId
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private WebSocket socket;
    private String session;

    private HeadlessChromium() throws IOException {
        String binary = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
        if (!Files.isExecutable(Path.of(binary))) {
            throw new IllegalStateException(binary + " not found: apt-get install chromium (or set CHROMIUM)");
        }
        profile = Files.createTempDirectory("chromium-profile");
        browser = new ProcessBuilder(binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                "--mute-audio", "--user-data-dir=" + profile, "--remote-debugging-port=0", "about:blank")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Opens {@code html} in a fresh browser and returns once the page's load event has fired. */
    public static HeadlessChromium open(Path html) throws Exception {
        HeadlessChromium chromium = new HeadlessChromium();
        try {
            chromium.connect(chromium.devToolsUrl());
            chromium.load(html.toAbsolutePath().toUri().toString());
            return chromium;
        } catch (Exception | Error e) {
            chromium.close();
            throw e;
        }
    }

    /** Console errors, uncaught exceptions, browser log errors, failed requests and dialogs (alert etc.), as text. */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** Every URL the page requested, the page itself first. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    /** The value of a JavaScript expression (promises awaited), as JSON; throws if it threw. */
    public JsonNode evaluate(String expression) throws Exception {
        JsonNode result = command("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true,
                "awaitPromise", true));
        if (result.has("exceptionDetails")) {
            throw new IllegalStateException("evaluating " + expression + " threw " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /** The whole page, not just the viewport. */
    public void screenshot(Path png) throws Exception {
        JsonNode size = command("Page.getLayoutMetrics", Map.of()).path("cssContentSize");
        JsonNode shot = command("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true,
                "clip", Map.of("x", 0, "y", 0, "width", Math.max(VIEWPORT_WIDTH, size.path("width").asDouble()),
                        "height", size.path("height").asDouble(), "scale", 1)));
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.write(png, Base64.getDecoder().decode(shot.path("data").asText()));
    }

    private String devToolsUrl() throws Exception {
        CompletableFuture<String> url = new CompletableFuture<>();
        Thread drain = new Thread(() -> {
            try (BufferedReader err = new BufferedReader(
                    new InputStreamReader(browser.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = err.readLine()) != null; ) {
                    synchronized (stderrTail) {
                        stderrTail.addLast(line);
                        if (stderrTail.size() > 40) {
                            stderrTail.removeFirst();
                        }
                    }
                    Matcher m = DEVTOOLS_URL.matcher(line);
                    if (m.find()) {
                        url.complete(m.group(1));
                    }
                }
            } catch (IOException ignored) {
                // the browser went away; close() or the time-outs below report it
            }
            url.completeExceptionally(new IllegalStateException("chromium exited before listening: " + stderr()));
        }, "chromium-stderr");
        drain.setDaemon(true);
        drain.start();
        return await(url, "the DevTools URL");
    }

    private void connect(String browserUrl) throws Exception {
        socket = await(HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(TIMEOUT)
                .buildAsync(URI.create(browserUrl), new Listener()), "the DevTools connection");
        String target = command("Target.createTarget", Map.of("url", "about:blank")).path("targetId").asText();
        session = command("Target.attachToTarget", Map.of("targetId", target, "flatten", true))
                .path("sessionId").asText();
        for (String domain : List.of("Page", "Runtime", "Log", "Network")) {
            command(domain + ".enable", Map.of());
        }
        command("Page.setLifecycleEventsEnabled", Map.of("enabled", true));
        command("Emulation.setDeviceMetricsOverride", Map.of("width", VIEWPORT_WIDTH, "height", 900,
                "deviceScaleFactor", 1, "mobile", false));
    }

    private void load(String url) throws Exception {
        JsonNode navigation = command("Page.navigate", Map.of("url", url));
        if (navigation.hasNonNull("errorText")) {
            throw new IllegalStateException("cannot open " + url + ": " + navigation.get("errorText").asText());
        }
        await(loaded(navigation.path("loaderId").asText()), "the load event of " + url);
    }

    /** The event may come before or after the navigation's reply, hence a future per loader either side can create. */
    private CompletableFuture<Void> loaded(String loaderId) {
        return loads.computeIfAbsent(loaderId, id -> new CompletableFuture<>());
    }

    private JsonNode command(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", JSON.valueToTree(params));
        if (session != null) {
            message.put("sessionId", session);
        }
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        replies.put(id, reply);
        send(message.toString());
        return await(reply, "the reply to " + method);
    }

    private void send(String message) throws Exception {
        synchronized (this) { // a WebSocket takes one outstanding send at a time
            await(socket.sendText(message, true), "sending to chromium");
        }
    }

    private void onMessage(JsonNode message) {
        if (message.has("id")) {
            CompletableFuture<JsonNode> reply = replies.remove(message.get("id").asInt());
            if (reply != null && message.has("error")) {
                reply.completeExceptionally(new IllegalStateException("chromium: " + message.get("error")));
            } else if (reply != null) {
                reply.complete(message.path("result"));
            }
            return;
        }
        JsonNode p = message.path("params");
        switch (message.path("method").asText()) {
            case "Page.lifecycleEvent" -> {
                if ("load".equals(p.path("name").asText())) {
                    loaded(p.path("loaderId").asText()).complete(null);
                }
            }
            case "Runtime.consoleAPICalled" -> {
                if (Stream.of("error", "assert").anyMatch(p.path("type").asText()::equals)) {
                    problems.add("console." + p.path("type").asText() + ": " + p.path("args").findValuesAsText("value")
                            + p.path("args").findValuesAsText("description"));
                }
            }
            case "Runtime.exceptionThrown" -> {
                JsonNode details = p.path("exceptionDetails");
                String text = details.path("text").asText();
                problems.add("uncaught: " + details.path("exception").path("description").asText(text));
            }
            case "Log.entryAdded" -> {
                if ("error".equals(p.path("entry").path("level").asText())) {
                    JsonNode entry = p.path("entry");
                    problems.add("log: " + entry.path("text").asText() + " " + entry.path("url").asText(""));
                }
            }
            case "Network.requestWillBeSent" -> {
                requestUrls.put(p.path("requestId").asText(), p.path("request").path("url").asText());
                requests.add(p.path("request").path("url").asText());
            }
            case "Network.loadingFailed" -> problems.add("request failed: "
                    + requestUrls.get(p.path("requestId").asText()) + " " + p.path("errorText").asText());
            case "Page.javascriptDialogOpening" -> {
                problems.add("dialog: " + p.path("type").asText() + " " + p.path("message").asText());
                // answered off the WebSocket's thread, or the page stays blocked on the dialog
                CompletableFuture.runAsync(() -> {
                    try {
                        command("Page.handleJavaScriptDialog", Map.of("accept", false));
                    } catch (Exception e) {
                        problems.add("could not dismiss the dialog: " + e);
                    }
                });
            }
            default -> {
            }
        }
    }

    private <T> T await(CompletionStage<T> stage, String what) throws Exception {
        try {
            return stage.toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no " + what + " within " + TIMEOUT + "; chromium said: " + stderr(), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("failed waiting for " + what + ": " + e.getCause().getMessage(),
                    e.getCause());
        }
    }

    private String stderr() {
        synchronized (stderrTail) {
            return String.join("\n", stderrTail);
        }
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            socket.abort();
        }
        List<ProcessHandle> processes = Stream.concat(browser.descendants(), Stream.of(browser.toHandle())).toList();
        processes.forEach(ProcessHandle::destroy);
        for (ProcessHandle process : processes) {
            try {
                process.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception stillRunning) {
                process.destroyForcibly();
            }
        }
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    onMessage(JSON.readTree(text));
                } catch (IOException e) {
                    problems.add("unreadable DevTools message: " + e.getMessage());
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            replies.values().forEach(r -> r.completeExceptionally(error));
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            IllegalStateException closed = new IllegalStateException("DevTools closed: " + reason);
            replies.values().forEach(r -> r.completeExceptionally(closed));
            return null;
        }
    }
}
