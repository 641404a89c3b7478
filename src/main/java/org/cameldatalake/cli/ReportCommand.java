package org.cameldatalake.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cameldatalake.report.LakeReport;
import org.cameldatalake.report.ReportFormats;
import org.cameldatalake.report.ReportHtml;
import org.cameldatalake.report.ReportWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "report", description = {"What the lake holds, per feed, from _metadata.json and the files (the seed's metadata_utils.py).",
        "With no option: --stats. Options combine (e.g. --stats --html report.html)."})
public final class ReportCommand implements Callable<Integer> {
    @Option(names = "--stats", description = "a console table: type, records, size, partitions or versions, last export, rejected")
    boolean stats;
    @Option(names = "--json", description = "the whole report as JSON on standard output")
    boolean json;
    @Option(names = "--csv", paramLabel = "FILE", description = "one row per stream partition or table version")
    Path csv;
    @Option(names = "--html", paramLabel = "FILE", description = "one self-contained page with charts (no network needed)")
    Path html;

    @Override
    public Integer call() throws Exception {
        LakeReport report;
        try (CliLake lake = CliLake.open()) {
            report = new ReportWriter(lake.storage(), lake.settings().feedsDir(), java.time.Clock.systemUTC(),
                    lake.settings().zone()).build();
        }
        if (!json && csv == null && html == null) {
            stats = true;
        }
        if (stats) {
            System.out.print(ReportFormats.stats(report));
        }
        if (json) {
            System.out.print(ReportFormats.json(report));
        }
        if (csv != null) {
            write(csv, ReportFormats.csv(report));
        }
        if (html != null) {
            write(html, ReportHtml.render(report));
        }
        return 0;
    }

    private static void write(Path file, String content) throws java.io.IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, "." + file.getFileName(), ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        System.err.println("wrote " + file);
    }
}
