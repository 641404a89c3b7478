package org.cameldatalake.partition;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code data_<yyyyMMdd_HHmmss>_<topic>+<partition>+<firstOffset>+<lastOffset>.parquet} (DESIGN.md §3), and the
 * {@code rejected_…jsonl} files named the same way. The offsets in the name are what a restart trusts.
 */
public record StreamFileName(String prefix, String stamp, String topic, int partition, long firstOffset,
                             long lastOffset, String extension) {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC);
    private static final Pattern NAME = Pattern.compile(
            "^(data|rejected)_(\\d{8}_\\d{6})_([a-zA-Z0-9._-]+)\\+(\\d+)\\+(\\d+)\\+(\\d+)\\.(parquet|jsonl)$");

    public static StreamFileName data(Instant at, String topic, int partition, long first, long last) {
        return new StreamFileName("data", STAMP.format(at), topic, partition, first, last, "parquet");
    }

    public static StreamFileName rejected(Instant at, String topic, int partition, long first, long last) {
        return new StreamFileName("rejected", STAMP.format(at), topic, partition, first, last, "jsonl");
    }

    /** The parsed name, or null for a file that is not one of ours. */
    public static StreamFileName parse(String fileName) {
        Matcher m = NAME.matcher(fileName);
        if (!m.matches()) {
            return null;
        }
        return new StreamFileName(m.group(1), m.group(2), m.group(3), Integer.parseInt(m.group(4)),
                Long.parseLong(m.group(5)), Long.parseLong(m.group(6)), m.group(7));
    }

    @Override
    public String toString() {
        return prefix + "_" + stamp + "_" + topic + "+" + partition + "+" + firstOffset + "+" + lastOffset + "." + extension;
    }
}
