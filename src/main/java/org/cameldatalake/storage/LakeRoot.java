package org.cameldatalake.storage;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The lake root of a file system and the paths below it (DESIGN.md §4.5): every path a store hands out or takes is
 * checked to stay below the root. The root is kept without a trailing slash, however it was written, so that the root
 * itself is recognised as such.
 */
final class LakeRoot {
    private final FileSystem fs;
    private final Path root;
    private final String rootText;
    private final String rootPrefix;

    LakeRoot(FileSystem fs, Path root) {
        this.fs = fs;
        String r = fs.makeQualified(root).toString();
        while (r.endsWith("/") && !r.endsWith("://") && !r.endsWith(":/")) {
            r = r.substring(0, r.length() - 1);
        }
        this.root = new Path(r);
        this.rootText = r;
        this.rootPrefix = r + "/";
    }

    Path root() {
        return root;
    }

    Path path(String... segments) {
        Path p = root;
        for (String s : segments) {
            if (s == null || s.isEmpty() || s.equals(".") || s.equals("..") || s.contains("/") || s.contains("\\")
                    || s.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("unsafe path segment '" + s + "'");
            }
            p = new Path(p, s);
        }
        return checked(p);
    }

    Path checked(Path p) {
        String q = qualified(p);
        if (!q.equals(rootText) && !q.startsWith(rootPrefix)) {
            throw new IllegalArgumentException(p + " is outside the lake root " + root);
        }
        return p;
    }

    String relative(Path p) {
        String q = qualified(p);
        return q.equals(rootText) ? "" : q.substring(rootPrefix.length());
    }

    private String qualified(Path p) {
        String q = fs.makeQualified(p).toString();
        return q.endsWith("/") && q.length() > 1 ? q.substring(0, q.length() - 1) : q;
    }
}
