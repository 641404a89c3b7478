package org.cameldatalake.feed;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.cameldatalake.feed.FeedDefinition.FeedType;
import org.cameldatalake.feed.FeedDefinition.SourceKind;

/** Reads and checks the {@code jdbc} block of a feed file; every problem names the file and the field. */
final class JdbcSourceParser {
    private static final Set<String> FIELDS = Set.of("url", "table", "incremental_column", "user", "password");
    private static final Pattern TABLE = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?$");
    private static final Pattern COLUMN = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]{0,62}$");

    private JdbcSourceParser() {
    }

    /** The feed's JDBC source: required when {@code source} is jdbc, refused otherwise (null then). */
    static JdbcSource parse(Path file, JsonNode root, FeedType type, SourceKind source) throws FeedFileException {
        JsonNode block = root.get("jdbc");
        if (source != SourceKind.JDBC) {
            if (block != null) {
                throw new FeedFileException(file, "jdbc", "is for feeds with \"source\": \"jdbc\"");
            }
            return null;
        }
        for (String other : List.of("ksqldb_source", "kafka_topic", "warehouse", "sql")) {
            if (root.has(other)) {
                throw new FeedFileException(file, other, "does not apply to a JDBC feed (it reads the table in \"jdbc\")");
            }
        }
        if (block == null || !block.isObject()) {
            throw new FeedFileException(file, "jdbc", "is required for a JDBC feed, e.g. {\"url\": "
                    + "\"jdbc:postgresql://db/shop\", \"table\": \"customers\", \"incremental_column\": \"updated_at\"}");
        }
        for (Iterator<String> it = block.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw new FeedFileException(file, "jdbc." + field,
                        "unknown field (known: incremental_column, password, table, url, user)");
            }
        }
        String url = text(file, block, "url", true);
        if (!url.startsWith("jdbc:")) {
            throw new FeedFileException(file, "jdbc.url", "must be a JDBC URL starting with jdbc: (e.g. jdbc:postgresql://db/shop)");
        }
        String table = text(file, block, "table", true);
        if (!TABLE.matcher(table).matches()) {
            throw new FeedFileException(file, "jdbc.table", "'" + table + "' is not a table name (letters, digits and _, "
                    + "optionally schema.table)");
        }
        String column = text(file, block, "incremental_column", false);
        if (type == FeedType.STREAM && column == null) {
            throw new FeedFileException(file, "jdbc.incremental_column", "is required for a stream feed: the column "
                    + "(a timestamp or a growing number) that says which rows are new or changed");
        }
        if (type == FeedType.TABLE && column != null) {
            throw new FeedFileException(file, "jdbc.incremental_column", "does not apply to a table feed, which takes "
                    + "the whole table each time; use \"feed_type\": \"stream\" to land new and changed rows");
        }
        if (column != null && !COLUMN.matcher(column).matches()) {
            throw new FeedFileException(file, "jdbc.incremental_column", "'" + column + "' is not a column name");
        }
        return new JdbcSource(url, table, column, text(file, block, "user", false), text(file, block, "password", false));
    }

    private static String text(Path file, JsonNode block, String field, boolean required) throws FeedFileException {
        JsonNode v = block.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new FeedFileException(file, "jdbc." + field, "is required");
            }
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new FeedFileException(file, "jdbc." + field, "must be a non-empty string"
                    + (field.equals("password") ? "" : ", not " + v));
        }
        return v.asText();
    }
}
