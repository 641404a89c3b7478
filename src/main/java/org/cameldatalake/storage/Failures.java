package org.cameldatalake.storage;

import java.io.IOException;
import org.apache.hadoop.fs.FSError;

/** Failures of lake operations as one line a person can act on. */
public final class Failures {
    private Failures() {
    }

    /**
     * One line saying why a lake operation failed: the messages along the cause chain, without the wrappers that
     * only repeat their cause (Parquet's "Unable to close resource" keeps "No space left on device" as its cause).
     */
    public static String reason(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (m == null || (t.getCause() != null && m.equals(t.getCause().toString())) || out.indexOf(m) >= 0) {
                continue;
            }
            out.append(out.length() == 0 ? "" : ": ").append(m);
        }
        return out.length() == 0 ? e.getClass().getSimpleName() : out.toString();
    }

    /**
     * A failed write as an IOException naming the file. Hadoop's local file system reports a write the disk refused
     * (ENOSPC, EIO) as an {@link FSError}, an {@link Error} that no caller expects; its cause is the IOException the
     * operating system gave.
     */
    static IOException writeFailure(String what, Throwable e) {
        Throwable cause = e instanceof FSError && e.getCause() != null ? e.getCause() : e;
        return new IOException("writing " + what + ": " + cause.getMessage(), cause);
    }
}
