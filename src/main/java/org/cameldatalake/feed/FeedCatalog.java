package org.cameldatalake.feed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The feeds declared in {@code <feeds dir>/active/*.json}. Invalid files are collected as problems (file and field
 * named) and left out, so that one bad file never stops the other feeds.
 */
public final class FeedCatalog {
    private final Map<String, FeedDefinition> feeds;
    private final List<FeedFileException> problems;

    private FeedCatalog(Map<String, FeedDefinition> feeds, List<FeedFileException> problems) {
        this.feeds = feeds;
        this.problems = problems;
    }

    public static FeedCatalog load(Path feedsDir) {
        return load(feedsDir, "active");
    }

    /** The feeds of {@code <feeds dir>/<folder>} ({@code active} or {@code archived}). */
    public static FeedCatalog load(Path feedsDir, String folder) {
        return load(feedsDir, folder, Map.of());
    }

    /**
     * As {@link #load(Path, String)}, but where several files declare one name, the file in {@code preferred}
     * (the one a running feed came from) keeps it, whatever the name order.
     */
    public static FeedCatalog load(Path feedsDir, String folder, Map<String, Path> preferred) {
        Path active = feedsDir.resolve(folder);
        Map<String, FeedDefinition> feeds = new LinkedHashMap<>();
        List<FeedFileException> problems = new ArrayList<>();
        if (!Files.isDirectory(active)) {
            return new FeedCatalog(feeds, problems);
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(active)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json") && !p.getFileName().toString().startsWith(".")
                            && Files.isRegularFile(p))
                    .sorted().toList();
        } catch (IOException e) {
            problems.add(new FeedFileException(active, null, "cannot be listed: " + e.getMessage()));
            return new FeedCatalog(feeds, problems);
        }
        for (Path file : files) {
            try {
                FeedDefinition feed = FeedFileParser.parse(file);
                FeedDefinition first = feeds.get(feed.name());
                if (first != null && file.equals(preferred.get(feed.name()))) {
                    problems.add(new FeedFileException(first.file(), "feed_name", "'" + feed.name()
                            + "' is already declared by " + file.getFileName() + " (running); this file is ignored"));
                    feeds.put(feed.name(), feed);
                    continue;
                }
                if (first != null) {
                    // keep the first file (in name order) running rather than stopping both
                    problems.add(new FeedFileException(file, "feed_name", "'" + feed.name()
                            + "' is already declared by " + first.file().getFileName() + "; this file is ignored"));
                    continue;
                }
                feeds.put(feed.name(), feed);
            } catch (FeedFileException e) {
                problems.add(e);
            }
        }
        return new FeedCatalog(feeds, problems);
    }

    public List<FeedDefinition> feeds() {
        return List.copyOf(feeds.values());
    }

    public FeedDefinition feed(String name) {
        return feeds.get(name);
    }

    public List<FeedFileException> problems() {
        return List.copyOf(problems);
    }
}
