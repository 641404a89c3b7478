package org.cameldatalake.demo.ksqldb;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.cameldatalake.demo.ksqldb.InMemorySource.Column;
import org.cameldatalake.demo.ksqldb.SelectQuery.Kind;
import org.cameldatalake.demo.ksqldb.SelectQuery.Projection;
import org.cameldatalake.demo.ksqldb.SelectQuery.RowtimeBound;
import org.cameldatalake.demo.ksqldb.SelectQuery.ValueSource;
import org.cameldatalake.demo.ksqldb.SqlLexer.Token;

/**
 * Parses the SELECT subset the server runs and checks it against the sources:
 * {@code SELECT * | [ROWTIME,] col [AS alias], ... FROM src [WHERE ROWTIME <op> <ms|'iso'> [AND ...]] [EMIT CHANGES]
 * [LIMIT n];}. Whatever real ksqlDB rejects is rejected with ksqlDB's message; whatever ksqlDB would run but this
 * server cannot is rejected with a message that says so, naming the server.
 */
final class SelectParser {

    private record SelectItem(Token token, String alias) {
        boolean star() {
            return token.isSymbol("*");
        }
    }

    /** Thrown for statements that are not queries; each endpoint reports those differently. */
    static final class NotAQuery extends RuntimeException {
        NotAQuery() {
            super("not a query");
        }
    }

    static final String SUPPORTED = "SELECT * | [ROWTIME, ...] column [AS alias], ... FROM <source> "
            + "[WHERE ROWTIME <op> <epoch ms | 'timestamp'> [AND ...]] [EMIT CHANGES] [LIMIT n];";
    private static final Set<String> CLAUSES = Set.of("WINDOW", "WHERE", "GROUP", "PARTITION", "HAVING", "EMIT", "LIMIT");
    private static final Set<String> COMPARISONS = Set.of("=", "!=", "<>", "<", "<=", ">", ">=");
    private static final Set<String> PSEUDO_COLUMNS = Set.of("ROWTIME", "ROWPARTITION", "ROWOFFSET");

    private final String serverName;
    private final String sql;
    private final SqlLexer.Cursor cursor;
    private final List<SelectItem> items = new ArrayList<>();
    private final List<RowtimeBound> rowtimeBounds = new ArrayList<>();
    /** Clauses real ksqlDB knows, named as in its pull-query messages (JOIN, WINDOW, GROUP BY, ...). */
    private final Set<String> clauses = new LinkedHashSet<>();
    private final Set<String> pseudoColumnsInWhere = new LinkedHashSet<>();
    private final Set<String> unsupported = new LinkedHashSet<>();
    private boolean emitChanges;
    private Integer limit;

    private SelectParser(String serverName, String sql, List<Token> tokens) {
        this.serverName = serverName;
        this.sql = sql;
        this.cursor = new SqlLexer.Cursor(tokens);
    }

    /** {@code serverName} names the server in the messages about what it does not support. */
    static SelectQuery parse(String serverName, String sql, Function<String, InMemorySource> sources) {
        try {
            return new SelectParser(serverName, sql, SqlLexer.tokenize(sql)).parse(sources);
        } catch (SqlLexer.SyntaxError e) {
            throw KsqlError.syntaxError(e, sql);
        }
    }

    private SelectQuery parse(Function<String, InMemorySource> sources) {
        if (!cursor.peek().isKeyword("SELECT")) {
            if (cursor.atEnd() || !cursor.peek().isIdentifier()) {
                throw cursor.unexpected("a statement");
            }
            throw new NotAQuery();
        }
        cursor.next();
        do {
            parseSelectItem();
        } while (cursor.acceptSymbol(","));
        cursor.expectKeyword("FROM");
        Token sourceToken = cursor.peek();
        String sourceName = cursor.expectIdentifier();
        if (cursor.acceptKeyword("AS") || cursor.peek().isIdentifier() && !isClauseStart(cursor.peek())
                && !isJoinStart(cursor.peek())) {
            cursor.expectIdentifier();
            unsupported.add("source aliases");
        }
        if (isJoinStart(cursor.peek())) {
            clauses.add("JOIN");
            skipClause();
        }
        if (cursor.acceptKeyword("WINDOW")) {
            clauses.add("WINDOW");
            skipClause();
        }
        if (cursor.acceptKeyword("WHERE")) {
            parseWhere();
        }
        if (cursor.acceptKeyword("GROUP")) {
            cursor.expectKeyword("BY");
            clauses.add("GROUP BY");
            skipClause();
        }
        if (cursor.acceptKeyword("PARTITION")) {
            cursor.expectKeyword("BY");
            clauses.add("PARTITION BY");
            skipClause();
        }
        if (cursor.acceptKeyword("HAVING")) {
            clauses.add("HAVING");
            skipClause();
        }
        if (cursor.acceptKeyword("EMIT")) {
            if (cursor.acceptKeyword("FINAL")) {
                unsupported.add("EMIT FINAL");
            } else {
                cursor.expectKeyword("CHANGES");
            }
            emitChanges = true;
        }
        if (cursor.acceptKeyword("LIMIT")) {
            limit = cursor.expectInteger();
        }
        checkSingleStatement();
        InMemorySource source = sources.apply(sourceName);
        if (source == null) {
            throw KsqlError.badStatement("Exception while preparing statement: " + sourceName + " does not exist.",
                    sql);
        }
        try {
            return analyse(source, sourceToken);
        } catch (KsqlError e) {
            // ksqlDB finds these after parsing, while building the query
            throw e.viaFailureHandler();
        }
    }

    private SelectQuery analyse(InMemorySource source, Token sourceToken) {
        Kind kind = emitChanges ? Kind.PUSH
                : source.kind == InMemorySource.Kind.TABLE ? Kind.TABLE_PULL : Kind.STREAM_PULL;
        if (kind != Kind.PUSH) {
            checkPullRestrictions(sourceToken, source);
        }
        unsupported.addAll(clauses);
        if (kind == Kind.PUSH) {
            pseudoColumnsInWhere.forEach(c -> unsupported.add(c + " in WHERE"));
        }
        if (!unsupported.isEmpty()) {
            throw KsqlError.badStatement(serverName + " does not support " + String.join(", ", unsupported)
                    + ". Supported: " + SUPPORTED, sql);
        }
        return new SelectQuery(sql, source, kind, projections(source, kind), List.copyOf(rowtimeBounds), limit);
    }

    private void checkPullRestrictions(Token sourceToken, InMemorySource source) {
        if (!clauses.isEmpty()) {
            throw KsqlError.badStatement("Pull queries don't support " + clauses.iterator().next()
                    + " clauses. See https://cnfl.io/queries for more info.\n"
                    + "Add EMIT CHANGES if you intended to issue a push query.", sql);
        }
        List<String> pseudoInSelect = items.stream()
                .filter(item -> !item.star())
                .map(item -> item.token().value())
                .filter(name -> name.equals("ROWPARTITION") || name.equals("ROWOFFSET"))
                .distinct()
                .toList();
        rejectPseudoColumns("SELECT", pseudoInSelect);
        rejectPseudoColumns("WHERE", List.copyOf(pseudoColumnsInWhere));
        if (source.windowType == InMemorySource.WindowType.SESSION) {
            unsupported.add("pull queries on SESSION-windowed tables (ksqlDB allows only key lookups there, "
                    + "which " + serverName + " does not implement; " + sourceToken.value() + " cannot be scanned)");
        }
    }

    private void rejectPseudoColumns(String clause, List<String> names) {
        if (!names.isEmpty()) {
            throw KsqlError.badStatement("Pull queries don't support the following columns in " + clause
                    + " clauses: " + names.stream().map(SqlType::quote).collect(Collectors.joining(", ")), sql);
        }
    }

    private void checkSingleStatement() {
        cursor.expectSymbol(";");
        if (cursor.atEnd()) {
            return;
        }
        int statements = 1;
        boolean pendingText = false;
        while (!cursor.atEnd()) {
            if (cursor.next().isSymbol(";")) {
                statements++;
                pendingText = false;
            } else {
                pendingText = true;
            }
        }
        throw KsqlError.badStatement("Expected exactly one KSQL statement; found "
                + (statements + (pendingText ? 1 : 0)) + " instead", sql);
    }

    private void parseSelectItem() {
        Token token = cursor.peek();
        if (cursor.acceptSymbol("*")) {
            items.add(new SelectItem(token, null));
            return;
        }
        if (!token.isIdentifier()) {
            if (token.kind() == SqlLexer.Kind.NUMBER || token.kind() == SqlLexer.Kind.STRING) {
                unsupported.add("expressions in SELECT");
                skipSelectExpression();
                return;
            }
            throw cursor.unexpected("a column or *");
        }
        cursor.next();
        Token following = cursor.peek();
        if (!following.isSymbol(",") && !following.isKeyword("FROM") && !following.isKeyword("AS")
                && !following.isIdentifier()) {
            unsupported.add("expressions in SELECT");
            skipSelectExpression();
            return;
        }
        String alias = null;
        if (cursor.acceptKeyword("AS") || cursor.peek().isIdentifier() && !cursor.peek().isKeyword("FROM")) {
            alias = cursor.expectIdentifier();
        }
        items.add(new SelectItem(token, alias));
    }

    private void skipSelectExpression() {
        int depth = 0;
        while (!cursor.atEnd()) {
            Token token = cursor.peek();
            if (depth == 0 && (token.isSymbol(",") || token.isKeyword("FROM"))) {
                return;
            }
            if (token.isSymbol("(")) {
                depth++;
            } else if (token.isSymbol(")")) {
                depth--;
            }
            cursor.next();
        }
    }

    private void parseWhere() {
        do {
            Token column = cursor.peek();
            Token operator = cursor.peek(1);
            if (!column.isIdentifier() || operator.kind() != SqlLexer.Kind.SYMBOL
                    || !COMPARISONS.contains(operator.value())) {
                unsupported.add("WHERE predicates other than ROWTIME comparisons");
                skipClause();
                return;
            }
            cursor.next();
            cursor.next();
            Long literal = timestampLiteral();
            if (literal == null) {
                unsupported.add("WHERE predicates other than ROWTIME comparisons");
                skipClause();
                return;
            }
            if (column.kind() == SqlLexer.Kind.IDENTIFIER && column.value().equals("ROWTIME")) {
                rowtimeBounds.add(new RowtimeBound(operator.value(), literal));
            } else if (column.kind() == SqlLexer.Kind.IDENTIFIER && PSEUDO_COLUMNS.contains(column.value())) {
                pseudoColumnsInWhere.add(column.value());
            } else {
                unsupported.add("WHERE predicates other than ROWTIME comparisons");
            }
        } while (cursor.acceptKeyword("AND"));
        if (!cursor.peek().isSymbol(";") && !isClauseStart(cursor.peek()) && !cursor.atEnd()) {
            unsupported.add("WHERE predicates other than ROWTIME comparisons joined by AND");
            skipClause();
        }
    }

    /** An epoch-millis number or a quoted ISO-8601 timestamp (UTC unless it carries an offset); else null. */
    private Long timestampLiteral() {
        boolean negative = cursor.acceptSymbol("-");
        Token token = cursor.peek();
        if (token.kind() == SqlLexer.Kind.NUMBER && !token.value().contains(".")) {
            cursor.next();
            long value = Long.parseLong(token.value());
            return negative ? -value : value;
        }
        if (token.kind() == SqlLexer.Kind.STRING && !negative) {
            cursor.next();
            return RowtimeBound.parseTimestamp(token.value(), sql);
        }
        return null;
    }


    private List<Projection> projections(InMemorySource source, Kind kind) {
        List<Projection> projections = new ArrayList<>();
        for (SelectItem item : items) {
            if (item.star()) {
                source.keyColumns().forEach(c -> projections.add(column(c, null, kind)));
                if (source.windowed()) {
                    projections.add(pseudo("WINDOWSTART", null, ValueSource.WINDOWSTART, kind));
                    projections.add(pseudo("WINDOWEND", null, ValueSource.WINDOWEND, kind));
                }
                source.valueColumns().forEach(c -> projections.add(column(c, null, kind)));
            } else {
                projections.add(resolve(item, source, kind));
            }
        }
        Set<String> names = new LinkedHashSet<>();
        for (Projection projection : projections) {
            if (!names.add(projection.name())) {
                throw KsqlError.badStatement(serverName + " does not support a column name twice in the "
                        + "projection: " + projection.name() + ". Supported: " + SUPPORTED, sql);
            }
        }
        return List.copyOf(projections);
    }

    private Projection resolve(SelectItem item, InMemorySource source, Kind kind) {
        Token token = item.token();
        String name = token.value();
        if (token.kind() == SqlLexer.Kind.IDENTIFIER) {
            switch (name) {
                case "ROWTIME":
                    return new Projection(aliasOr(item, name), SqlType.BIGINT, false, ValueSource.ROWTIME, -1);
                case "ROWPARTITION":
                    return new Projection(aliasOr(item, name), SqlType.INTEGER, false, ValueSource.ROWPARTITION, -1);
                case "ROWOFFSET":
                    return new Projection(aliasOr(item, name), SqlType.BIGINT, false, ValueSource.ROWOFFSET, -1);
                case "WINDOWSTART":
                    if (source.windowed()) {
                        return pseudo(name, item.alias(), ValueSource.WINDOWSTART, kind);
                    }
                    break;
                case "WINDOWEND":
                    if (source.windowed()) {
                        return pseudo(name, item.alias(), ValueSource.WINDOWEND, kind);
                    }
                    break;
                default:
                    break;
            }
        }
        for (Column column : source.columns) {
            if (column.name().equals(name)) {
                return column(column, item.alias(), kind);
            }
        }
        throw KsqlError.badStatement(token.position() + ": SELECT column '" + name + "' cannot be resolved.", sql);
    }

    private static String aliasOr(SelectItem item, String name) {
        return item.alias() == null ? name : item.alias();
    }

    private static Projection column(Column column, String alias, Kind kind) {
        return new Projection(alias == null ? column.name() : alias, column.type(),
                kind == Kind.TABLE_PULL && column.key(), ValueSource.COLUMN, column.index());
    }

    private static Projection pseudo(String name, String alias, ValueSource source, Kind kind) {
        return new Projection(alias == null ? name : alias, SqlType.BIGINT, kind == Kind.TABLE_PULL, source, -1);
    }

    private static boolean isClauseStart(Token token) {
        return token.kind() == SqlLexer.Kind.IDENTIFIER && CLAUSES.contains(token.value());
    }

    private static boolean isJoinStart(Token token) {
        return token.kind() == SqlLexer.Kind.IDENTIFIER
                && Set.of("JOIN", "INNER", "LEFT", "RIGHT", "FULL").contains(token.value());
    }

    /** Skips the rest of a clause the server only needs to recognise. */
    private void skipClause() {
        int depth = 0;
        while (!cursor.atEnd()) {
            Token token = cursor.peek();
            if (depth == 0 && (token.isSymbol(";") || isClauseStart(token))) {
                return;
            }
            if (token.isSymbol("(")) {
                depth++;
            } else if (token.isSymbol(")")) {
                depth--;
            }
            cursor.next();
        }
    }
}
