package org.cameldatalake.cli;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.cameldatalake.runtime.ExportProgress;
import org.junit.jupiter.api.Test;

class ProgressPrinterTest {
    @Test
    void onATerminalOneLineIsRedrawnInPlaceAndTheLastStays() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        ExportProgress progress = new ExportProgress();
        AtomicLong done = new AtomicLong();
        progress.track(done::get, 10_000);
        try (ProgressPrinter printer = new ProgressPrinter("tx", progress, out, ProgressPrinter.Mode.TERMINAL, Duration.ofSeconds(5))) {
            done.set(2_500);
            await().atMost(5, SECONDS).until(() -> bytes.toString(StandardCharsets.UTF_8).contains("2,500 of 10,000 records (25%)"));
            done.set(10_000);
            await().atMost(5, SECONDS).until(() -> bytes.toString(StandardCharsets.UTF_8).contains("10,000 of 10,000"));
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).startsWith("\r").endsWith("\n");
        assertThat(text.indexOf('\n')).as("no new line until the end").isEqualTo(text.length() - 1);
        String[] draws = text.split("\r");
        assertThat(draws).anyMatch(d -> d.matches("tx: 2,500 of 10,000 records \\(25%\\), [\\d,]+ records/s, ETA \\d+[hms].*"));
        assertThat(draws[draws.length - 1]).matches("tx: 10,000 of 10,000 records \\(100%\\), [\\d,]+ records/s, \\d+\\.\\d s\\s*\n");
    }

    @Test
    void withoutATotalThereIsNoEta() {
        ExportProgress progress = new ExportProgress();
        progress.track(() -> 1_234, ExportProgress.UNKNOWN);
        ProgressPrinter printer = new ProgressPrinter("table", progress, System.err, ProgressPrinter.Mode.OFF, Duration.ofSeconds(1));
        assertThat(printer.line(false)).matches("table: 1,234 records, [\\d,]+ records/s");
    }
}
