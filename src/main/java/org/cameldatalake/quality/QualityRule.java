package org.cameldatalake.quality;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;

/**
 * One rule of a feed's {@code quality} list: a column (a dotted path reaches into nested records) and what its value
 * must satisfy. {@code bound} is the number of {@code min}/{@code max}, {@code values} the allowed values of
 * {@code in} (String, BigDecimal or Boolean), {@code regex} the pattern of {@code regex}; the others are null.
 */
public record QualityRule(String column, Kind kind, BigDecimal bound, List<Object> values, String regex) {

    public enum Kind {
        /** The value is present and not null. */
        NOT_NULL,
        /** A number at least {@code bound}. */
        MIN,
        /** A number at most {@code bound}. */
        MAX,
        /** One of {@code values}. */
        IN,
        /** Text in which {@code regex} finds a match (anchor it with ^…$ to match the whole value). */
        REGEX,
        /** Not seen before in the same batch. */
        UNIQUE;

        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How counters, metrics and reports name the rule: {@code min:AMOUNT}. A feed has one rule per label. */
    public String label() {
        return kind.json() + ":" + column;
    }
}
