package org.cameldatalake.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The text forms of a {@link LakeReport}: JSON, CSV (one row per partition or version) and the console table. */
public final class ReportFormats {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.ALWAYS)
            .enable(SerializationFeature.INDENT_OUTPUT);
    static final String CSV_HEADER = "feed,type,state,partition,date,version,current,records,size_bytes,files,last_export,"
            + "rejected_records,quality_rejected";

    private ReportFormats() {
    }

    public static String json(LakeReport report) throws IOException {
        return JSON.writeValueAsString(report) + "\n";
    }

    /**
     * One row per stream partition or table version (so that a spreadsheet can sum records per feed or per day);
     * a feed that has landed nothing yet has one row with 0 records. Feed-level columns repeat on every row.
     */
    public static String csv(LakeReport report) {
        StringBuilder b = new StringBuilder(CSV_HEADER).append('\n');
        for (LakeReport.Feed f : report.feeds()) {
            if (f.isTable()) {
                for (LakeReport.Version v : f.versions()) {
                    row(b, f, v.path(), v.created() == null ? "" : v.created().substring(0, Math.min(10, v.created().length())),
                            String.valueOf(v.version()), String.valueOf(v.current()), v.records(), v.sizeBytes(), 1);
                }
            } else {
                for (LakeReport.Partition p : f.partitions()) {
                    row(b, f, p.path(), p.date(), "", "", p.records(), p.sizeBytes(), p.files());
                }
            }
            if (f.units() == 0) {
                row(b, f, "", "", "", "", 0, 0, 0);
            }
        }
        return b.toString();
    }

    private static void row(StringBuilder b, LakeReport.Feed f, String partition, String date, String version, String current,
                            long records, long bytes, long files) {
        List<String> cells = List.of(f.feed(), f.type(), f.state(), partition, nz(date), version, current,
                String.valueOf(records), String.valueOf(bytes), String.valueOf(files), nz(f.lastExport()),
                String.valueOf(f.rejectedRecords()), quality(f, "=", ";"));
        b.append(String.join(",", cells.stream().map(ReportFormats::csvCell).toList())).append('\n');
    }

    /** Records rejected per quality rule: {@code min:AMOUNT=2;in:CURRENCY=1}. */
    private static String quality(LakeReport.Feed f, String is, String and) {
        List<String> parts = new ArrayList<>();
        f.qualityRejected().forEach((rule, n) -> parts.add(rule + is + n));
        return String.join(and, parts);
    }

    private static String csvCell(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }

    private static String toSeconds(String instant) {
        try {
            return java.time.Instant.parse(instant).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        } catch (java.time.format.DateTimeParseException e) {
            return instant;
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    /** The console table of {@code report --stats}: one line per feed and a total. */
    public static String stats(LakeReport report) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"FEED", "TYPE", "STATE", "RECORDS", "SIZE", "PARTITIONS/VERSIONS", "LAST EXPORT", "REJECTED"});
        for (LakeReport.Feed f : report.feeds()) {
            rows.add(new String[] {f.feed(), f.type(), f.state(), String.format(Locale.ROOT, "%,d", f.records()),
                    size(f.sizeBytes()), f.isTable() ? f.units() + " versions" + (f.currentVersion() == null ? "" : " (v" + f.currentVersion() + ")")
                            : f.units() + " partitions",
                    f.lastExport() == null ? "never" : toSeconds(f.lastExport()), String.format(Locale.ROOT, "%,d", f.rejectedRecords())});
        }
        rows.add(new String[] {"TOTAL (" + report.feeds().size() + " feeds)", "", "",
                String.format(Locale.ROOT, "%,d", report.totalRecords()), size(report.totalBytes()), "", "",
                String.format(Locale.ROOT, "%,d", report.totalRejected())});
        int[] width = new int[rows.get(0).length];
        rows.forEach(r -> {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        });
        StringBuilder b = new StringBuilder("lake ").append(report.lakeRoot()).append(" at ").append(report.generatedAt()).append('\n');
        for (int n = 0; n < rows.size(); n++) {
            String[] r = rows.get(n);
            if (n == rows.size() - 1) {
                b.append("-".repeat(java.util.Arrays.stream(width).sum() + 2 * (width.length - 1))).append('\n');
            }
            for (int i = 0; i < r.length; i++) {
                boolean numeric = i == 3 || i == 4 || i == 7;
                String cell = numeric ? " ".repeat(width[i] - r[i].length()) + r[i] : r[i] + " ".repeat(width[i] - r[i].length());
                b.append(cell).append(i == r.length - 1 ? "" : "  ");
            }
            b.append('\n');
        }
        List<LakeReport.Feed> checked = report.feeds().stream().filter(f -> !f.qualityRejected().isEmpty()).toList();
        if (!checked.isEmpty()) {
            b.append("\nrecords rejected by quality rules (streams: since they began; tables: their current version)\n");
            checked.forEach(f -> b.append("  ").append(f.feed()).append(": ").append(quality(f, " ", ", ")).append('\n'));
        }
        return b.toString().replaceAll(" +\n", "\n");
    }

    /** 1023 B, 1.5 KB, 12 MB, 1.0 GB (powers of 1024, as the rotation settings). */
    public static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        int unit = (63 - Long.numberOfLeadingZeros(bytes)) / 10; // 1 = KB, 2 = MB, ...
        double value = bytes / Math.pow(1024, unit);
        if (Math.round(value) >= 1024) { // 1023.6 KB is 1.0 MB, not "1024 KB"
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, value < 10 ? "%.1f %cB" : "%.0f %cB", value, " KMGTPE".charAt(unit));
    }
}
