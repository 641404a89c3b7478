package org.cameldatalake.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.cameldatalake.report.LakeReport.Feed;
import org.cameldatalake.report.LakeReport.Partition;
import org.cameldatalake.report.LakeReport.Version;
import org.cameldatalake.support.HeadlessChromium;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ReportHtmlTest {
    private static final String NASTY_ERROR = "<script>alert(1)</script> & \"quotes\"";

    /** What the page looks like once rendered: per chart its box and bars, and the stats table's cells. */
    private static final String RENDERED = """
            (() => {
              const charts = {};
              for (const svg of document.querySelectorAll('svg[id^="chart-"]')) {
                const box = svg.getBoundingClientRect();
                charts[svg.id] = {
                  width: box.width, height: box.height, role: svg.getAttribute('role'),
                  label: svg.getAttribute('aria-label'), title: svg.querySelector(':scope > title')?.textContent,
                  texts: [...svg.querySelectorAll('text')].map(t => t.textContent),
                  bars: [...svg.querySelectorAll('rect.bar')].map(r => {
                    const b = r.getBoundingClientRect();
                    return {value: +r.dataset.value, width: b.width, height: b.height,
                            current: r.classList.contains('current'), tooltip: r.querySelector('title')?.textContent};
                  })
                };
              }
              return {
                title: document.title, charts,
                rows: [...document.querySelectorAll('#stats tbody tr')]
                  .map(tr => [...tr.cells].map(td => td.textContent)),
                scripts: document.querySelectorAll('script').length,
                resources: performance.getEntriesByType('resource').length
              };
            })()
            """;

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void theReportRendersItsChartsInChromiumWithoutErrors() throws Exception {
        Path page = Files.writeString(dir.resolve("report.html"), ReportHtml.render(sampleReport()));
        try (HeadlessChromium chromium = HeadlessChromium.open(page)) {
            chromium.screenshot(Path.of("target/report-screenshot.png"));
            JsonNode rendered = chromium.evaluate(RENDERED);

            assertThat(chromium.problems()).isEmpty();
            assertThat(chromium.requests()).containsExactly(page.toUri().toString());
            assertThat(rendered.path("resources").asInt()).isZero();
            assertThat(rendered.path("title").asText()).isEqualTo("camel-datalake report — 2025-01-15T06:00:00Z");

            JsonNode charts = rendered.path("charts");
            assertThat(charts.size()).isEqualTo(4);
            // clicks has nothing on the first day: 3 feeds x 5 days - 1; audit_log has no dated partition at all
            assertBars(charts.path("chart-records-per-day"), 14, false);
            assertThat(charts.path("chart-records-per-day").path("label").asText()).doesNotContain("stacked");
            assertThat(texts(charts.path("chart-records-per-day")))
                    .contains("2025-01-11", "2025-01-12", "2025-01-13", "2025-01-14", "2025-01-15", "3,000");
            assertBars(charts.path("chart-table-versions"), 4, true);
            assertThat(bars(charts.path("chart-table-versions")).filter(b -> b.path("current").asBoolean())
                    .map(b -> b.path("value").asLong())).containsExactlyInAnyOrder(1100L, 250L);
            assertThat(texts(charts.path("chart-table-versions"))).contains("v3 · 1,100 rows · current", "customers");
            assertBars(charts.path("chart-size-by-feed"), 5, true); // audit_log: 0 B, a label but no bar
            assertThat(texts(charts.path("chart-size-by-feed"))).contains("1.2 MB", "0 B", "audit_log");
            assertBars(charts.path("chart-rejected"), 1, true);
            assertThat(bars(charts.path("chart-rejected")).findFirst().orElseThrow().path("tooltip").asText())
                    .isEqualTo("payments: 7 rejected records");

            JsonNode rows = rendered.path("rows");
            assertThat(rows.size()).isEqualTo(6);
            JsonNode payments = StreamSupport.stream(rows.spliterator(), false)
                    .filter(r -> r.get(0).asText().equals("payments")).findFirst().orElseThrow();
            assertThat(payments.get(5).asText()).isEqualTo("5 partitions");
            assertThat(payments.get(7).asText()).isEqualTo("7");
            assertThat(payments.get(8).asText()).isEqualTo(NASTY_ERROR);
            assertThat(rows.get(5).get(0).asText()).isEqualTo("products");
            assertThat(rows.get(5).get(5).asText()).isEqualTo("1 version, current v1");
            assertThat(rendered.path("scripts").asInt()).isZero();
        }
    }

    @Test
    @Timeout(120)
    void twentyFeedsOverThirtyDaysStillDrawEveryBar() throws Exception {
        List<Feed> feeds = IntStream.range(0, 20).mapToObj(i -> stream("feed_" + i, 0, null,
                IntStream.range(0, 30).mapToLong(d -> 100 + (i * 37L + d * 11L) % 400).toArray())).toList();
        Path page = Files.writeString(dir.resolve("large.html"),
                ReportHtml.render(new LakeReport("2025-02-01T00:00:00Z", "/lake", feeds)));
        try (HeadlessChromium chromium = HeadlessChromium.open(page)) {
            chromium.screenshot(Path.of("target/report-screenshot-large.png"));
            JsonNode charts = chromium.evaluate(RENDERED).path("charts");
            assertThat(chromium.problems()).isEmpty();
            // side by side, 600 bars would be slivers: each day's bars are stacked and the chart fits the page
            assertBars(charts.path("chart-records-per-day"), 600, false);
            assertThat(charts.path("chart-records-per-day").path("label").asText()).endsWith("bars stacked");
            assertThat(charts.path("chart-records-per-day").path("width").asDouble()).isLessThan(1000);
            assertThat(charts.has("chart-table-versions")).isFalse();
            assertThat(charts.has("chart-rejected")).isFalse();
        }
    }

    @Test
    void thePageRefersToNothingOutsideItselfAndEscapesText() {
        String html = ReportHtml.render(sampleReport());

        assertThat(html).doesNotContain("http://", "https://", "src=", "href=", "url(", "@import", "<script",
                "<link", "<img", "<iframe", "<object");
        assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;",
                "<table id=\"stats\">");
        assertThat(html).contains("<title>camel-datalake report — 2025-01-15T06:00:00Z</title>");
        for (String id : List.of("chart-records-per-day", "chart-table-versions", "chart-size-by-feed",
                "chart-rejected")) {
            assertThat(html).containsPattern("<svg id=\"" + id + "\" role=\"img\" aria-label=\"[^\"]+\"[^>]*><title>");
        }
    }

    @Test
    void chartsWithoutDataSaySoInsteadOfDrawingNothing() {
        List<String> noData = List.of("No dated stream partitions yet.", "No table rows yet.",
                "No data in the lake yet.", "No rejected records yet.");
        String oneEmptyFeed = ReportHtml.render(new LakeReport("2025-01-15T06:00:00Z", "/lake",
                List.of(stream("audit_log", 0, null), table("customers", 0))));
        assertThat(oneEmptyFeed).contains(noData).contains("<table id=\"stats\">", "audit_log", "customers")
                .doesNotContain("<svg");
        assertThat(ReportHtml.render(new LakeReport("2025-01-15T06:00:00Z", "/lake", List.of())))
                .contains(noData).doesNotContain("<svg");
        assertThat(ReportHtml.render(new LakeReport("2025-01-15T06:00:00Z", "/lake", List.of(table("customers", 5)))))
                .contains("<svg id=\"chart-table-versions\"", "<svg id=\"chart-size-by-feed\"")
                .contains("No dated stream partitions yet.", "No rejected records yet.");
    }

    @Test
    void sizesReadLikeSizes() {
        assertThat(ReportFormats.size(0)).isEqualTo("0 B");
        assertThat(ReportFormats.size(1023)).isEqualTo("1023 B");
        assertThat(ReportFormats.size(1536)).isEqualTo("1.5 KB");
        assertThat(ReportFormats.size(1_258_291)).isEqualTo("1.2 MB");
        assertThat(ReportFormats.size(150L << 20)).isEqualTo("150 MB");
        assertThat(ReportFormats.size(3L << 30)).isEqualTo("3.0 GB");
        assertThat(ReportFormats.size((1L << 20) - 1)).isEqualTo("1.0 MB");
    }

    /** Every bar drawn, with a size, and longer for a larger value (vertical bars grow up, horizontal ones right). */
    private static void assertBars(JsonNode chart, int expected, boolean horizontal) {
        assertThat(chart.path("role").asText()).isEqualTo("img");
        assertThat(chart.path("label").asText()).isNotBlank().isEqualTo(chart.path("title").asText());
        assertThat(chart.path("width").asDouble()).isPositive();
        assertThat(chart.path("height").asDouble()).isPositive();
        List<JsonNode> bars = bars(chart).toList();
        assertThat(bars).hasSize(expected).allSatisfy(b -> {
            assertThat(b.path("width").asDouble()).isPositive();
            assertThat(b.path("height").asDouble()).isPositive();
            assertThat(b.path("tooltip").asText()).isNotBlank();
        });
        String length = horizontal ? "width" : "height";
        List<JsonNode> byValue = new ArrayList<>(bars);
        byValue.sort((a, b) -> Long.compare(a.path("value").asLong(), b.path("value").asLong()));
        for (int i = 1; i < byValue.size(); i++) {
            // coordinates are written to a tenth of a pixel
            assertThat(byValue.get(i).path(length).asDouble())
                    .isGreaterThan(byValue.get(i - 1).path(length).asDouble() - 0.2);
        }
        JsonNode smallest = byValue.get(0);
        JsonNode largest = byValue.get(byValue.size() - 1);
        if (largest.path("value").asLong() > smallest.path("value").asLong()) {
            assertThat(largest.path(length).asDouble()).isGreaterThan(smallest.path(length).asDouble());
        }
    }

    private static Stream<JsonNode> bars(JsonNode chart) {
        return StreamSupport.stream(chart.path("bars").spliterator(), false);
    }

    private static List<String> texts(JsonNode chart) {
        return StreamSupport.stream(chart.path("texts").spliterator(), false).map(JsonNode::asText).toList();
    }

    /** Three streams over five days (clicks from the second day), two tables, one feed with rejections, one empty. */
    static LakeReport sampleReport() {
        return new LakeReport("2025-01-15T06:00:00Z", "/var/lib/datalake", List.of(
                stream("audit_log", 0, null),
                stream("clicks", 0, null, 0, 1500, 2200, 1800, 2400),
                table("customers", 1_000, 1_040, 1_100),
                stream("orders", 0, null, 120, 340, 90, 410, 275),
                stream("payments", 7, NASTY_ERROR, 50, 60, 75, 40, 95),
                table("products", 250)));
    }

    /** A stream with one partition per day from 2025-01-11 (none where the count is 0), 1 KB per record. */
    private static Feed stream(String name, long rejected, String lastError, long... perDay) {
        List<Partition> partitions = new ArrayList<>();
        for (int d = 0; d < perDay.length; d++) {
            LocalDate date = LocalDate.of(2025, 1, 11).plusDays(d);
            if (perDay[d] > 0) {
                String path = "year=%d/month=%02d/day=%02d".formatted(date.getYear(), date.getMonthValue(),
                        date.getDayOfMonth());
                partitions.add(new Partition(path, date.toString(), perDay[d], perDay[d] * 1024, 1));
            }
        }
        long records = partitions.stream().mapToLong(Partition::records).sum();
        return new Feed(name, "stream", "kafka", name.toUpperCase(), "active", records, records * 1024,
                partitions.size(), null, partitions.isEmpty() ? null : "2025-01-15T05:00:00Z", rejected, lastError,
                partitions, List.of());
    }

    /** A table with versions 1..n, the last one current, 1 KB per row. */
    private static Feed table(String name, long... rowsPerVersion) {
        List<Version> versions = IntStream.range(0, rowsPerVersion.length).mapToObj(i -> new Version(i + 1,
                "v" + (i + 1), rowsPerVersion[i], rowsPerVersion[i] * 1024, "2025-01-%02dT04:00:00Z".formatted(11 + i),
                i == rowsPerVersion.length - 1)).toList();
        long size = versions.stream().mapToLong(Version::sizeBytes).sum();
        return new Feed(name, "table", "ksqldb", name.toUpperCase(), "active",
                rowsPerVersion[rowsPerVersion.length - 1], size, versions.size(), versions.size(),
                "2025-01-15T04:00:00Z", 0, null, List.of(), versions);
    }
}
