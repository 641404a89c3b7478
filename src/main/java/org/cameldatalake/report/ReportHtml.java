package org.cameldatalake.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.cameldatalake.report.LakeReport.Feed;
import org.cameldatalake.report.LakeReport.Partition;
import org.cameldatalake.report.LakeReport.Version;

/**
 * {@code report --html}: the {@link LakeReport} as one self-contained HTML page. Charts are inline SVG drawn here; the
 * page has no script and refers to nothing outside itself (its Content-Security-Policy forbids fetching anything), so
 * it opens offline, as a mail attachment, and prints.
 */
public final class ReportHtml {
    private static final String[] PALETTE = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
        "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
    private static final String STREAM = PALETTE[0];
    private static final String TABLE = PALETTE[1];
    private static final String CURRENT_VERSION = PALETTE[0];
    private static final String EARLIER_VERSION = "#a5bcd6";
    private static final String REJECTED = "#e15759";
    private static final double CHAR_WIDTH = 7; // of the 12px chart font: the room a label needs
    private static final int PLOT_WIDTH = 880;  // what a vertical chart aims at
    private static final int PLOT_HEIGHT = 220;
    private static final int BAR_LENGTH = 380;  // the longest bar of a horizontal chart
    private static final int GROUP_GAP = 10;
    private static final int MIN_BAR = 4;
    private static final int MAX_LABEL = 32;

    private static final String CSS = """
            body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;
              max-width:1100px;margin:0 auto;padding:16px 24px}
            h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 6px}.meta{color:#555;margin:0 0 12px}
            .totals{display:flex;flex-wrap:wrap;gap:10px;margin:0}
            .totals div{border:1px solid #ddd;border-radius:6px;padding:6px 14px}
            .totals dt{font-size:12px;color:#555}.totals dd{margin:0;font-size:18px;font-weight:600}
            .chart{overflow-x:auto}svg{font-size:12px;display:block}svg text{fill:#333}
            .axis{stroke:#888}.grid{stroke:#e5e5e5}rect.bar:hover{opacity:.75}
            .legend{list-style:none;display:flex;flex-wrap:wrap;gap:4px 14px;padding:0;margin:4px 0;font-size:12px}
            .swatch{display:inline-block;width:10px;height:10px;margin-right:5px;border-radius:2px;
              -webkit-print-color-adjust:exact;print-color-adjust:exact}
            .empty{color:#666;font-style:italic}
            table{border-collapse:collapse;width:100%;font-size:13px}
            th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f4f4f4}
            .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            .bad{color:#b00020;font-weight:600}
            .error{white-space:pre-wrap;overflow-wrap:anywhere;max-width:360px;color:#b00020}
            @media print{body{max-width:none;padding:0}.chart{overflow:visible}svg{max-width:100%;height:auto}
              section,tr{break-inside:avoid}th{background:none}}
            """;

    /** {@code label} is written at the end of a horizontal bar; {@code tooltip} is the bar's title. */
    private record Bar(long value, String color, String label, String tooltip, boolean current) {
    }

    private record Group(String label, List<Bar> bars) {
    }

    private record Series(String name, String color) {
    }

    private ReportHtml() {
    }

    public static String render(LakeReport r) {
        List<Feed> streams = r.feeds().stream().filter(f -> !f.isTable()).toList();
        List<Feed> tables = r.feeds().stream().filter(Feed::isTable).toList();
        StringBuilder html = new StringBuilder(16_384).append("""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8">
                <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                """);
        html.append("<title>camel-datalake report — ").append(esc(r.generatedAt())).append("</title>\n")
                .append("<style>").append(CSS).append("</style></head><body>\n")
                .append("<header><h1>camel-datalake report</h1>\n<p class=\"meta\">Generated <time>")
                .append(esc(r.generatedAt())).append("</time> · lake <code>").append(esc(r.lakeRoot()))
                .append("</code></p>\n<dl class=\"totals\">")
                .append(total("Feeds", "%d (%s, %s)".formatted(r.feeds().size(), plural(streams.size(), "stream"),
                        plural(tables.size(), "table"))))
                .append(total("Records", count(r.totalRecords())))
                .append(total("Size", ReportFormats.size(r.totalBytes())))
                .append(total("Rejected records", count(r.totalRejected())))
                .append("</dl></header>\n");
        section(html, "Records per day", recordsPerDay(streams), "No dated stream partitions yet.");
        section(html, "Table versions", tableVersions(tables), "No table rows yet.");
        section(html, "Lake size by feed", sizeByFeed(r.feeds()), "No data in the lake yet.");
        section(html, "Rejected records", rejected(r.feeds()), "No rejected records yet.");
        statsTable(html, r.feeds());
        return html.append("</body></html>\n").toString();
    }

    /** One group per date, one bar per stream feed in every group (zero where the feed has nothing that day). */
    private static String recordsPerDay(List<Feed> streams) {
        Map<String, Map<String, Long>> byFeed = new LinkedHashMap<>();
        for (Feed f : streams) {
            Map<String, Long> perDay = f.partitions().stream().filter(p -> p.date() != null).collect(
                    Collectors.groupingBy(Partition::date, TreeMap::new, Collectors.summingLong(Partition::records)));
            if (!perDay.isEmpty()) {
                byFeed.put(f.feed(), perDay);
            }
        }
        List<Series> series = series(byFeed.keySet());
        TreeSet<String> dates = new TreeSet<>();
        byFeed.values().forEach(perDay -> dates.addAll(perDay.keySet()));
        List<Group> groups = dates.stream().map(date -> new Group(date, series.stream().map(s -> {
            long n = byFeed.get(s.name()).getOrDefault(date, 0L);
            return new Bar(n, s.color(), null, "%s · %s: %s records".formatted(s.name(), date, count(n)), false);
        }).toList())).toList();
        String description = "Records per day for %s over %s".formatted(plural(series.size(), "stream feed"),
                plural(dates.size(), "day"));
        return chart("chart-records-per-day", description, groups, false, series);
    }

    private static String tableVersions(List<Feed> tables) {
        List<Group> groups = tables.stream().filter(t -> !t.versions().isEmpty()).map(t -> new Group(t.feed(),
                t.versions().stream().sorted(Comparator.comparingInt(Version::version)).map(v -> new Bar(v.records(),
                        v.current() ? CURRENT_VERSION : EARLIER_VERSION,
                        "v%d · %s rows%s".formatted(v.version(), count(v.records()), v.current() ? " · current" : ""),
                        "%s v%d%s: %s rows, %s, created %s".formatted(t.feed(), v.version(),
                                v.current() ? " (current)" : "", count(v.records()), ReportFormats.size(v.sizeBytes()),
                                Objects.toString(v.created(), "?")),
                        v.current())).toList())).toList();
        return chart("chart-table-versions", "Rows per version for " + plural(groups.size(), "table feed"), groups,
                true, List.of(new Series("earlier version", EARLIER_VERSION),
                        new Series("current version", CURRENT_VERSION)));
    }

    private static String sizeByFeed(List<Feed> feeds) {
        List<Group> groups = feeds.stream().map(f -> new Group(f.feed(), List.of(new Bar(f.sizeBytes(),
                f.isTable() ? TABLE : STREAM, ReportFormats.size(f.sizeBytes()),
                "%s: %s in %s".formatted(f.feed(), ReportFormats.size(f.sizeBytes()), plural(f.files(), "file")), false)))).toList();
        List<Series> types = List.of(new Series("stream", STREAM), new Series("table", TABLE)).stream()
                .filter(t -> feeds.stream().anyMatch(f -> t.name().equals(f.type()))).toList();
        return chart("chart-size-by-feed", "Lake size by feed, " + plural(groups.size(), "feed"), groups, true, types);
    }

    private static String rejected(List<Feed> feeds) {
        List<Group> groups = feeds.stream().filter(f -> f.rejectedRecords() > 0).map(f -> new Group(f.feed(),
                List.of(new Bar(f.rejectedRecords(), REJECTED, count(f.rejectedRecords()),
                        f.feed() + ": " + plural(f.rejectedRecords(), "rejected record"), false)))).toList();
        String description = "Rejected records by feed, %s with rejections".formatted(plural(groups.size(), "feed"));
        return chart("chart-rejected", description, groups, true, List.of());
    }

    /**
     * The one bar chart routine: groups of bars along the category axis, bar lengths along the value axis. Horizontal
     * charts write each bar's label at its end; vertical ones get a value axis with grid lines instead, and stack a
     * group's bars when side by side they would be too thin to tell apart (20 feeds over 30 days). A zero bar keeps
     * its slot but draws no rect. Returns null when there is nothing to draw.
     */
    private static String chart(String id, String description, List<Group> groups, boolean horizontal,
                                List<Series> legend) {
        if (groups.stream().flatMap(g -> g.bars().stream()).allMatch(b -> b.value() == 0)) {
            return null; // no bars at all, or nothing but zeros
        }
        int bars = groups.stream().mapToInt(g -> g.bars().size()).sum();
        int room = PLOT_WIDTH - groups.size() * GROUP_GAP;
        boolean stacked = !horizontal && room / bars - 1 < MIN_BAR;
        int thick = horizontal ? 16 : clamp((stacked ? room / groups.size() : room / bars) - 1, MIN_BAR, 28);
        long max = groups.stream().mapToLong(g -> stacked
                ? g.bars().stream().mapToLong(Bar::value).sum()
                : g.bars().stream().mapToLong(Bar::value).max().orElse(0)).max().orElse(0);
        long step = niceStep(max / 4.0);
        long scaleMax = horizontal ? max : step * (long) Math.ceil(max / (double) step);
        double scale = (horizontal ? BAR_LENGTH : PLOT_HEIGHT) / (double) scaleMax;
        int labelChars = groups.stream().mapToInt(g -> Math.min(MAX_LABEL, g.label().length())).max().orElse(0);
        int narrowestGroup = stacked ? thick
                : groups.stream().mapToInt(g -> g.bars().size()).min().orElse(1) * (thick + 1);
        boolean rotate = !horizontal && narrowestGroup + GROUP_GAP < labelChars * CHAR_WIDTH;
        // left of the plot: the category labels of a horizontal chart, the value axis of a vertical one
        int plotLeft = 14 + (int) ((horizontal ? labelChars : count(scaleMax).length()) * CHAR_WIDTH);
        int baseline = 10 + PLOT_HEIGHT; // of a vertical chart

        StringBuilder svg = new StringBuilder();
        double cursor = horizontal ? 8 : plotLeft + GROUP_GAP / 2.0; // along the category axis
        int longestBarLabel = 0;
        for (Group g : groups) {
            double groupStart = cursor;
            double stackHeight = 0;
            for (Bar b : g.bars()) {
                double len = b.value() == 0 ? 0 : Math.max(1, b.value() * scale);
                if (len > 0) {
                    svg.append(horizontal ? rect(b, plotLeft, cursor, len, thick)
                            : rect(b, cursor, baseline - stackHeight - len, thick, len));
                }
                if (horizontal && b.label() != null) {
                    svg.append(text(plotLeft + len + 5, cursor + thick - 4, "start", 0, b.label()));
                    longestBarLabel = Math.max(longestBarLabel, b.label().length());
                }
                stackHeight += stacked ? len : 0;
                cursor += stacked ? 0 : thick + 1;
            }
            cursor += stacked ? thick + 1 : 0;
            double middle = (groupStart + cursor - 1) / 2;
            svg.append(horizontal ? text(plotLeft - 6, middle + 4, "end", 0, g.label())
                    : rotate ? text(middle, baseline + 12, "end", -40, g.label())
                    : text(middle, baseline + 16, "middle", 0, g.label()));
            cursor += GROUP_GAP;
        }

        double width = horizontal ? plotLeft + BAR_LENGTH + 10 + longestBarLabel * CHAR_WIDTH
                : cursor - GROUP_GAP / 2.0 + 4;
        double height = horizontal ? cursor - GROUP_GAP + 8
                : baseline + (rotate ? 12 + labelChars * CHAR_WIDTH * 0.65 : 24);
        StringBuilder axes = new StringBuilder();
        if (horizontal) {
            axes.append(line("axis", plotLeft, 4, plotLeft, height - 4));
        } else {
            for (long v = 0; v <= scaleMax; v += step) {
                double y = baseline - v * scale;
                axes.append(line(v == 0 ? "axis" : "grid", plotLeft, y, width, y))
                        .append(text(plotLeft - 6, y + 4, "end", 0, count(v)));
            }
        }
        String label = esc(description + (stacked ? ", bars stacked" : ""));
        return legend(legend) + ("<div class=\"chart\"><svg id=\"%s\" role=\"img\" aria-label=\"%s\" width=\"%s\" "
                + "height=\"%s\" viewBox=\"0 0 %s %s\"><title>%s</title>%s%s</svg></div>")
                .formatted(id, label, num(width), num(height), num(width), num(height), label, axes, svg);
    }

    private static String rect(Bar b, double x, double y, double width, double height) {
        return ("<rect class=\"bar%s\" data-value=\"%d\" x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"%s\">"
                + "<title>%s</title></rect>").formatted(b.current() ? " current" : "", b.value(), num(x), num(y),
                num(width), num(height), b.color(), esc(b.tooltip()));
    }

    /** A label longer than {@link #MAX_LABEL} is shortened; the full text then shows as its tooltip. */
    private static String text(double x, double y, String anchor, int rotate, String label) {
        String shown = label.length() <= MAX_LABEL ? label : label.substring(0, MAX_LABEL - 1) + "…";
        return "<text x=\"%s\" y=\"%s\" text-anchor=\"%s\"%s>%s%s</text>".formatted(num(x), num(y), anchor,
                rotate == 0 ? "" : " transform=\"rotate(%d %s %s)\"".formatted(rotate, num(x), num(y)),
                shown.equals(label) ? "" : "<title>" + esc(label) + "</title>", esc(shown));
    }

    private static String line(String cssClass, double x1, double y1, double x2, double y2) {
        return "<line class=\"%s\" x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>"
                .formatted(cssClass, num(x1), num(y1), num(x2), num(y2));
    }

    private static String legend(List<Series> series) {
        return series.isEmpty() ? "" : series.stream()
                .map(s -> "<li><span class=\"swatch\" style=\"background:%s\"></span>%s</li>"
                        .formatted(s.color(), esc(s.name())))
                .collect(Collectors.joining("", "<ul class=\"legend\">", "</ul>"));
    }

    private static List<Series> series(Iterable<String> names) {
        List<Series> series = new ArrayList<>();
        for (String name : names) {
            int i = series.size();
            // beyond the palette, hues a golden angle apart stay distinguishable for a couple of dozen series
            String color = i < PALETTE.length ? PALETTE[i] : "hsl(%d,55%%,45%%)".formatted(i * 137 % 360);
            series.add(new Series(name, color));
        }
        return series;
    }

    private static void section(StringBuilder html, String heading, String chart, String whenEmpty) {
        html.append("<section><h2>").append(esc(heading)).append("</h2>\n")
                .append(chart != null ? chart : "<p class=\"empty\">" + esc(whenEmpty) + "</p>").append("</section>\n");
    }

    private static void statsTable(StringBuilder html, List<Feed> feeds) {
        html.append("<section><h2>Feeds</h2><table id=\"stats\"><thead><tr><th>Feed</th><th>Type</th><th>State</th>")
                .append("<th class=\"num\">Records</th><th class=\"num\">Size</th>")
                .append("<th class=\"num\">Partitions / versions</th><th>Last export</th>")
                .append("<th class=\"num\">Rejected</th><th>Last error</th></tr></thead><tbody>\n");
        for (Feed f : feeds) {
            String units = plural(f.units(), f.isTable() ? "version" : "partition")
                    + (f.currentVersion() == null ? "" : ", current v" + f.currentVersion());
            html.append("<tr><td>").append(esc(f.feed()))
                    .append("</td><td>").append(esc(f.type()))
                    .append("</td><td>").append(esc(f.state()))
                    .append("</td><td class=\"num\">").append(count(f.records()))
                    .append("</td><td class=\"num\">").append(ReportFormats.size(f.sizeBytes()))
                    .append("</td><td class=\"num\">").append(units)
                    .append("</td><td>").append(esc(Objects.toString(f.lastExport(), "—")))
                    .append(f.rejectedRecords() > 0 ? "</td><td class=\"num bad\">" : "</td><td class=\"num\">")
                    .append(count(f.rejectedRecords()))
                    .append("</td><td class=\"error\">").append(esc(f.lastError()))
                    .append("</td></tr>\n");
        }
        html.append("</tbody></table></section>\n");
    }

    private static String total(String name, String value) {
        return "<div><dt>" + esc(name) + "</dt><dd>" + esc(value) + "</dd></div>";
    }

    /** Text for HTML content and attribute values alike; control characters would be parse errors, so they go. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c < 0x20 && c != '\n' && c != '\t' && c != '\r' ? '\uFFFD' : c);
            }
        }
        return out.toString();
    }

    /** Binary units, as the lake's own size settings ({@code 128MB} = 128 MiB). */
    private static String plural(long n, String noun) {
        return count(n) + " " + noun + (n == 1 ? "" : "s");
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static int clamp(int v, int min, int max) {
        return Math.max(min, Math.min(max, v));
    }

    /** 1, 2 or 5 times a power of ten: the smallest such step not below {@code rough}. */
    private static long niceStep(double rough) {
        long power = 1;
        while (power * 10 <= rough) {
            power *= 10;
        }
        for (long m : new long[] {1, 2, 5}) {
            if (m * power >= rough) {
                return m * power;
            }
        }
        return 10 * power;
    }
}
