package org.cameldatalake.warehouse;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A SQLite warehouse file. It holds the mirrored rows of restricted feeds, the read API's token hashes and its grants,
 * so it is readable by its owner only (0600), or also by the lake's group (0640, with that group) when the lake root
 * belongs to a group other than the service user's own: the group the lake's restricted files are shared with. The
 * file is created so, and an existing one is brought to that mode the first time this process opens it. SQLite gives
 * its journal files the mode of the database file.
 */
final class SqliteFile {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteFile.class);

    private final Path file;
    private final Path lakeRoot;
    private volatile boolean secured;

    private SqliteFile(Path file, Path lakeRoot) {
        this.file = file;
        this.lakeRoot = lakeRoot;
    }

    /** The file of a {@code jdbc:sqlite:<path>} URL, or null for an in-memory database or a {@code file:} URI. */
    static SqliteFile of(String url, Path lakeRoot) {
        String path = url.substring("jdbc:sqlite:".length());
        int query = path.indexOf('?');
        path = query < 0 ? path : path.substring(0, query);
        if (path.isEmpty() || path.startsWith(":") || path.startsWith("file:")) {
            return null;
        }
        return new SqliteFile(Path.of(path).toAbsolutePath(), lakeRoot);
    }

    synchronized void secure() throws SQLException {
        if (secured) {
            return;
        }
        Integer group = lakeGroup();
        Set<PosixFilePermission> mode = PosixFilePermissions.fromString(group == null ? "rw-------" : "rw-r-----");
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(mode)); // SQLite takes an empty file as a new database
        } catch (FileAlreadyExistsException e) {
            // made earlier, or by another process just now
        } catch (UnsupportedOperationException e) {
            secured = true; // not a POSIX file system: nothing to set
            return;
        } catch (IOException e) {
            throw new SQLException("cannot create the warehouse file " + file + ": " + e.getMessage(), e);
        }
        if (group != null) {
            try {
                Files.setAttribute(file, "unix:gid", group);
            } catch (IOException | UnsupportedOperationException e) {
                LOG.warn("warehouse file {}: cannot give it the lake's group {}, so only its owner may read it: {}", file,
                        group, e.toString());
                mode = PosixFilePermissions.fromString("rw-------");
            }
        }
        try {
            Files.setPosixFilePermissions(file, mode);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warn("warehouse file {}: cannot give it mode {}: {}", file, PosixFilePermissions.toString(mode), e.toString());
        }
        secured = true;
    }

    /** The lake root's group id when it is not the service user's own group, else null. */
    private Integer lakeGroup() {
        if (lakeRoot == null) {
            return null;
        }
        try {
            int lake = (Integer) Files.getAttribute(lakeRoot, "unix:gid");
            long own = new com.sun.security.auth.module.UnixSystem().getGid();
            return lake == own ? null : lake;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }
}
