package org.cameldatalake.demo;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Transactions shaped like the message of seed 004 (nested LOCATION, SHIPPING_ADDRESS and DEVICE_INFO, nullable
 * DISCOUNT_CODE, a TAX_AMOUNT that is sometimes 0), spread over a few event days. Deterministic for a given seed;
 * every TRANSACTION_ID is unique within one generator.
 */
public final class TransactionGenerator {
    private static final String[] NAMES = {"Johnson", "Smith", "Garcia", "Martin", "Dubois", "Nguyen", "Kowalski", "Rossi"};
    private static final String[] CURRENCIES = {"USD", "EUR", "GBP", "AUD", "JPY", "CAD"};
    private static final String[] TYPES = {"payment", "purchase", "refund", "transfer", "withdrawal", "deposit"};
    private static final String[] STATUSES = {"pending", "completed", "failed", "processing"};
    private static final String[][] PLACES = {{"Guangzhou", "China"}, {"Paris", "France"}, {"Lagos", "Nigeria"},
            {"Austin", "USA"}, {"Berlin", "Germany"}, {"Sydney", "Australia"}, {"Toronto", "Canada"}};
    private static final String[] METHODS = {"apple_pay", "credit_card", "debit_card", "paypal", "bank_transfer"};
    private static final String[] CATEGORIES = {"books", "electronics", "clothing", "home", "sports", "toys"};
    private static final String[] OS = {"MacOS", "Windows", "Linux", "iOS", "Android"};
    private static final String[] BROWSERS = {"Edge", "Chrome", "Firefox", "Safari"};
    private static final DateTimeFormatter ISO_MICROS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final SplittableRandom random;
    private final long firstDayMillis;
    private final int days;
    private final long idSalt;
    private long sequence;

    /** A transaction of this generator: its id, event time, status and JSON text. */
    public record Transaction(String id, long eventTimeMillis, String status, String type, String userId,
                              double amount, String json) {
    }

    public TransactionGenerator(long seed, LocalDate firstDay, int days) {
        this.random = new SplittableRandom(seed);
        this.firstDayMillis = firstDay.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        this.days = days;
        this.idSalt = seed * 0x9E3779B97F4A7C15L;
    }

    public Transaction next() {
        long ts = firstDayMillis + random.nextLong(days * 86_400_000L);
        return next(ts);
    }

    public Transaction next(long eventTimeMillis) {
        long n = sequence++;
        String id = String.format("TXN-%08x%04x", (int) (idSalt ^ (idSalt >>> 32)), n).toUpperCase(Locale.ROOT);
        String user = "USER-" + (1000 + random.nextInt(9000));
        String[] place = pick(PLACES);
        String status = pick(STATUSES);
        String type = pick(TYPES);
        double amount = Math.round(random.nextDouble(1, 1000) * 100) / 100.0;
        int tax = random.nextInt(4);
        String taxAmount = tax == 0 ? "0" : String.valueOf(Math.round(amount * 0.2 * 100) / 100.0);
        String discount = random.nextInt(5) == 0 ? "\"SAVE" + (5 * (1 + random.nextInt(4))) + "\"" : "null";
        StringBuilder b = new StringBuilder(640);
        b.append("{\"TRANSACTION_ID\":\"").append(id)
                .append("\",\"TIMESTAMP\":\"").append(ISO_MICROS.format(Instant.ofEpochMilli(eventTimeMillis)))
                .append("\",\"USER_ID\":\"").append(user)
                .append("\",\"USER_NAME\":\"").append(pick(NAMES))
                .append("\",\"PRODUCT_ID\":\"PROD-").append(100 + random.nextInt(900))
                .append("\",\"AMOUNT\":").append(amount)
                .append(",\"CURRENCY\":\"").append(pick(CURRENCIES))
                .append("\",\"TRANSACTION_TYPE\":\"").append(type)
                .append("\",\"STATUS\":\"").append(status)
                .append("\",\"LOCATION\":{\"CITY\":\"").append(place[0]).append("\",\"COUNTRY\":\"").append(place[1])
                .append("\"},\"PAYMENT_METHOD\":\"").append(pick(METHODS))
                .append("\",\"PRODUCT_CATEGORY\":\"").append(pick(CATEGORIES))
                .append("\",\"QUANTITY\":").append(1 + random.nextInt(10))
                .append(",\"SHIPPING_ADDRESS\":{\"STREET\":\"").append(1 + random.nextInt(999)).append(" Main St")
                .append("\",\"ZIP\":\"").append(10000 + random.nextInt(89999))
                .append("\",\"CITY\":\"").append(place[0]).append("\",\"COUNTRY\":\"").append(place[1])
                .append("\"},\"DEVICE_INFO\":{\"OS\":\"").append(pick(OS))
                .append("\",\"BROWSER\":\"").append(pick(BROWSERS))
                .append("\",\"IP_ADDRESS\":\"").append(random.nextInt(256)).append('.').append(random.nextInt(256))
                .append('.').append(random.nextInt(256)).append('.').append(random.nextInt(256))
                .append("\"},\"CUSTOMER_RATING\":").append(1 + random.nextInt(5))
                .append(",\"DISCOUNT_CODE\":").append(discount)
                .append(",\"TAX_AMOUNT\":").append(taxAmount)
                .append('}');
        return new Transaction(id, eventTimeMillis, status, type, user, amount, b.toString());
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }

    private String[] pick(String[][] values) {
        return values[random.nextInt(values.length)];
    }
}
