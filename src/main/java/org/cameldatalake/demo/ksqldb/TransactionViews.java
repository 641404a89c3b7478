package org.cameldatalake.demo.ksqldb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Seed 000's four ksqlDB streams and four tables on a {@link KsqlDbServer}, kept up to date from the demo's
 * transactions as these ksqlDB statements would keep them (column lists shortened):
 * <pre>
 * CREATE STREAM transaction_stream (TRANSACTION_ID STRING, …) WITH (KAFKA_TOPIC='TRANSACTIONS_SECURE', VALUE_FORMAT='JSON');
 * CREATE STREAM transaction_stream_blacklisted (…) WITH (KAFKA_TOPIC='TRANSACTIONS_BLACKLISTED', VALUE_FORMAT='JSON');
 * CREATE STREAM transaction_flattened AS SELECT TRANSACTION_ID, …, LOCATION-&gt;CITY AS LOCATION_CITY, …,
 *     DEVICE_INFO-&gt;IP_ADDRESS AS DEVICE_INFO_IP_ADDRESS, … FROM transaction_stream;
 * CREATE STREAM transaction_stream_anonymized AS SELECT TRANSACTION_ID, TIMESTAMP, MASK(USER_ID) AS USER_ID,
 *     MASK(USER_NAME) AS USER_NAME, …, LOCATION-&gt;COUNTRY AS COUNTRY, … FROM transaction_stream;
 * CREATE TABLE user_transaction_summary AS SELECT USER_ID, SUM(AMOUNT) AS TOTAL_SPENT, COUNT(*) AS TRANSACTION_COUNT
 *     FROM transaction_stream GROUP BY USER_ID;
 * CREATE TABLE user_transaction_summary_eur AS SELECT USER_ID, SUM(CAST(AMOUNT AS DECIMAL(12, 2))) AS TOTAL_SPENT_EUR,
 *     COUNT(*) AS TRANSACTION_COUNT FROM transaction_stream WHERE CURRENCY = 'EUR' GROUP BY USER_ID;
 * CREATE TABLE payment_method_totals AS SELECT PAYMENT_METHOD, SUM(AMOUNT) AS TOTAL_AMOUNT,
 *     COUNT(*) AS TRANSACTION_COUNT FROM transaction_stream GROUP BY PAYMENT_METHOD;
 * CREATE TABLE product_purchase_counts AS SELECT PRODUCT_ID, COUNT(*) AS PURCHASE_COUNT FROM transaction_stream
 *     WHERE TRANSACTION_TYPE = 'purchase' GROUP BY PRODUCT_ID;
 * </pre>
 * ROWTIME is the Kafka record's timestamp, as for a stream without a TIMESTAMP property. Not thread-safe: one
 * thread feeds it.
 */
final class TransactionViews {
    static final String TRANSACTIONS_TOPIC = "TRANSACTIONS_SECURE";
    static final String BLACKLISTED_TOPIC = "TRANSACTIONS_BLACKLISTED";

    private static final List<String> TRANSACTION = List.of("TRANSACTION_ID STRING", "TIMESTAMP STRING",
            "USER_ID STRING", "USER_NAME STRING", "PRODUCT_ID STRING", "AMOUNT DOUBLE", "CURRENCY STRING",
            "TRANSACTION_TYPE STRING", "STATUS STRING", "LOCATION STRUCT<CITY STRING, COUNTRY STRING>",
            "PAYMENT_METHOD STRING", "PRODUCT_CATEGORY STRING", "QUANTITY INTEGER",
            "SHIPPING_ADDRESS STRUCT<STREET STRING, ZIP STRING, CITY STRING, COUNTRY STRING>",
            "DEVICE_INFO STRUCT<OS STRING, BROWSER STRING, IP_ADDRESS STRING>", "CUSTOMER_RATING INTEGER",
            "DISCOUNT_CODE STRING", "TAX_AMOUNT DOUBLE");
    private static final List<String> FLATTENED = List.of("TRANSACTION_ID STRING", "TIMESTAMP STRING",
            "USER_ID STRING", "USER_NAME STRING", "PRODUCT_ID STRING", "AMOUNT DOUBLE", "CURRENCY STRING",
            "TRANSACTION_TYPE STRING", "STATUS STRING", "LOCATION_CITY STRING", "LOCATION_COUNTRY STRING",
            "PAYMENT_METHOD STRING", "PRODUCT_CATEGORY STRING", "QUANTITY INTEGER", "SHIPPING_ADDRESS_STREET STRING",
            "SHIPPING_ADDRESS_ZIP STRING", "SHIPPING_ADDRESS_CITY STRING", "SHIPPING_ADDRESS_COUNTRY STRING",
            "DEVICE_INFO_OS STRING", "DEVICE_INFO_BROWSER STRING", "DEVICE_INFO_IP_ADDRESS STRING",
            "CUSTOMER_RATING INTEGER", "DISCOUNT_CODE STRING", "TAX_AMOUNT DOUBLE");
    private static final List<String> ANONYMIZED = List.of("TRANSACTION_ID STRING", "TIMESTAMP STRING",
            "USER_ID STRING", "USER_NAME STRING", "PRODUCT_ID STRING", "AMOUNT DOUBLE", "CURRENCY STRING",
            "TRANSACTION_TYPE STRING", "STATUS STRING", "COUNTRY STRING", "PAYMENT_METHOD STRING",
            "PRODUCT_CATEGORY STRING", "QUANTITY INTEGER");

    /** A running sum and count for one key of an aggregate table. */
    private static final class Totals {
        BigDecimal sum = BigDecimal.ZERO;
        double doubleSum;
        long count;

        Totals add(double amount) {
            doubleSum += amount;
            sum = sum.add(BigDecimal.valueOf(amount).setScale(2, RoundingMode.HALF_UP));
            count++;
            return this;
        }
    }

    private final KsqlDbServer.Source transactions;
    private final KsqlDbServer.Source blacklisted;
    private final KsqlDbServer.Source flattened;
    private final KsqlDbServer.Source anonymized;
    private final KsqlDbServer.Source userSummary;
    private final KsqlDbServer.Source userSummaryEur;
    private final KsqlDbServer.Source paymentMethodTotals;
    private final KsqlDbServer.Source productPurchaseCounts;
    private final Map<String, Totals> byUser = new HashMap<>();
    private final Map<String, Totals> byUserEur = new HashMap<>();
    private final Map<String, Totals> byPaymentMethod = new HashMap<>();
    private final Map<String, Totals> purchasesByProduct = new HashMap<>();

    /** Creates the sources on {@code server}; each stream keeps its newest {@code streamRowsKept} rows. */
    TransactionViews(KsqlDbServer server, int streamRowsKept) {
        transactions = server.createStream("TRANSACTION_STREAM", TRANSACTIONS_TOPIC, TRANSACTION, List.of());
        blacklisted = server.createStream("TRANSACTION_STREAM_BLACKLISTED", BLACKLISTED_TOPIC, TRANSACTION, List.of());
        flattened = server.createStream("TRANSACTION_FLATTENED", "TRANSACTION_FLATTENED", FLATTENED, List.of());
        anonymized = server.createStream("TRANSACTION_STREAM_ANONYMIZED", "TRANSACTION_STREAM_ANONYMIZED", ANONYMIZED,
                List.of());
        for (KsqlDbServer.Source stream : List.of(transactions, blacklisted, flattened, anonymized)) {
            stream.keepNewest(streamRowsKept);
        }
        userSummary = table(server, "USER_TRANSACTION_SUMMARY", "USER_ID STRING", "TOTAL_SPENT DOUBLE",
                "TRANSACTION_COUNT BIGINT");
        userSummaryEur = table(server, "USER_TRANSACTION_SUMMARY_EUR", "USER_ID STRING",
                "TOTAL_SPENT_EUR DECIMAL(12, 2)", "TRANSACTION_COUNT BIGINT");
        paymentMethodTotals = table(server, "PAYMENT_METHOD_TOTALS", "PAYMENT_METHOD STRING", "TOTAL_AMOUNT DOUBLE",
                "TRANSACTION_COUNT BIGINT");
        productPurchaseCounts = table(server, "PRODUCT_PURCHASE_COUNTS", "PRODUCT_ID STRING", "PURCHASE_COUNT BIGINT");
    }

    /** A table keyed by its first column; only push queries read its change log, so a short one is kept. */
    private static KsqlDbServer.Source table(KsqlDbServer server, String name, String... columns) {
        KsqlDbServer.Source table = server.createTable(name, name, List.of(columns), List.of(columns[0].split(" ")[0]));
        table.keepNewest(1000);
        return table;
    }

    /** A record of {@value #TRANSACTIONS_TOPIC}: into the transaction stream, the streams and tables derived from it. */
    void transaction(long rowtime, JsonNode value) {
        transactions.insertJson(rowtime, value);
        flattened.insertJson(rowtime, flatten(value));
        anonymized.insertJson(rowtime, anonymize(value));
        String user = value.path("USER_ID").asText();
        double amount = value.path("AMOUNT").asDouble();
        Totals perUser = byUser.computeIfAbsent(user, u -> new Totals()).add(amount);
        userSummary.insert(rowtime, user, perUser.doubleSum, perUser.count);
        if (value.path("CURRENCY").asText().equals("EUR")) {
            Totals eur = byUserEur.computeIfAbsent(user, u -> new Totals()).add(amount);
            userSummaryEur.insert(rowtime, user, eur.sum, eur.count);
        }
        String method = value.path("PAYMENT_METHOD").asText();
        Totals byMethod = byPaymentMethod.computeIfAbsent(method, m -> new Totals()).add(amount);
        paymentMethodTotals.insert(rowtime, method, byMethod.doubleSum, byMethod.count);
        if (value.path("TRANSACTION_TYPE").asText().equals("purchase")) {
            String product = value.path("PRODUCT_ID").asText();
            Totals purchases = purchasesByProduct.computeIfAbsent(product, p -> new Totals()).add(amount);
            productPurchaseCounts.insert(rowtime, product, purchases.count);
        }
    }

    /** A record of {@value #BLACKLISTED_TOPIC}. */
    void blacklisted(long rowtime, JsonNode value) {
        blacklisted.insertJson(rowtime, value);
    }

    /** Nested objects become columns named {@code <OBJECT>_<FIELD>}. */
    private static ObjectNode flatten(JsonNode value) {
        ObjectNode row = Json.object();
        value.fields().forEachRemaining(field -> {
            if (field.getValue().isObject()) {
                field.getValue().fields().forEachRemaining(nested ->
                        row.set(field.getKey() + "_" + nested.getKey(), nested.getValue()));
            } else {
                row.set(field.getKey(), field.getValue());
            }
        });
        return row;
    }

    private static ObjectNode anonymize(JsonNode value) {
        ObjectNode row = value.deepCopy();
        row.put("USER_ID", mask(value.path("USER_ID").asText()));
        row.put("USER_NAME", mask(value.path("USER_NAME").asText()));
        row.set("COUNTRY", value.path("LOCATION").path("COUNTRY"));
        return row;
    }

    /** ksqlDB's {@code MASK}: upper-case letters become X, lower-case x, digits n, anything else -. */
    static String mask(String text) {
        StringBuilder masked = new StringBuilder(text.length());
        text.codePoints().forEach(c -> masked.append(Character.isUpperCase(c) ? 'X'
                : Character.isLowerCase(c) ? 'x' : Character.isDigit(c) ? 'n' : '-'));
        return masked.toString();
    }
}
