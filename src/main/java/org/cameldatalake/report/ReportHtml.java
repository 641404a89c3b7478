package org.cameldatalake.report;

/** Placeholder until the SVG renderer lands. */
public final class ReportHtml {
    private ReportHtml() {
    }

    public static String render(LakeReport r) {
        return "<!doctype html><title>report</title>";
    }
}
