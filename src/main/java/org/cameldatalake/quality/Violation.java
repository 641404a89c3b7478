package org.cameldatalake.quality;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The first rule a record breaks: the rule, the value it found (a scalar or structure as {@link Values} has it; null
 * when the column is null or absent) and why, as in {@code rule min on AMOUNT: -3 < 0}.
 */
public record Violation(QualityRule rule, Object value, String reason) {

    /** The rule's kind as the feed file spells it: {@code min}. */
    public String ruleName() {
        return rule.kind().json();
    }

    public String column() {
        return rule.column();
    }

    /** The offending value as JSON, for the {@code _rejected/} line. */
    public JsonNode valueJson() {
        return Values.json(value);
    }
}
