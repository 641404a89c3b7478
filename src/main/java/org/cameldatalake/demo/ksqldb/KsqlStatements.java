package org.cameldatalake.demo.ksqldb;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.cameldatalake.demo.ksqldb.InMemorySource.Column;
import org.cameldatalake.demo.ksqldb.SqlLexer.Token;

/**
 * Runs {@code POST /ksql} statements: SHOW/LIST STREAMS, TABLES, TOPICS and DESCRIBE [EXTENDED], producing the
 * entities of §4. SELECT and PRINT are refused with 40002 like ksqlDB; anything else is refused with 40001.
 */
final class KsqlStatements {

    private static final String SUPPORTED = "SHOW|LIST STREAMS; SHOW|LIST TABLES; SHOW|LIST TOPICS; "
            + "DESCRIBE <source> [EXTENDED];";
    private static final Pattern PLAIN_IDENTIFIER = Pattern.compile("[A-Z_][A-Z0-9_]*");

    private record Statement(String text, List<Token> tokens) {
        SqlLexer.Cursor cursor() {
            return new SqlLexer.Cursor(tokens);
        }
    }

    private final String serverName;
    private final Function<String, InMemorySource> lookup;
    private final Supplier<Collection<InMemorySource>> sources;

    /** {@code serverName} names the server in the messages about what it does not support. */
    KsqlStatements(String serverName, Function<String, InMemorySource> lookup,
                   Supplier<Collection<InMemorySource>> sources) {
        this.serverName = serverName;
        this.lookup = lookup;
        this.sources = sources;
    }

    ArrayNode execute(String ksql) {
        List<Statement> statements = split(ksql);
        for (Statement statement : statements) {
            Token first = statement.tokens().get(0);
            if (first.isKeyword("SELECT") || first.isKeyword("PRINT")) {
                throw KsqlError.statement(KsqlError.QUERY_ENDPOINT, "The following statement types should be issued "
                        + "to the websocket endpoint '/query':\n\t* PRINT\n\t* SELECT", statement.text(), Json.array());
            }
        }
        ArrayNode entities = Json.array();
        for (Statement statement : statements) {
            try {
                entities.add(execute(statement, entities));
            } catch (SqlLexer.SyntaxError e) {
                throw KsqlError.syntaxError(e, statement.text());
            }
        }
        return entities;
    }

    private static List<Statement> split(String ksql) {
        List<Token> tokens;
        try {
            tokens = SqlLexer.tokenize(ksql);
        } catch (SqlLexer.SyntaxError e) {
            throw KsqlError.syntaxError(e, ksql);
        }
        List<Statement> statements = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < tokens.size(); i++) {
            Token token = tokens.get(i);
            if (token.kind() == SqlLexer.Kind.EOF) {
                if (i > start) {
                    throw KsqlError.syntaxError(new SqlLexer.SyntaxError(token.line(), token.column(), "Expecting ';'"),
                            ksql.substring(tokens.get(start).offset()).trim());
                }
                break;
            }
            if (token.isSymbol(";")) {
                if (i > start) {
                    List<Token> statementTokens = new ArrayList<>(tokens.subList(start, i + 1));
                    statementTokens.add(new Token(SqlLexer.Kind.EOF, "<EOF>", token.endOffset(), token.endOffset(),
                            token.line(), token.column() + 1));
                    statements.add(new Statement(ksql.substring(tokens.get(start).offset(), token.endOffset()),
                            statementTokens));
                }
                start = i + 1;
            }
        }
        return statements;
    }

    private ObjectNode execute(Statement statement, ArrayNode previousEntities) {
        SqlLexer.Cursor cursor = statement.cursor();
        if (cursor.acceptKeyword("SHOW") || cursor.acceptKeyword("LIST")) {
            if (cursor.acceptKeyword("STREAMS")) {
                end(cursor, statement, previousEntities);
                return sourceList(statement, InMemorySource.Kind.STREAM);
            }
            if (cursor.acceptKeyword("TABLES")) {
                end(cursor, statement, previousEntities);
                return sourceList(statement, InMemorySource.Kind.TABLE);
            }
            if (cursor.acceptKeyword("TOPICS")) {
                end(cursor, statement, previousEntities);
                return topics(statement);
            }
        } else if (cursor.acceptKeyword("DESCRIBE")) {
            String name = cursor.expectIdentifier();
            boolean extended = cursor.acceptKeyword("EXTENDED");
            end(cursor, statement, previousEntities);
            InMemorySource source = lookup.apply(name);
            if (source == null) {
                throw KsqlError.statement(KsqlError.BAD_STATEMENT, "Could not find STREAM/TABLE '" + name
                        + "' in the Metastore", statement.text(), previousEntities.deepCopy());
            }
            return description(statement, source, extended);
        }
        throw unsupported(statement, previousEntities);
    }

    private void end(SqlLexer.Cursor cursor, Statement statement, ArrayNode previousEntities) {
        if (!cursor.peek().isSymbol(";")) {
            throw unsupported(statement, previousEntities);
        }
    }

    private KsqlError unsupported(Statement statement, ArrayNode previousEntities) {
        return KsqlError.statement(KsqlError.BAD_STATEMENT, serverName + " does not support this statement on /ksql. "
                + "Supported: " + SUPPORTED, statement.text(), previousEntities.deepCopy());
    }

    private List<InMemorySource> sorted(InMemorySource.Kind kind) {
        return sources.get().stream()
                .filter(s -> kind == null || s.kind == kind)
                .sorted(Comparator.comparing(s -> s.name))
                .toList();
    }

    private ObjectNode entity(String type, Statement statement) {
        ObjectNode entity = Json.object();
        entity.put("@type", type);
        entity.put("statementText", statement.text());
        return entity;
    }

    private ObjectNode sourceList(Statement statement, InMemorySource.Kind kind) {
        String plural = kind == InMemorySource.Kind.STREAM ? "streams" : "tables";
        ObjectNode entity = entity(plural, statement);
        ArrayNode list = entity.putArray(plural);
        for (InMemorySource source : sorted(kind)) {
            ObjectNode info = list.addObject();
            info.put("type", kind.name());
            info.put("name", source.name);
            info.put("topic", source.topic);
            info.put("keyFormat", source.keyFormat());
            info.put("valueFormat", "JSON");
            info.put("isWindowed", source.windowed());
        }
        entity.putArray("warnings");
        return entity;
    }

    private ObjectNode topics(Statement statement) {
        ObjectNode entity = entity("kafka_topics", statement);
        ArrayNode topics = entity.putArray("topics");
        sorted(null).stream().map(s -> s.topic).distinct().sorted().forEach(topic -> {
            ObjectNode info = topics.addObject();
            info.put("name", topic);
            info.putArray("replicaInfo").add(1);
        });
        entity.putArray("warnings");
        return entity;
    }

    private ObjectNode description(Statement statement, InMemorySource source, boolean extended) {
        ObjectNode entity = entity("sourceDescription", statement);
        ObjectNode description = entity.putObject("sourceDescription");
        description.put("name", source.name);
        if (source.windowed()) {
            description.put("windowType", source.windowType.name());
        } else {
            description.putNull("windowType");
        }
        description.putArray("readQueries");
        ArrayNode writeQueries = description.putArray("writeQueries");
        String createStatement = createStatement(source);
        if (source.windowed()) {
            ObjectNode query = writeQueries.addObject();
            query.put("queryString", createStatement);
            query.putArray("sinks").add(source.name);
            query.putArray("sinkKafkaTopics").add(source.topic);
            query.put("id", "CTAS_" + source.name + "_" + source.sequence);
            query.putObject("statusCount").put("RUNNING", 1);
            query.put("queryType", "PERSISTENT");
            query.put("state", "RUNNING");
        }
        ArrayNode fields = description.putArray("fields");
        List<Column> columns = new ArrayList<>(source.keyColumns());
        columns.addAll(source.valueColumns());
        for (Column column : columns) {
            ObjectNode field = fields.addObject();
            field.put("name", column.name());
            field.set("schema", column.type().schemaInfo());
            if (column.key()) {
                field.put("type", "KEY");
            }
        }
        description.put("type", source.kind.name());
        description.put("timestamp", "");
        description.put("statistics", "");
        description.put("errorStats", "");
        description.put("extended", extended);
        description.put("keyFormat", source.keyFormat());
        description.put("valueFormat", "JSON");
        description.put("topic", source.topic);
        description.put("partitions", 1);
        description.put("replication", 1);
        description.put("statement", createStatement);
        description.putArray("queryOffsetSummaries");
        description.putArray("sourceConstraints");
        description.putArray("clusterStatistics");
        description.putArray("clusterErrorStats");
        entity.putArray("warnings");
        return entity;
    }

    /**
     * A plausible statement that created the source: CREATE STREAM / CREATE SOURCE TABLE (pull-queryable) over the
     * topic, or, for a windowed table, the windowed CTAS (the only place DESCRIBE shows the window size).
     */
    static String createStatement(InMemorySource source) {
        String with = "KAFKA_TOPIC='" + source.topic.replace("'", "''") + "', KEY_FORMAT='" + source.keyFormat()
                + "', PARTITIONS=1, " + (source.windowed() ? "REPLICAS=1, " : "") + "VALUE_FORMAT='JSON'";
        if (source.windowed()) {
            String keys = source.keyColumns().stream().map(c -> sqlName(c.name())).collect(Collectors.joining(", "));
            String values = source.valueColumns().stream()
                    .map(c -> "LATEST_BY_OFFSET(" + sqlName(c.name()) + ") " + sqlName(c.name()))
                    .collect(Collectors.joining(", "));
            return "CREATE TABLE " + sqlName(source.name) + " WITH (" + with + ") AS SELECT " + keys
                    + (values.isEmpty() ? "" : ", " + values) + " FROM " + sqlName(source.name + "_SOURCE") + " WINDOW "
                    + window(source) + " GROUP BY " + keys + " EMIT CHANGES;";
        }
        boolean table = source.kind == InMemorySource.Kind.TABLE;
        String elements = source.columns.stream()
                .map(c -> sqlName(c.name()) + " " + c.type() + (c.key() ? table ? " PRIMARY KEY" : " KEY" : ""))
                .collect(Collectors.joining(", "));
        return "CREATE " + (table ? "SOURCE TABLE " : "STREAM ") + sqlName(source.name) + " (" + elements + ") WITH ("
                + with + ");";
    }

    private static String window(InMemorySource source) {
        long size = source.windowSizeMs;
        return switch (source.windowType) {
            case TUMBLING -> "TUMBLING (SIZE " + size + " MILLISECONDS)";
            case HOPPING -> "HOPPING (SIZE " + size + " MILLISECONDS, ADVANCE BY " + size + " MILLISECONDS)";
            case SESSION -> "SESSION (" + size + " MILLISECONDS)";
        };
    }

    private static String sqlName(String identifier) {
        return PLAIN_IDENTIFIER.matcher(identifier).matches() ? identifier : SqlType.quote(identifier);
    }
}
