package org.cameldatalake.quality;

import java.math.BigDecimal;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.generic.GenericRecord;

/**
 * One batch of records under a {@link QualityChecker}: checks them one by one, remembers the values {@code unique}
 * has seen in this batch, and counts the rejections per rule until {@link #commit()}. Used by one thread.
 */
public final class QualityBatch {
    private final QualityChecker checker;
    private final long[] rejected;
    private final Map<Integer, Set<Object>> seen = new LinkedHashMap<>();
    private boolean committed;

    QualityBatch(QualityChecker checker) {
        this.checker = checker;
        this.rejected = new long[checker.size()];
    }

    /** The first rule {@code record} breaks, counted against that rule; null when it passes every rule. */
    public Violation check(GenericRecord record) {
        Object[] uniqueKeys = new Object[checker.size()];
        for (int i = 0; i < checker.size(); i++) {
            ColumnPath.Found found = checker.path(i).read(record);
            Object value = Values.scalar(found.value(), found.schema());
            String problem = problem(i, value, uniqueKeys);
            if (problem != null) {
                rejected[i]++;
                QualityRule rule = checker.rule(i);
                return new Violation(rule, value, "rule " + rule.kind().json() + " on " + rule.column() + ": " + problem);
            }
        }
        // only a record that lands takes its values out of play for the records after it
        for (int i = 0; i < uniqueKeys.length; i++) {
            if (uniqueKeys[i] != null) {
                seen.computeIfAbsent(i, k -> new HashSet<>()).add(uniqueKeys[i]);
            }
        }
        return null;
    }

    /** Why {@code value} breaks rule {@code i}, or null. */
    private String problem(int i, Object value, Object[] uniqueKeys) {
        QualityRule rule = checker.rule(i);
        if (value == null) {
            return rule.kind() == QualityRule.Kind.NOT_NULL ? "null" : null;
        }
        return switch (rule.kind()) {
            case NOT_NULL -> null;
            case MIN, MAX -> bound(rule, value);
            case IN -> rule.values().stream().anyMatch(allowed -> same(allowed, value)) ? null
                    : Values.display(value) + " not in " + rule.values().stream().map(Values::display)
                            .collect(Collectors.joining(", ", "[", "]"));
            case REGEX -> {
                String text = value instanceof String s ? s
                        : value instanceof BigDecimal || value instanceof Double || value instanceof Boolean
                        ? (value instanceof BigDecimal d ? d.toPlainString() : value.toString()) : null;
                yield text == null ? Values.display(value) + " is not text"
                        : checker.pattern(i).matcher(text).find() ? null
                        : Values.display(value) + " does not match " + rule.regex();
            }
            case UNIQUE -> {
                Object key = Values.key(value);
                if (seen.getOrDefault(i, Set.of()).contains(key)) {
                    yield Values.display(value) + " already in this batch";
                }
                uniqueKeys[i] = key;
                yield null;
            }
        };
    }

    private static String bound(QualityRule rule, Object value) {
        boolean min = rule.kind() == QualityRule.Kind.MIN;
        String op = min ? " < " : " > ";
        if (value instanceof Double d) {
            boolean breaks = d.isNaN() || (min ? d < 0 : d > 0); // the infinities; NaN is within no bounds
            return breaks ? d + (d.isNaN() ? " is not a number" : op + rule.bound().toPlainString()) : null;
        }
        if (!(value instanceof BigDecimal d)) {
            return Values.display(value) + " is not a number";
        }
        int cmp = d.compareTo(rule.bound());
        return (min ? cmp < 0 : cmp > 0) ? d.toPlainString() + op + rule.bound().toPlainString() : null;
    }

    /** An allowed value of {@code in} against a record's value: text to text, number to number (1 = 1.0). */
    private static boolean same(Object allowed, Object value) {
        if (allowed instanceof BigDecimal a) {
            return value instanceof BigDecimal v && a.compareTo(v) == 0;
        }
        return allowed.equals(value);
    }

    /** Records rejected by each rule ({@link QualityRule#label()}, in rule order) in this batch so far. */
    public Map<String, Long> rejectedByRule() {
        Map<String, Long> out = new LinkedHashMap<>();
        List<QualityRule> rules = checker.rules().rules();
        for (int i = 0; i < rejected.length; i++) {
            out.put(rules.get(i).label(), rejected[i]);
        }
        return out;
    }

    /** Records this batch rejected, all rules together. */
    public long rejected() {
        long total = 0;
        for (long n : rejected) {
            total += n;
        }
        return total;
    }

    /** Adds this batch's counts to the checker's, once; call it when the batch's outcome is published. */
    public void commit() {
        if (!committed) {
            committed = true;
            checker.commit(rejected);
        }
    }
}
