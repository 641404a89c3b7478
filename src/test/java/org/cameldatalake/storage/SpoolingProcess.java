package org.cameldatalake.storage;

import java.io.OutputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A process that holds a pending file in its spool and waits to be killed: {@code <spool parent> <lake root>
 * <key=value>…}. Prints {@code SPOOLING <spool folder>} once the file is written.
 */
public final class SpoolingProcess {
    private SpoolingProcess() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> hadoop = new HashMap<>();
        for (int i = 2; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            hadoop.put(kv[0], kv[1]);
        }
        try (Storage storage = Storages.open(args[1], hadoop, Path.of(args[0]))) {
            Storage.PendingFile pending = storage.create(storage.path("streams"));
            OutputStream out = pending.create(0);
            out.write(new byte[1 << 20]);
            out.flush();
            System.out.println("SPOOLING " + Path.of(pending.getPath()).getParent());
            System.out.flush();
            System.in.read();
        }
    }
}
