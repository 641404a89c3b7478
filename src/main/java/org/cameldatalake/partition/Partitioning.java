package org.cameldatalake.partition;

/**
 * How a feed's files are grouped into folders below its own folder: by event day for streams
 * ({@link DailyPartitioning}), by version for tables ({@link VersionPartitioning}). The one place folder names are
 * built and read back.
 */
public interface Partitioning<K> {
    /** The folder of {@code key}, relative to the feed's folder, with '/' separators. */
    String folder(K key);

    /** The key of a folder relative to the feed's folder (or of a file directly in it), or null when it is not one. */
    K parse(String relativePath);
}
