package org.cameldatalake.runtime;

import java.time.Clock;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.ksqldb.KsqlDbExports;
import org.cameldatalake.metadata.ExportLog;
import org.cameldatalake.sink.AppendWriter;
import org.cameldatalake.sink.AppendWriters;
import org.cameldatalake.sink.SnapshotWriter;
import org.cameldatalake.storage.Storage;

/** The writers of the feeds: opened and registered for running feeds, or temporary for one-off work on others. */
final class FeedWriters {
    private final DatalakeSettings settings;
    private final Storage storage;
    private final AppendWriters writers;
    private final KsqlDbExports ksqlDbExports;
    private final ExportLog exportLog;
    private final Clock clock;
    private final java.util.concurrent.Executor partitionThreads;

    FeedWriters(DatalakeSettings settings, Storage storage, AppendWriters writers, KsqlDbExports ksqlDbExports,
                ExportLog exportLog, Clock clock, java.util.concurrent.Executor partitionThreads) {
        this.partitionThreads = partitionThreads;
        this.settings = settings;
        this.storage = storage;
        this.writers = writers;
        this.ksqlDbExports = ksqlDbExports;
        this.exportLog = exportLog;
        this.clock = clock;
    }

    /** The running stream writer of a feed, or null. */
    AppendWriter running(String feed) {
        return writers.byFeed(feed);
    }

    AppendWriter openStreamWriter(FeedDefinition feed, String consumerGroup) throws java.io.IOException {
        AppendWriter existing = writers.byFeed(feed.name());
        if (existing != null) {
            return existing;
        }
        AppendWriter writer = new AppendWriter(feed, storage, settings.append(), clock, exportLog, partitionThreads);
        try {
            writer.start();
        } catch (java.io.IOException | RuntimeException e) {
            writer.close(); // releases its temporary-directory lock
            throw e;
        }
        writers.register(writer, consumerGroup);
        return writer;
    }

    /** Work on a stream feed's writer: the running one, or a temporary one for a feed that does not run. */
    <T> T withStreamWriter(FeedDefinition feed, FeedRouteManager.WriterWork<T> work) throws Exception {
        AppendWriter running = writers.byFeed(feed.name());
        if (running != null) {
            return work.apply(running);
        }
        AppendWriter temporary = new AppendWriter(feed, storage, settings.append(), clock, exportLog, partitionThreads);
        try {
            temporary.start();
            return work.apply(temporary);
        } finally {
            temporary.close();
        }
    }

    /** Work on a table feed's snapshot writer: the registered one, or a temporary one that is not registered. */
    <T> T withSnapshotWriter(FeedDefinition feed, FeedRouteManager.SnapshotWork<T> work) throws Exception {
        SnapshotWriter registered = ksqlDbExports.snapshotWriter(feed.name());
        if (registered != null && registered.feed().equals(feed)) {
            return work.apply(registered);
        }
        SnapshotWriter temporary = new SnapshotWriter(feed, storage, clock, exportLog, settings.append().rowGroupBytes());
        temporary.start();
        return work.apply(temporary);
    }


    /**
     * With one instance per lake ({@code datalake.cluster.service = none}), refuses work on a feed whose folder another
     * live process writes: a service polls or snapshots it on its schedule (it claims the folder while the feed runs).
     * Only stores with process locks can tell (a local disk); elsewhere "one instance per lake" means stopping it first.
     */
    void refuseIfWrittenElsewhere(FeedDefinition feed) throws java.io.IOException {
        org.apache.hadoop.fs.Path folder = new org.cameldatalake.partition.LakeLayout(storage).feedDir(feed.type(), feed.name());
        if (settings.cluster().service().equals("none") && storage.claimedByOthers(folder)) {
            throw new IllegalStateException("feed " + feed.name() + " is being written by another running process (a "
                    + "service claims " + storage.relative(folder) + " and runs its schedule): both at once could lose or "
                    + "repeat an update; stop it first");
        }
    }

    /** The snapshot writer of a table feed, registered for the {@code ksqldb-snapshot} route. */
    SnapshotWriter openSnapshotWriter(FeedDefinition feed) throws java.io.IOException {
        SnapshotWriter existing = ksqlDbExports.snapshotWriter(feed.name());
        if (existing != null && existing.feed().equals(feed)) {
            return existing;
        }
        SnapshotWriter writer = new SnapshotWriter(feed, storage, clock, exportLog, settings.append().rowGroupBytes());
        writer.start();
        ksqlDbExports.register(writer);
        return writer;
    }
}
