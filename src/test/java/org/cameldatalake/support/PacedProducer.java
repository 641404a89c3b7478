package org.cameldatalake.support;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.cameldatalake.demo.TransactionGenerator;

/**
 * A live source for tests that crash or cut off the service: seed-004 transactions (unique TRANSACTION_IDs, spread
 * over event days) sent from a background thread at a steady pace, keyed by user so that they spread over the
 * partitions. A test may release them in steps ({@link #allow}) so that production spans its whole scenario. The ids
 * of acknowledged records are what the lake must end up holding, each once; a send that fails fails the test.
 */
public final class PacedProducer implements AutoCloseable {
    private final String topic;
    private final int total;
    private final int perSecond;
    private final TransactionGenerator generator;
    private final KafkaProducer<String, byte[]> producer;
    private final Semaphore allowed = new Semaphore(0);
    private final AtomicInteger sent = new AtomicInteger();
    private final Queue<String> acked = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Thread thread;
    private int released;

    public PacedProducer(String bootstrapServers, String topic, long seed, LocalDate firstDay, int days, int total,
                         int perSecond) {
        this.topic = topic;
        this.total = total;
        this.perSecond = perSecond;
        this.generator = new TransactionGenerator(seed, firstDay, days);
        this.producer = KafkaSupport.producer(bootstrapServers);
        this.thread = new Thread(this::run, "paced-producer-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    /** Lets the producer send up to {@code upTo} records in all (it holds back beyond that). */
    public synchronized PacedProducer allow(int upTo) {
        int target = Math.min(upTo, total);
        if (target > released) {
            allowed.release(target - released);
            released = target;
        }
        return this;
    }

    public PacedProducer allowAll() {
        return allow(total);
    }

    /** Records handed to the Kafka producer so far (acknowledged or not yet). */
    public int sent() {
        return sent.get();
    }

    public int total() {
        return total;
    }

    /** Waits until every record is sent and acknowledged; returns their TRANSACTION_IDs. */
    public List<String> awaitAcknowledged(Duration timeout) throws Exception {
        thread.join(timeout.toMillis());
        if (thread.isAlive()) {
            throw new AssertionError("the producer sent " + sent.get() + " of " + total + " records within " + timeout);
        }
        if (failure.get() != null) {
            throw new AssertionError("a record could not be produced", failure.get());
        }
        if (acked.size() != total) {
            throw new AssertionError(acked.size() + " of " + total + " records acknowledged");
        }
        return List.copyOf(acked);
    }

    private void run() {
        int chunk = Math.max(1, perSecond / 10); // ten sends a second
        try {
            while (sent.get() < total && failure.get() == null) {
                long start = System.nanoTime();
                for (int i = 0; i < chunk && sent.get() < total; i++) {
                    allowed.acquire();
                    TransactionGenerator.Transaction t = generator.next();
                    producer.send(new ProducerRecord<>(topic, null, t.eventTimeMillis(), t.userId(),
                            t.json().getBytes(StandardCharsets.UTF_8)), (metadata, e) -> {
                                if (e == null) {
                                    acked.add(t.id());
                                } else {
                                    failure.compareAndSet(null, e);
                                }
                            });
                    sent.incrementAndGet();
                }
                long left = TimeUnit.MILLISECONDS.toNanos(100) - (System.nanoTime() - start);
                if (left > 0) {
                    TimeUnit.NANOSECONDS.sleep(left); // pacing, not synchronisation: a source sends at its own rate
                }
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        thread.interrupt();
        thread.join(10_000);
        producer.close(Duration.ofSeconds(10));
    }
}
