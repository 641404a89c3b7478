package org.cameldatalake.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's raw local file system with modes set through java.nio. Without Hadoop's native library (as in this
 * service) it forks {@code chmod} for each mode it sets, and it sets one on every file and folder it creates: three
 * forks per published file and its metadata.
 */
public class ForklessLocalFileSystem extends RawLocalFileSystem {
    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
        String rwx = new FsPermission((short) (permission.toShort() & 0777)).toString();
        Files.setPosixFilePermissions(pathToFile(p).toPath(), PosixFilePermissions.fromString(rwx));
    }
}
