package org.cameldatalake.metadata;

import org.cameldatalake.partition.LakeLayout;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import org.cameldatalake.storage.Failures;
import org.cameldatalake.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code logs/exports-YYYY-MM-DD.jsonl}: one line per export, snapshot or maintenance action. Stores that cannot
 * append (object stores) get one small object per line instead, {@code logs/exports-YYYY-MM-DD-<time>-<id>.jsonl}, so
 * that {@code logs/exports-*.jsonl} reads both and no writer can overwrite another's lines.
 */
public final class ExportLog {
    private static final Logger LOG = LoggerFactory.getLogger(ExportLog.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HHmmssSSS");

    private final Storage storage;
    private final LakeLayout layout;
    private final Clock clock;
    private final ZoneId zone;

    public ExportLog(Storage storage, Clock clock, ZoneId zone) {
        this.storage = storage;
        this.layout = new LakeLayout(storage);
        this.clock = clock;
        this.zone = zone;
    }

    /** The time zone of the lake's day folders ({@code datalake.timezone}). */
    public ZoneId zone() {
        return zone;
    }

    public ObjectNode line(String feed, String action) {
        ObjectNode o = JSON.createObjectNode();
        o.put("time", clock.instant().toString());
        o.put("feed", feed);
        o.put("action", action);
        return o;
    }

    /** Writes the line; a failure to log is reported but never undoes the action it describes. */
    public void write(ObjectNode line) {
        Instant now = clock.instant();
        LocalDate day = now.atZone(zone).toLocalDate();
        try {
            String text = JSON.writeValueAsString(line);
            if (storage.can(Storage.Capability.APPEND)) {
                storage.appendLine(layout.exportLog(day), text);
            } else {
                String name = TIME.format(now.atZone(zone)) + "-" + UUID.randomUUID().toString().substring(0, 8);
                storage.writeNew(layout.exportLogPart(day, name), (text + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not append to the export log: {}", Failures.reason(e));
        }
    }
}
