package org.cameldatalake.demo;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the seed-004 topics the way that seed's producer and ksqlDB queries would: every transaction goes to
 * TRANSACTIONS_SECURE, to TRANSACTIONS_USD (with AMOUNT_USD), to the topic of its status, and every tenth is
 * blacklisted; USER_SPENDING_BY_TYPE and SPEND_LAST_FIVE_MIN_BY_TYPE get aggregate updates.
 */
public final class DemoProducer implements Runnable {
    public static final List<String> TOPICS = List.of("TRANSACTIONS_SECURE", "TRANSACTIONS_USD",
            "TRANSACTIONS_BLACKLISTED", "TRANSACTIONS_FAILED", "TRANSACTIONS_PENDING", "TRANSACTIONS_PROCESSING",
            "TRANSACTIONS_COMPLETED", "USER_SPENDING_BY_TYPE", "SPEND_LAST_FIVE_MIN_BY_TYPE");
    private static final Logger LOG = LoggerFactory.getLogger(DemoProducer.class);

    private static final long HISTORY_MILLIS = 3 * 86_400_000L;

    private final String bootstrap;
    private final int initial;
    private final int perSecond;
    private final CountDownLatch historySent = new CountDownLatch(1);
    private volatile boolean running = true;

    public DemoProducer(String bootstrap, int initial, int perSecond) {
        this.bootstrap = bootstrap;
        this.initial = initial;
        this.perSecond = perSecond;
    }

    public void stop() {
        running = false;
    }

    /**
     * Waits until the initial transactions have been sent and acknowledged (or the producer gave up); false if that
     * took longer than {@code timeout}.
     */
    public boolean awaitHistory(Duration timeout) throws InterruptedException {
        return historySent.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void run() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        TransactionGenerator history = new TransactionGenerator(System.nanoTime(), today, 1);
        TransactionGenerator live = new TransactionGenerator(System.nanoTime() + 1, today, 1);
        SplittableRandom eventTimes = new SplittableRandom(System.nanoTime() + 2);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            // the past three days, never the future: an event dated later today would hold back the ROWTIME
            // watermark of the ksqlDB stream polls until then
            long now = System.currentTimeMillis();
            for (int i = 0; i < initial && running; i++) {
                send(producer, history.next(now - 1 - eventTimes.nextLong(HISTORY_MILLIS)));
            }
            producer.flush();
            historySent.countDown();
            LOG.info("demo producer: {} transactions over 3 days sent to {}; now {} per second", initial,
                    TOPICS.subList(0, 7), perSecond);
            while (running) {
                long start = System.currentTimeMillis();
                for (int i = 0; i < perSecond; i++) {
                    send(producer, live.next(System.currentTimeMillis()));
                }
                Thread.sleep(Math.max(0, 1000 - (System.currentTimeMillis() - start)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("demo producer stopped: {}", e.toString());
        } finally {
            historySent.countDown();
        }
    }

    private static void send(KafkaProducer<String, String> producer, TransactionGenerator.Transaction t) {
        records(t).forEach(producer::send);
    }

    /** The records one transaction makes on the seed-004 topics. */
    public static List<ProducerRecord<String, String>> records(TransactionGenerator.Transaction t) {
        long ts = t.eventTimeMillis();
        List<ProducerRecord<String, String>> out = new java.util.ArrayList<>(6);
        out.add(new ProducerRecord<>("TRANSACTIONS_SECURE", null, ts, t.userId(), t.json()));
        String usd = t.json().substring(0, t.json().length() - 1) + ",\"AMOUNT_USD\":" + t.amount() + "}";
        out.add(new ProducerRecord<>("TRANSACTIONS_USD", null, ts, t.userId(), usd));
        out.add(new ProducerRecord<>("TRANSACTIONS_" + t.status().toUpperCase(Locale.ROOT), null, ts, t.userId(), t.json()));
        if (t.id().hashCode() % 10 == 0) {
            out.add(new ProducerRecord<>("TRANSACTIONS_BLACKLISTED", null, ts, t.userId(), t.json()));
        }
        String key = "{\"USER_ID\":\"" + t.userId() + "\",\"TRANSACTION_TYPE\":\"" + t.type() + "\"}";
        out.add(new ProducerRecord<>("USER_SPENDING_BY_TYPE", null, ts, key, "{\"USER_ID\":\"" + t.userId()
                + "\",\"TRANSACTION_TYPE\":\"" + t.type() + "\",\"TOTAL_SPENT\":" + t.amount() + ",\"TRANSACTION_COUNT\":1}"));
        long windowStart = ts - ts % 300_000;
        out.add(new ProducerRecord<>("SPEND_LAST_FIVE_MIN_BY_TYPE", null, ts, t.type(), "{\"TRANSACTION_TYPE\":\""
                + t.type() + "\",\"WINDOW_START\":" + windowStart + ",\"WINDOW_END\":" + (windowStart + 300_000)
                + ",\"TOTAL_SPENT\":" + t.amount() + "}"));
        return out;
    }
}
