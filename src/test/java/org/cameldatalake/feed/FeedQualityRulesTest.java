package org.cameldatalake.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.cameldatalake.quality.QualityRule;
import org.cameldatalake.quality.QualityRule.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A feed file's {@code quality} list: what loads, and every way a bad list names its file and field. */
class FeedQualityRulesTest {
    private static final Path FILE = Path.of("feeds/active/payments.json");
    private static final String RULES = """
            [{"column":"AMOUNT","rule":"min","value":0},{"column":"TRANSACTION_ID","rule":"not_null"},
             {"column":"CURRENCY","rule":"in","values":["USD","EUR"]},{"column":"USER_ID","rule":"regex","value":"^user_\\\\d+$"},
             {"column":"TRANSACTION_ID","rule":"unique"},{"column":"AMOUNT","rule":"max","value":10000.5},
             {"column":"LOCATION.COUNTRY","rule":"in","values":["France", 33, true]}]""";

    private static String feed(String quality) {
        return "{\"feed_name\": \"payments\", \"feed_type\": \"stream\", \"quality\": " + quality + "}";
    }

    @Test
    void theRulesOfTheIssueLoad() throws Exception {
        FeedDefinition f = FeedFileParser.parse(FILE, feed(RULES));
        List<QualityRule> rules = f.quality().rules();
        assertThat(rules).extracting(QualityRule::label).containsExactly("min:AMOUNT", "not_null:TRANSACTION_ID",
                "in:CURRENCY", "regex:USER_ID", "unique:TRANSACTION_ID", "max:AMOUNT", "in:LOCATION.COUNTRY");
        assertThat(rules.get(0)).isEqualTo(new QualityRule("AMOUNT", Kind.MIN, new BigDecimal("0"), null, null));
        assertThat(rules.get(2).values()).containsExactly("USD", "EUR");
        assertThat(rules.get(3).regex()).isEqualTo("^user_\\d+$");
        assertThat(rules.get(6).values()).containsExactly("France", new BigDecimal("33"), true);
    }

    @Test
    void aFeedWithoutRulesHasNone() throws Exception {
        assertThat(FeedFileParser.parse(FILE, "{\"feed_name\": \"payments\", \"feed_type\": \"stream\"}").quality().isEmpty())
                .isTrue();
        assertThat(FeedFileParser.parse(FILE, feed("[]")).quality().isEmpty()).isTrue();
    }

    @Test
    void toolsWriteTheRulesBackUnchanged() throws Exception {
        FeedDefinition f = FeedFileParser.parse(FILE, feed(RULES));
        FeedDefinition again = FeedFileParser.parse(FILE, FeedFileParser.toJson(f).toString());
        assertThat(again).isEqualTo(f);
    }

    static Stream<Arguments> badRuleLists() {
        return Stream.of(
                Arguments.of("{\"column\":\"AMOUNT\"}", "quality", "must be an array of rules"),
                Arguments.of("[{\"column\":\"A\",\"rule\":\"not_null\"}, 3]", "quality[1]", "must be an object"),
                Arguments.of("[{\"column\":\"A\",\"rule\":\"not_null\"},{\"column\":\"B\",\"rule\":\"min\",\"value\":1},"
                        + "{\"column\":\"C\",\"rule\":\"foo\"}]", "quality[2].rule", "unknown rule 'foo' (known: not_null, min, max, in, regex, unique)"),
                Arguments.of("[{\"column\":\"A\",\"rule\":\"NOT_NULL\"}]", "quality[0].rule", "unknown rule 'NOT_NULL'"),
                Arguments.of("[{\"rule\":\"not_null\"}]", "quality[0].column", "is required"),
                Arguments.of("[{\"column\":\"A\"}]", "quality[0].rule", "is required"),
                Arguments.of("[{\"column\":\"A B\",\"rule\":\"not_null\"}]", "quality[0].column", "is not a column name or dotted path"),
                Arguments.of("[{\"column\":\"A\",\"rule\":\"min\"}]", "quality[0].value", "rule 'min' needs a number"),
                Arguments.of("[{\"column\":\"A\",\"rule\":\"max\",\"value\":\"10\"}]", "quality[0].value", "must be a number, not \"10\""),
                Arguments.of("[{\"column\":\"A\",\"rule\":\"in\"}]", "quality[0].values", "needs a non-empty array"),
                Arguments.of("[{\"column\":\"A\",\"rule\":\"in\",\"values\":[]}]", "quality[0].values", "needs a non-empty array"),
                Arguments.of("[{\"column\":\"A\",\"rule\":\"in\",\"values\":[\"x\",{}]}]", "quality[0].values[1]", "must be a string, number or boolean"),
                Arguments.of("[{\"column\":\"A\",\"rule\":\"in\",\"value\":\"x\"}]", "quality[0].value", "takes \"values\""),
                Arguments.of("[{\"column\":\"A\",\"rule\":\"regex\",\"value\":\"^user_(\\\\d+$\"}]", "quality[0].value", "is not a regular expression"),
                Arguments.of("[{\"column\":\"A\",\"rule\":\"regex\"}]", "quality[0].value", "rule 'regex' needs a pattern"),
                Arguments.of("[{\"column\":\"A\",\"rule\":\"not_null\",\"value\":1}]", "quality[0].value", "takes no value"),
                Arguments.of("[{\"column\":\"A\",\"rule\":\"min\",\"value\":1,\"values\":[1]}]", "quality[0].values", "is for rule 'in' only"),
                Arguments.of("[{\"column\":\"A\",\"rule\":\"unique\",\"when\":\"always\"}]", "quality[0].when", "unknown field"),
                Arguments.of("[{\"column\":\"A\",\"rule\":\"min\",\"value\":1},{\"column\":\"A\",\"rule\":\"min\",\"value\":2}]",
                        "quality[1]", "a second 'min' rule on A"),
                Arguments.of("[{\"column\":\"A\",\"rule\":\"max\",\"value\":1},{\"column\":\"A\",\"rule\":\"min\",\"value\":2}]",
                        "quality[1].value", "min 2 is above max 1 on A"));
    }

    @ParameterizedTest
    @MethodSource("badRuleLists")
    void aBadRuleListNamesFileAndField(String quality, String field, String problem) {
        FeedFileException e = catchThrowableOfType(() -> FeedFileParser.parse(FILE, feed(quality)), FeedFileException.class);
        assertThat(e).as(quality).isNotNull();
        assertThat(e.file()).isEqualTo(FILE);
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.getMessage()).startsWith(FILE + ": field '" + field + "': ").contains(problem);
    }

    @Test
    void aBadRuleListKeepsItsFeedOutWhileTheOthersLoad(@TempDir Path dir) throws Exception {
        Path active = Files.createDirectories(dir.resolve("active"));
        Files.writeString(active.resolve("bad.json"), "{\"feed_name\": \"bad\", \"feed_type\": \"stream\", \"quality\": "
                + "[{\"column\":\"A\",\"rule\":\"foo\"}]}");
        Files.writeString(active.resolve("good.json"), "{\"feed_name\": \"good\", \"feed_type\": \"stream\", \"quality\": "
                + RULES + "}");
        FeedCatalog catalog = FeedCatalog.load(dir);
        assertThat(catalog.feeds()).extracting(FeedDefinition::name).containsExactly("good");
        assertThat(catalog.problems()).singleElement().satisfies(p ->
                assertThat(p.getMessage()).isEqualTo(active.resolve("bad.json")
                        + ": field 'quality[0].rule': unknown rule 'foo' (known: not_null, min, max, in, regex, unique)"));
    }
}
