package org.cameldatalake.kafka;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.cameldatalake.sink.AppendWriter;

/**
 * Lets a feed's Kafka consumer thread decode its next batch (JSON, event dates, Avro records) while a writer thread
 * still writes the previous one into Parquet, so that on two cores the two halves of the work overlap. At most one
 * batch per writer is in flight: memory stays bounded and batches land in order. A write that fails has already
 * discarded its unpublished files (none of their offsets was committed); its failure is thrown by the feed's next
 * {@link #submit}, which fails that batch too, so the consumer re-reads from its last commit.
 */
public final class AppendPipeline {
    private final Executor writerThreads;
    private final Map<AppendWriter, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();

    public AppendPipeline(Executor writerThreads) {
        this.writerThreads = writerThreads;
    }

    /**
     * Waits for the feed's previous batch (throwing its failure), runs {@code betweenWrites} (the consumer commits what
     * that batch published: with no write in flight, the writer's lock is free), then starts writing this one.
     */
    public void submit(AppendWriter writer, AppendWriter.DecodedBatch batch, Runnable betweenWrites) throws Exception {
        CompletableFuture<Void> previous = inFlight.remove(writer);
        if (previous != null) {
            try {
                previous.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }
        betweenWrites.run();
        inFlight.put(writer, CompletableFuture.runAsync(() -> {
            try {
                writer.append(batch);
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, writerThreads));
    }

    /**
     * True while a batch of the feed is being written. The consumer thread then leaves the writer alone (its lock is
     * held for the whole write): what it would commit is committed after that write, before the next one starts.
     */
    public boolean writing(AppendWriter writer) {
        CompletableFuture<Void> f = inFlight.get(writer);
        return f != null && !f.isDone();
    }

    /**
     * True while the feed's last write failed and no batch has thrown it yet: on an idle topic no batch would come, so
     * the consumer goes back to its committed offsets, and the records of the failed batch bring the failure out.
     */
    public boolean failed(AppendWriter writer) {
        CompletableFuture<Void> f = inFlight.get(writer);
        return f != null && f.isCompletedExceptionally();
    }

    /**
     * Waits until the batch in flight is written. Rebalance callbacks call it before they publish or reset
     * partitions, so that no older batch lands after them; a failure stays pending for the next {@link #submit}.
     */
    public void awaitWrites(AppendWriter writer) {
        CompletableFuture<Void> f = inFlight.get(writer);
        if (f == null) {
            return;
        }
        try {
            f.join();
            inFlight.remove(writer, f);
        } catch (CompletionException e) {
            // left in place: the consumer's next batch fails with it and re-reads from the last commit
        }
    }
}
