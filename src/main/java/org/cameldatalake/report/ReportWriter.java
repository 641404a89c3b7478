package org.cameldatalake.report;

import org.cameldatalake.partition.LakeLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.cameldatalake.storage.Storage;

/**
 * The scheduled report (route {@code maintenance-reports}): {@code reports/report-<date>.json} and {@code .html} in
 * the lake, each replaced atomically, so a day's files always hold that day's latest run.
 */
public final class ReportWriter {
    private final Storage storage;
    private final java.nio.file.Path feedsDir;
    private final Clock clock;
    private final ZoneId zone;

    public ReportWriter(Storage storage, java.nio.file.Path feedsDir, Clock clock, ZoneId zone) {
        this.storage = storage;
        this.feedsDir = feedsDir;
        this.clock = clock;
        this.zone = zone;
    }

    public LakeReport build() throws IOException {
        return LakeReports.build(storage, feedsDir, clock);
    }

    /** Writes today's report files and returns their paths relative to the lake root. */
    public List<String> writeDaily() throws IOException {
        LakeReport report = build();
        String base = "report-" + LocalDate.now(clock.withZone(zone));
        Path json = new LakeLayout(storage).report(base + ".json");
        Path html = new LakeLayout(storage).report(base + ".html");
        storage.replace(json, ReportFormats.json(report).getBytes(StandardCharsets.UTF_8));
        storage.replace(html, ReportHtml.render(report).getBytes(StandardCharsets.UTF_8));
        return List.of(storage.relative(json), storage.relative(html));
    }
}
