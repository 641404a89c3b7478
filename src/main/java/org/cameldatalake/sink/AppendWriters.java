package org.cameldatalake.sink;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The append writer of every running stream feed, by feed name and by Kafka consumer group. */
public final class AppendWriters {
    private static final Logger LOG = LoggerFactory.getLogger(AppendWriters.class);
    private final Map<String, AppendWriter> byFeed = new ConcurrentHashMap<>();
    private final Map<String, AppendWriter> byGroup = new ConcurrentHashMap<>();

    public void register(AppendWriter writer, String consumerGroup) {
        byFeed.put(writer.feed().name(), writer);
        if (consumerGroup != null) {
            byGroup.put(consumerGroup, writer);
        }
    }

    public AppendWriter remove(String feed) {
        AppendWriter w = byFeed.remove(feed);
        byGroup.values().removeIf(x -> x == w);
        return w;
    }

    public AppendWriter byFeed(String feed) {
        return byFeed.get(feed);
    }

    public AppendWriter byGroup(String group) {
        return byGroup.get(group);
    }

    public List<AppendWriter> all() {
        return List.copyOf(byFeed.values());
    }

    /** Called by the {@code append-rotation} timer route. */
    public void rotateExpired() {
        for (AppendWriter w : byFeed.values()) {
            try {
                w.rotateExpired();
            } catch (RuntimeException e) {
                LOG.error("rotation of feed {} failed", w.feed().name(), e);
            }
        }
    }

    public void closeAll() {
        for (String feed : List.copyOf(byFeed.keySet())) {
            AppendWriter w = remove(feed);
            if (w != null) {
                w.close();
            }
        }
    }
}
