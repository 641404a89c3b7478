package org.cameldatalake.storage;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every store of the lake does the same way through its Hadoop {@link FileSystem}: the root and the checked
 * paths below it, reading, listing (without what the store keeps of writes in progress, {@link #shown}), deleting.
 */
abstract class FileSystemStorage implements Storage {
    private static final Logger LOG = LoggerFactory.getLogger(FileSystemStorage.class);

    protected final Configuration conf;
    protected final FileSystem fs;
    private final LakeRoot lakeRoot;

    FileSystemStorage(Configuration conf, FileSystem fs, Path root) {
        this.conf = conf;
        this.fs = fs;
        this.lakeRoot = new LakeRoot(fs, root);
    }

    /** Whether a listing shows {@code f}: not when it is the store's own trace of a write in progress. */
    protected abstract boolean shown(FileStatus f);

    LakeRoot lakeRoot() {
        return lakeRoot;
    }

    @Override
    public Path root() {
        return lakeRoot.root();
    }

    @Override
    public Configuration conf() {
        return conf;
    }

    @Override
    public Path path(String... segments) {
        return lakeRoot.path(segments);
    }

    @Override
    public Path checked(Path p) {
        return lakeRoot.checked(p);
    }

    @Override
    public String relative(Path p) {
        return lakeRoot.relative(p);
    }

    @Override
    public byte[] read(Path p) throws IOException {
        try (InputStream in = fs.open(checked(p))) {
            return in.readAllBytes();
        }
    }

    @Override
    public boolean exists(Path p) throws IOException {
        return fs.exists(checked(p));
    }

    @Override
    public FileStatus status(Path p) throws IOException {
        return fs.getFileStatus(checked(p));
    }

    @Override
    public List<FileStatus> list(Path dir) throws IOException {
        try {
            List<FileStatus> out = new ArrayList<>();
            for (FileStatus f : fs.listStatus(checked(dir))) {
                if (shown(f)) {
                    out.add(f);
                }
            }
            return out;
        } catch (FileNotFoundException e) {
            return List.of();
        }
    }

    @Override
    public void delete(Path p, boolean recursive) throws IOException {
        if (!fs.delete(checked(p), recursive) && fs.exists(p)) {
            throw new IOException("could not delete " + relative(p));
        }
    }

    @Override
    public void deleteIfEmpty(Path dir) {
        try {
            if (list(dir).isEmpty()) {
                fs.delete(checked(dir), false);
            }
        } catch (IOException e) { // something was published into it meanwhile: it stays
            LOG.debug("the folder {} stays: {}", dir, e.toString());
        }
    }

    @Override
    public void secure(Path file, Path top, short fileMode, short dirMode) throws IOException {
        if (!can(Capability.POSIX_MODES)) {
            return;
        }
        setMode(file, status(file).isDirectory() ? dirMode : fileMode);
        Path topPath = fs.makeQualified(checked(top));
        for (Path dir = fs.makeQualified(file).getParent(); dir != null; dir = dir.getParent()) {
            setMode(dir, dirMode);
            if (dir.equals(topPath)) {
                break;
            }
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + root() + "]";
    }
}
