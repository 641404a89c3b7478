package org.cameldatalake.quality;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Pattern;
import org.apache.avro.generic.GenericRecord;

/**
 * Applies one feed's {@link QualityRules} to Avro records, batch by batch, and counts what each rule rejected.
 * Any writer calls it the same way, per record and per batch (a table snapshot, a stream file, a poll):
 * <pre>{@code
 * QualityChecker checker = new QualityChecker(feed.quality());   // once per feed; thread-safe
 * QualityBatch batch = checker.newBatch();                         // per batch, on one thread
 * for (GenericRecord record : records) {
 *     Violation broken = batch.check(record);                      // null: it passes every rule
 *     if (broken != null) {
 *         // to _rejected/ with broken.reason() ("rule min on AMOUNT: -3 < 0"), broken.ruleName(),
 *         // broken.column(), broken.valueJson() and QualityChecker.rowJson(record); not landed
 *     }
 * }
 * // once the landed records and the rejected lines are published:
 * batch.commit();                  // adds batch.rejectedByRule() to checker.rejectedByRule()
 * }</pre>
 * Rules are checked in their order and a record is charged to the first one it breaks. A null (or absent) value
 * breaks only {@code not_null}. {@code unique} remembers the values of the records that passed every rule, for
 * this batch only: memory grows with the batch.
 */
public final class QualityChecker {
    private final QualityRules rules;
    private final Pattern[] patterns;
    private final ColumnPath[] paths;
    private final AtomicLongArray committed;

    public QualityChecker(QualityRules rules) {
        this.rules = rules;
        List<QualityRule> list = rules.rules();
        this.patterns = new Pattern[list.size()];
        this.paths = new ColumnPath[list.size()];
        for (int i = 0; i < list.size(); i++) {
            QualityRule rule = list.get(i);
            patterns[i] = rule.regex() == null ? null : Pattern.compile(rule.regex());
            paths[i] = ColumnPath.of(rule.column());
        }
        this.committed = new AtomicLongArray(list.size());
    }

    public QualityRules rules() {
        return rules;
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /** A new batch: {@code unique} starts afresh. */
    public QualityBatch newBatch() {
        return new QualityBatch(this);
    }

    /** Records rejected by each rule ({@link QualityRule#label()}, in rule order) in the batches committed so far. */
    public Map<String, Long> rejectedByRule() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < committed.length(); i++) {
            out.put(rules.rules().get(i).label(), committed.get(i));
        }
        return out;
    }

    /** A whole record as JSON text's tree (decimals as numbers, temporal values as ISO-8601), for rejected lines. */
    public static ObjectNode rowJson(GenericRecord record) {
        return Values.json(record);
    }

    void commit(long[] counts) {
        for (int i = 0; i < counts.length; i++) {
            committed.addAndGet(i, counts[i]);
        }
    }

    QualityRule rule(int i) {
        return rules.rules().get(i);
    }

    Pattern pattern(int i) {
        return patterns[i];
    }

    ColumnPath path(int i) {
        return paths[i];
    }

    int size() {
        return paths.length;
    }
}
