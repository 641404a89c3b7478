package org.cameldatalake.quality;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;

/** Each rule on Avro records as the writers produce them (Utf8 text, decimals as bytes, nested records, nulls). */
class QualityCheckerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Schema PRICE = LogicalTypes.decimal(10, 2).addToSchema(Schema.create(Schema.Type.BYTES));
    private static final Schema LOCATION = SchemaBuilder.record("LOCATION").fields()
            .optionalString("CITY").optionalString("COUNTRY").endRecord();
    private static final Schema ROW = SchemaBuilder.record("row").fields()
            .optionalString("TRANSACTION_ID")
            .optionalDouble("AMOUNT")
            .name("PRICE").type().unionOf().nullType().and().type(PRICE).endUnion().nullDefault()
            .optionalString("CURRENCY")
            .optionalString("USER_ID")
            .optionalInt("QUANTITY")
            .name("LOCATION").type().unionOf().nullType().and().type(LOCATION).endUnion().nullDefault()
            .endRecord();

    private static QualityChecker checker(String rules) throws Exception {
        return new QualityChecker(QualityRules.parse(JSON.readTree(rules)));
    }

    private static GenericRecord row(String id, Double amount, String price, String currency, String user, Integer quantity,
                                     String city) {
        GenericData.Record r = new GenericData.Record(ROW);
        r.put("TRANSACTION_ID", id == null ? null : new Utf8(id)); // Parquet and Avro readers hand out Utf8
        r.put("AMOUNT", amount);
        r.put("PRICE", price == null ? null
                : ByteBuffer.wrap(new BigDecimal(price).setScale(2).unscaledValue().toByteArray()));
        r.put("CURRENCY", currency);
        r.put("USER_ID", user);
        r.put("QUANTITY", quantity);
        if (city != null) {
            GenericData.Record location = new GenericData.Record(LOCATION);
            location.put("CITY", city);
            r.put("LOCATION", location);
        }
        return r;
    }

    private static GenericRecord good() {
        return row("TXN-1", 12.5, "9.99", "USD", "user_1", 2, "Paris");
    }

    private static String reason(QualityBatch batch, GenericRecord r) {
        Violation v = batch.check(r);
        return v == null ? null : v.reason();
    }

    @Test
    void notNull() throws Exception {
        QualityBatch batch = checker("[{\"column\":\"TRANSACTION_ID\",\"rule\":\"not_null\"}]").newBatch();
        assertThat(reason(batch, good())).isNull();
        assertThat(reason(batch, row(null, 1.0, null, null, null, null, null)))
                .isEqualTo("rule not_null on TRANSACTION_ID: null");
        assertThat(reason(batch, row("", 1.0, null, null, null, null, null))).isNull(); // empty text is a value
    }

    @Test
    void minAndMaxOnDoublesIntegersAndDecimals() throws Exception {
        QualityBatch batch = checker("""
                [{"column":"AMOUNT","rule":"min","value":0},{"column":"AMOUNT","rule":"max","value":1000},
                 {"column":"QUANTITY","rule":"min","value":1},{"column":"PRICE","rule":"max","value":99.99}]""").newBatch();
        assertThat(reason(batch, good())).isNull();
        assertThat(reason(batch, row("a", 0.0, "99.99", null, null, 1, null))).isNull(); // bounds are inclusive
        assertThat(reason(batch, row("a", -3.0, null, null, null, null, null))).isEqualTo("rule min on AMOUNT: -3 < 0");
        assertThat(reason(batch, row("a", 1000.01, null, null, null, null, null)))
                .isEqualTo("rule max on AMOUNT: 1000.01 > 1000");
        assertThat(reason(batch, row("a", 5.0, null, null, null, 0, null))).isEqualTo("rule min on QUANTITY: 0 < 1");
        assertThat(reason(batch, row("a", 5.0, "100.00", null, null, 3, null))).isEqualTo("rule max on PRICE: 100.00 > 99.99");
        assertThat(reason(batch, row("a", Double.NaN, null, null, null, null, null))).isEqualTo("rule min on AMOUNT: NaN is not a number");
        assertThat(reason(batch, row("a", Double.POSITIVE_INFINITY, null, null, null, null, null)))
                .isEqualTo("rule max on AMOUNT: Infinity > 1000");
        assertThat(reason(batch, row("a", null, null, null, null, null, null))).isNull(); // null breaks only not_null
    }

    @Test
    void minOnTextIsBroken() throws Exception {
        QualityBatch batch = checker("[{\"column\":\"CURRENCY\",\"rule\":\"min\",\"value\":0}]").newBatch();
        assertThat(reason(batch, good())).isEqualTo("rule min on CURRENCY: 'USD' is not a number");
    }

    @Test
    void in() throws Exception {
        QualityBatch batch = checker("""
                [{"column":"CURRENCY","rule":"in","values":["USD","EUR"]},{"column":"QUANTITY","rule":"in","values":[1,2,3]}]""")
                .newBatch();
        assertThat(reason(batch, good())).isNull();
        assertThat(reason(batch, row("a", 1.0, null, "GBP", null, 2, null)))
                .isEqualTo("rule in on CURRENCY: 'GBP' not in ['USD', 'EUR']");
        assertThat(reason(batch, row("a", 1.0, null, "usd", null, 2, null))).startsWith("rule in on CURRENCY: 'usd'");
        assertThat(reason(batch, row("a", 1.0, null, "EUR", null, 4, null))).isEqualTo("rule in on QUANTITY: 4 not in [1, 2, 3]");
    }

    @Test
    void regexFindsAMatchAnchorsMatchTheWholeValue() throws Exception {
        QualityBatch batch = checker("[{\"column\":\"USER_ID\",\"rule\":\"regex\",\"value\":\"^user_\\\\d+$\"}]").newBatch();
        assertThat(reason(batch, good())).isNull();
        assertThat(reason(batch, row("a", 1.0, null, null, "USER-1234", null, null)))
                .isEqualTo("rule regex on USER_ID: 'USER-1234' does not match ^user_\\d+$");
        assertThat(reason(batch, row("a", 1.0, null, null, "user_12x", null, null))).isNotNull();
        QualityBatch unanchored = checker("[{\"column\":\"USER_ID\",\"rule\":\"regex\",\"value\":\"\\\\d\"}]").newBatch();
        assertThat(reason(unanchored, row("a", 1.0, null, null, "abc7", null, null))).isNull();
    }

    @Test
    void uniqueWithinABatchOnly() throws Exception {
        QualityChecker checker = checker("[{\"column\":\"TRANSACTION_ID\",\"rule\":\"unique\"}]");
        QualityBatch first = checker.newBatch();
        assertThat(reason(first, row("TXN-1", 1.0, null, null, null, null, null))).isNull();
        assertThat(reason(first, row("TXN-2", 1.0, null, null, null, null, null))).isNull();
        assertThat(reason(first, row("TXN-1", 2.0, null, null, null, null, null)))
                .isEqualTo("rule unique on TRANSACTION_ID: 'TXN-1' already in this batch");
        assertThat(reason(first, row(null, 2.0, null, null, null, null, null))).isNull();
        assertThat(reason(first, row(null, 2.0, null, null, null, null, null))).isNull(); // nulls are not values
        QualityBatch second = checker.newBatch();
        assertThat(reason(second, row("TXN-1", 1.0, null, null, null, null, null))).isNull(); // a new batch forgets
    }

    @Test
    void uniqueNumbersCompareByValue() throws Exception {
        QualityBatch batch = checker("[{\"column\":\"PRICE\",\"rule\":\"unique\"}]").newBatch();
        assertThat(reason(batch, row("a", null, "1.5", null, null, null, null))).isNull();
        assertThat(reason(batch, row("b", null, "1.50", null, null, null, null)))
                .isEqualTo("rule unique on PRICE: 1.50 already in this batch");
    }

    @Test
    void aRejectedRecordDoesNotTakeItsValueOutOfPlay() throws Exception {
        QualityBatch batch = checker("""
                [{"column":"TRANSACTION_ID","rule":"unique"},{"column":"AMOUNT","rule":"min","value":0}]""").newBatch();
        assertThat(reason(batch, row("TXN-1", -1.0, null, null, null, null, null))).isEqualTo("rule min on AMOUNT: -1 < 0");
        assertThat(reason(batch, row("TXN-1", 5.0, null, null, null, null, null))).isNull(); // the first one did not land
        assertThat(reason(batch, row("TXN-1", 6.0, null, null, null, null, null))).startsWith("rule unique");
    }

    @Test
    void theFirstRuleBrokenIsTheOneCharged() throws Exception {
        QualityChecker checker = checker("""
                [{"column":"TRANSACTION_ID","rule":"not_null"},{"column":"AMOUNT","rule":"min","value":0},
                 {"column":"CURRENCY","rule":"in","values":["USD","EUR"]}]""");
        QualityBatch batch = checker.newBatch();
        Violation v = batch.check(row(null, -1.0, null, "GBP", null, null, null));
        assertThat(v.ruleName()).isEqualTo("not_null");
        assertThat(v.column()).isEqualTo("TRANSACTION_ID");
        assertThat(batch.check(row("a", -1.0, null, "GBP", null, null, null)).valueJson().toString()).isEqualTo("-1");
        assertThat(batch.check(row("a", 1.0, null, "GBP", null, null, null)).valueJson().asText()).isEqualTo("GBP");
        assertThat(batch.check(good())).isNull();
        assertThat(batch.rejectedByRule()).containsExactly(Map.entry("not_null:TRANSACTION_ID", 1L),
                Map.entry("min:AMOUNT", 1L), Map.entry("in:CURRENCY", 1L));
        assertThat(batch.rejected()).isEqualTo(3);
        assertThat(checker.rejectedByRule()).containsOnlyKeys("not_null:TRANSACTION_ID", "min:AMOUNT", "in:CURRENCY")
                .allSatisfy((rule, n) -> assertThat(n).isZero()); // nothing is published until the batch commits
        batch.commit();
        batch.commit(); // once
        QualityBatch next = checker.newBatch();
        next.check(row("a", -5.0, null, "USD", null, null, null));
        next.commit();
        assertThat(checker.rejectedByRule()).containsExactly(Map.entry("not_null:TRANSACTION_ID", 1L),
                Map.entry("min:AMOUNT", 2L), Map.entry("in:CURRENCY", 1L));
    }

    @Test
    void nestedColumnsByDottedPath() throws Exception {
        QualityBatch batch = checker("""
                [{"column":"LOCATION.CITY","rule":"not_null"},{"column":"LOCATION.CITY","rule":"in","values":["Paris","Lagos"]}]""")
                .newBatch();
        assertThat(reason(batch, good())).isNull();
        assertThat(reason(batch, row("a", 1.0, null, null, null, null, "Austin")))
                .isEqualTo("rule in on LOCATION.CITY: 'Austin' not in ['Paris', 'Lagos']");
        assertThat(reason(batch, row("a", 1.0, null, null, null, null, null))) // LOCATION itself is null
                .isEqualTo("rule not_null on LOCATION.CITY: null");
    }

    @Test
    void columnsARecordDoesNotHaveAreNamedBeforehandAndReadAsNull() throws Exception {
        QualityRules rules = QualityRules.parse(JSON.readTree("""
                [{"column":"AMOUNT","rule":"min","value":0},{"column":"AMOUNTT","rule":"not_null"},
                 {"column":"LOCATION.ZIP","rule":"not_null"},{"column":"LOCATION.CITY","rule":"not_null"}]"""));
        assertThat(rules.unknownColumns(ROW)).containsExactly(
                "[1].column: AMOUNTT is not a column (columns: TRANSACTION_ID, AMOUNT, PRICE, CURRENCY, USER_ID, QUANTITY, LOCATION)",
                "[2].column: LOCATION.ZIP is not a column (columns: TRANSACTION_ID, AMOUNT, PRICE, CURRENCY, USER_ID, QUANTITY, LOCATION)");
        assertThat(new QualityChecker(rules).newBatch().check(good()).reason()).isEqualTo("rule not_null on AMOUNTT: null");
    }

    @Test
    void aRejectedRowReadsBackAsJsonWithItsDecimalsAndNesting() {
        assertThat(QualityChecker.rowJson(good()).toString()).isEqualTo("{\"TRANSACTION_ID\":\"TXN-1\",\"AMOUNT\":12.5,"
                + "\"PRICE\":9.99,\"CURRENCY\":\"USD\",\"USER_ID\":\"user_1\",\"QUANTITY\":2,"
                + "\"LOCATION\":{\"CITY\":\"Paris\",\"COUNTRY\":null}}");
    }

    @Test
    void aBatchOfManyRecordsCountsEveryRule() throws Exception {
        QualityChecker checker = checker("""
                [{"column":"TRANSACTION_ID","rule":"unique"},{"column":"AMOUNT","rule":"min","value":0}]""");
        QualityBatch batch = checker.newBatch();
        List<Violation> broken = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            Violation v = batch.check(row("TXN-" + (i % 5_000), i % 7 == 0 ? -1.0 : 1.0, null, null, null, null, null));
            if (v != null) {
                broken.add(v);
            }
        }
        // ids 0..4999 land once each unless their first occurrence broke min; every repeat of a landed id is a duplicate
        long negatives = broken.stream().filter(v -> v.ruleName().equals("min")).count();
        long duplicates = broken.stream().filter(v -> v.ruleName().equals("unique")).count();
        assertThat(negatives + duplicates).isEqualTo(batch.rejected());
        assertThat(10_000 - batch.rejected()).isEqualTo(5_000); // every id lands exactly once
    }
}
