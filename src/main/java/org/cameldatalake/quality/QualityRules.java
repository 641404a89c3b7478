package org.cameldatalake.quality;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.avro.Schema;
import org.cameldatalake.quality.QualityRule.Kind;

/**
 * A feed's {@code quality} list, as its feed file declares it:
 * {@code [{"column": "AMOUNT", "rule": "min", "value": 0}, {"column": "CURRENCY", "rule": "in", "values": ["USD", "EUR"]},
 * {"column": "USER_ID", "rule": "regex", "value": "^user_\\d+$"}, {"column": "TRANSACTION_ID", "rule": "not_null"},
 * {"column": "TRANSACTION_ID", "rule": "unique"}]}. Parsing is strict: every problem names the rule's field.
 */
public record QualityRules(List<QualityRule> rules) {
    public static final QualityRules NONE = new QualityRules(List.of());
    private static final Pattern COLUMN = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$");
    private static final Set<String> FIELDS = Set.of("column", "rule", "value", "values");

    /** A rule list that cannot be used; {@code field} is relative to the list: {@code [2].rule}, or empty. */
    public static final class InvalidRule extends Exception {
        private final String field;

        InvalidRule(String field, String problem) {
            super(problem);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    public QualityRules {
        rules = List.copyOf(rules);
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /** The rules of a feed file's {@code quality} value; null or absent means none. */
    public static QualityRules parse(JsonNode list) throws InvalidRule {
        if (list == null || list.isNull()) {
            return NONE;
        }
        if (!list.isArray()) {
            throw new InvalidRule("", "must be an array of rules like [{\"column\": \"AMOUNT\", \"rule\": \"min\", \"value\": 0}]");
        }
        List<QualityRule> rules = new ArrayList<>();
        Set<String> labels = new HashSet<>();
        Map<String, BigDecimal> minimums = new HashMap<>();
        Map<String, BigDecimal> maximums = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            QualityRule rule = rule(list.get(i), "[" + i + "]");
            if (!labels.add(rule.label())) {
                throw new InvalidRule("[" + i + "]", "a second '" + rule.kind().json() + "' rule on " + rule.column()
                        + " (one rule of a kind per column; combine them)");
            }
            if (rule.kind() == Kind.MIN) {
                minimums.put(rule.column(), rule.bound());
            } else if (rule.kind() == Kind.MAX) {
                maximums.put(rule.column(), rule.bound());
            }
            BigDecimal min = minimums.get(rule.column());
            BigDecimal max = maximums.get(rule.column());
            if (min != null && max != null && min.compareTo(max) > 0) {
                throw new InvalidRule("[" + i + "].value", "min " + min.toPlainString() + " is above max "
                        + max.toPlainString() + " on " + rule.column() + ": no value could pass");
            }
            rules.add(rule);
        }
        return new QualityRules(rules);
    }

    private static QualityRule rule(JsonNode node, String at) throws InvalidRule {
        if (node == null || !node.isObject()) {
            throw new InvalidRule(at, "must be an object like {\"column\": \"AMOUNT\", \"rule\": \"min\", \"value\": 0}");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw new InvalidRule(at + "." + field, "unknown field (known: column, rule, value, values)");
            }
        }
        String column = text(node, at, "column");
        if (!COLUMN.matcher(column).matches()) {
            throw new InvalidRule(at + ".column", "'" + column + "' is not a column name or dotted path (e.g. AMOUNT or LOCATION.CITY)");
        }
        String ruleName = text(node, at, "rule");
        Kind kind;
        try {
            kind = Kind.valueOf(ruleName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            kind = null;
        }
        if (kind == null || !kind.json().equals(ruleName)) {
            throw new InvalidRule(at + ".rule", "unknown rule '" + ruleName + "' (known: not_null, min, max, in, regex, unique)");
        }
        JsonNode value = node.get("value");
        JsonNode values = node.get("values");
        if (kind != Kind.IN && values != null) {
            throw new InvalidRule(at + ".values", "is for rule 'in' only");
        }
        return switch (kind) {
            case NOT_NULL, UNIQUE -> {
                if (value != null) {
                    throw new InvalidRule(at + ".value", "rule '" + ruleName + "' takes no value");
                }
                yield new QualityRule(column, kind, null, null, null);
            }
            case MIN, MAX -> {
                if (value == null || value.isNull()) {
                    throw new InvalidRule(at + ".value", "rule '" + ruleName + "' needs a number, e.g. \"value\": 0");
                }
                if (!value.isNumber()) {
                    throw new InvalidRule(at + ".value", "must be a number, not " + value);
                }
                yield new QualityRule(column, kind, value.decimalValue(), null, null);
            }
            case IN -> {
                if (value != null) {
                    throw new InvalidRule(at + ".value", "rule 'in' takes \"values\": [...], not \"value\"");
                }
                yield new QualityRule(column, kind, null, allowed(values, at + ".values"), null);
            }
            case REGEX -> {
                if (value == null || !value.isTextual()) {
                    throw new InvalidRule(at + ".value", "rule 'regex' needs a pattern, e.g. \"value\": \"^user_\\\\d+$\"");
                }
                try {
                    Pattern.compile(value.asText());
                } catch (PatternSyntaxException e) {
                    throw new InvalidRule(at + ".value", "'" + value.asText() + "' is not a regular expression: "
                            + e.getDescription() + " near index " + e.getIndex());
                }
                yield new QualityRule(column, kind, null, null, value.asText());
            }
        };
    }

    private static List<Object> allowed(JsonNode values, String at) throws InvalidRule {
        if (values == null || !values.isArray() || values.isEmpty()) {
            throw new InvalidRule(at, "rule 'in' needs a non-empty array of allowed values, e.g. [\"USD\", \"EUR\"]");
        }
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            JsonNode v = values.get(i);
            if (v.isTextual()) {
                out.add(v.asText());
            } else if (v.isNumber()) {
                out.add(v.decimalValue());
            } else if (v.isBoolean()) {
                out.add(v.asBoolean());
            } else {
                throw new InvalidRule(at + "[" + i + "]", "must be a string, number or boolean, not " + v);
            }
        }
        return out;
    }

    private static String text(JsonNode node, String at, String field) throws InvalidRule {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new InvalidRule(at + "." + field, "is required");
        }
        if (!v.isTextual()) {
            throw new InvalidRule(at + "." + field, "must be a string, not " + v);
        }
        return v.asText();
    }

    /** The feed-file form; the inverse of {@link #parse}. */
    public ArrayNode toJson() {
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        for (QualityRule r : rules) {
            ObjectNode o = list.addObject();
            o.put("column", r.column());
            o.put("rule", r.kind().json());
            if (r.bound() != null) {
                o.put("value", r.bound());
            }
            if (r.regex() != null) {
                o.put("value", r.regex());
            }
            if (r.values() != null) {
                ArrayNode values = o.putArray("values");
                r.values().forEach(v -> values.add(Values.json(v)));
            }
        }
        return list;
    }

    /**
     * The rules whose column a record of {@code schema} does not have, as {@code [i].column: PROBLEM} texts: a
     * source with a fixed schema (a table snapshot) checks these first, since such a rule sees only nulls.
     */
    public List<String> unknownColumns(Schema schema) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            String column = rules.get(i).column();
            if (!ColumnPath.of(column).existsIn(schema)) {
                problems.add("[" + i + "].column: " + column + " is not a column (columns: "
                        + String.join(", ", schema.getFields().stream().map(Schema.Field::name).toList()) + ")");
            }
        }
        return problems;
    }
}
