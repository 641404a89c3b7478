package org.cameldatalake.cli;

import java.io.IOException;
import org.cameldatalake.feed.FeedCatalog;
import org.cameldatalake.runtime.DatalakeSettings;
import org.cameldatalake.storage.Storage;
import org.cameldatalake.storage.Storages;

/**
 * The lake and the feed files as the service sees them (same settings), opened without Camel: for the commands that
 * need no routes ({@code feeds list}, {@code feeds validate}, {@code report}, {@code doctor}), which then answer in
 * about a second instead of waiting for Camel, its components and Quartz to start (see {@link CliRuntime}).
 */
final class CliLake implements AutoCloseable {
    private final DatalakeSettings settings;
    private final Storage storage;

    private CliLake(DatalakeSettings settings, Storage storage) {
        this.settings = settings;
        this.storage = storage;
    }

    static CliLake open() throws IOException {
        return open(DatalakeSettings.withoutCamel());
    }

    static CliLake open(DatalakeSettings settings) throws IOException {
        return new CliLake(settings, Storages.open(settings.root(), settings.hadoop()));
    }

    DatalakeSettings settings() {
        return settings;
    }

    Storage storage() {
        return storage;
    }

    /** The active feed files. */
    FeedCatalog catalog() {
        return FeedCatalog.load(settings.feedsDir());
    }

    @Override
    public void close() throws IOException {
        storage.close();
    }
}
