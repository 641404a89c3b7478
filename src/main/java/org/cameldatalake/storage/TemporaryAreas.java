package org.cameldatalake.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where this process writes before it publishes on a local disk: its {@link TemporaryArea} below each lake folder
 * ({@code <folder>/_temporary/<process>/}, locked while in use) and the temporary siblings of small files
 * ({@code .<name>.<process>.<uuid>.tmp}); and the sweep of what dead processes left of either.
 */
final class TemporaryAreas {
    static final String FOLDER = "_temporary";

    private final LocalStorage storage;
    private final FileSystem fs;
    private final String process = UUID.randomUUID().toString();
    private final Map<String, TemporaryArea> areas = new HashMap<>();

    TemporaryAreas(LocalStorage storage, FileSystem fs) {
        this.storage = storage;
        this.fs = fs;
    }

    /** A new file in this process's area below {@code folder}; the area stays until the file is {@link #done}. */
    synchronized Path newFile(Path folder) throws IOException {
        TemporaryArea area = area(folder);
        Path tmp = new Path(area.dir, UUID.randomUUID() + ".parquet.tmp");
        area.pending++;
        return tmp;
    }

    /** The area below {@code folder} stays, empty or not, until released: a writer of that folder is at work. */
    synchronized void claim(Path folder) throws IOException {
        area(folder).claimed = true;
    }

    synchronized void release(Path folder) {
        TemporaryArea area = areas.remove(key(folder));
        if (area != null) {
            area.close(fs);
        }
    }

    /** A pending file of {@code folder} is done (committed or aborted): an unclaimed, empty temporary area goes. */
    synchronized void done(Path folder) {
        TemporaryArea area = areas.get(key(folder));
        if (area != null && --area.pending <= 0 && !area.claimed) {
            areas.remove(key(folder));
            area.close(fs);
        }
    }

    synchronized void closeAll() {
        areas.values().forEach(a -> a.close(fs));
        areas.clear();
    }

    /** The temporary folder of this process below {@code folder}, created and locked on first use. */
    private TemporaryArea area(Path folder) throws IOException {
        TemporaryArea area = areas.get(key(folder));
        if (area == null) {
            Path dir = new Path(new Path(storage.checked(folder), FOLDER), process);
            if (!fs.mkdirs(dir)) { // worded as Hadoop words a file it cannot create for want of its folder
                throw new IOException("Mkdirs failed to create " + storage.relative(dir) + " in the lake " + storage.root());
            }
            area = new TemporaryArea(dir, ProcessLock.take(storage.local(new Path(dir, ProcessLock.FILE))));
            areas.put(key(folder), area);
        }
        return area;
    }

    private String key(Path folder) {
        return storage.relative(folder);
    }

    /**
     * The temporary sibling {@code .<name>.<process>.<uuid>.tmp} a small file is written to before it replaces
     * {@code dest}. The process in its name tells a dead writer's leftover from a live one's write in progress.
     */
    Path siblingOf(Path dest) {
        return new Path(dest.getParent(), "." + dest.getName() + "." + process + "." + UUID.randomUUID() + ".tmp");
    }

    /** Whether a live process other than this one holds a temporary area below {@code folder}. */
    boolean claimedByOthers(Path folder) throws IOException {
        for (FileStatus dir : storage.list(new Path(storage.checked(folder), FOLDER))) {
            if (dir.isDirectory() && !dir.getPath().getName().equals(process) && holderAlive(dir.getPath())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Deletes the temporary areas below {@code folder} of processes that are gone (areas without a lock: when nothing
     * in them is newer than {@code olderThanMillis}), and the temporary siblings they left anywhere below it.
     */
    int removeAbandoned(Path folder, long olderThanMillis) throws IOException {
        int removed = 0;
        long cutoff = System.currentTimeMillis() - olderThanMillis;
        for (FileStatus dir : storage.list(new Path(storage.checked(folder), FOLDER))) {
            if (dir.getPath().getName().equals(process)) {
                continue;
            }
            java.nio.file.Path lock = storage.local(new Path(dir.getPath(), ProcessLock.FILE));
            boolean abandoned = Files.exists(lock) ? !holderAlive(dir.getPath()) : newest(dir) < cutoff;
            if (abandoned) {
                fs.delete(dir.getPath(), true);
                removed++;
            }
        }
        return removed + removeLeftoverSiblings(storage.checked(folder), folder);
    }

    /**
     * Whether the process named in a temporary sibling's name ({@code .<name>.<process>.<uuid>.tmp}) is this one or
     * holds its temporary folder below {@code claimed} (every process writing a feed claims its folder first).
     */
    private boolean writtenByLiveProcess(Path claimed, String tmpName) {
        String[] parts = tmpName.split("\\.");
        if (parts.length < 4) {
            return false;
        }
        String writer = parts[parts.length - 3];
        return writer.equals(process) || holderAlive(new Path(new Path(claimed, FOLDER), writer));
    }

    /** Whether the process that locked the temporary folder {@code dir} is alive. */
    private boolean holderAlive(Path dir) {
        return ProcessLock.held(storage.local(new Path(dir, ProcessLock.FILE)));
    }

    private long newest(FileStatus dir) throws IOException {
        long newest = dir.getModificationTime();
        for (FileStatus f : storage.listFiles(dir.getPath())) {
            newest = Math.max(newest, f.getModificationTime());
        }
        return newest;
    }

    /**
     * Deletes the temporary siblings that {@link LocalStorage#replace} and {@link LocalStorage#writeNew} leave behind
     * when the process dies mid-write, anywhere below {@code dir} but in temporary areas.
     */
    private int removeLeftoverSiblings(Path claimed, Path dir) throws IOException {
        int n = 0;
        for (FileStatus f : storage.list(dir)) {
            String name = f.getPath().getName();
            if (f.isDirectory() && !name.equals(FOLDER)) {
                n += removeLeftoverSiblings(claimed, f.getPath());
            } else if (f.isFile() && name.startsWith(".") && name.endsWith(".tmp") && !writtenByLiveProcess(claimed, name)) {
                fs.delete(f.getPath(), false);
                n++;
            }
        }
        return n;
    }
}
