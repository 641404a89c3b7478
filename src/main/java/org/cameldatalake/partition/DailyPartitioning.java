package org.cameldatalake.partition;

import java.time.LocalDate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code year=YYYY/month=MM/day=DD}: Hive partition keys that DuckDB, Spark and pandas prune on (DESIGN.md §3). */
public final class DailyPartitioning implements Partitioning<LocalDate> {
    public static final DailyPartitioning INSTANCE = new DailyPartitioning();
    private static final Pattern FOLDER = Pattern.compile("(?:^|.*/)year=(\\d{1,9})/month=(\\d{1,2})/day=(\\d{1,2})(?:/[^/]*)?$");

    private DailyPartitioning() {
    }

    @Override
    public String folder(LocalDate day) {
        return String.format("year=%d/month=%02d/day=%02d", day.getYear(), day.getMonthValue(), day.getDayOfMonth());
    }

    /** Also takes a path that ends in a file name below the day's folder. */
    @Override
    public LocalDate parse(String relativePath) {
        Matcher m = FOLDER.matcher(relativePath);
        if (!m.matches()) {
            return null;
        }
        try {
            return LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    /** The {@code year=…/month=…/day=…} part of a path, as {@link #folder} writes it, or null. */
    public String folderOf(String relativePath) {
        LocalDate day = parse(relativePath);
        return day == null ? null : folder(day);
    }
}
