package org.cameldatalake.metadata;

import org.cameldatalake.storage.LakeStorage;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code logs/exports-YYYY-MM-DD.jsonl}: one line per export, snapshot or maintenance action. */
public final class ExportLog {
    private static final Logger LOG = LoggerFactory.getLogger(ExportLog.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LakeStorage storage;
    private final Clock clock;
    private final ZoneId zone;

    public ExportLog(LakeStorage storage, Clock clock, ZoneId zone) {
        this.storage = storage;
        this.clock = clock;
        this.zone = zone;
    }

    public ObjectNode line(String feed, String action) {
        ObjectNode o = JSON.createObjectNode();
        o.put("time", clock.instant().toString());
        o.put("feed", feed);
        o.put("action", action);
        return o;
    }

    /** Appends the line; a failure to log is reported but never undoes the action it describes. */
    public void write(ObjectNode line) {
        LocalDate day = clock.instant().atZone(zone).toLocalDate();
        try {
            storage.appendLine(storage.path("logs", "exports-" + day + ".jsonl"), JSON.writeValueAsString(line));
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not append to the export log: {}", LakeStorage.reason(e));
        }
    }
}
