package org.cameldatalake.cli;

import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.cameldatalake.feed.SelectQuery;
import org.cameldatalake.query.LakeViews;
import org.cameldatalake.query.QueryAccess;
import org.cameldatalake.query.ResultPrinter;
import org.cameldatalake.runtime.DatalakeRuntime;
import org.cameldatalake.warehouse.Permissions;
import org.cameldatalake.warehouse.Principals;
import org.cameldatalake.warehouse.Warehouse;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "query", description = {"Answer a SQL query (DuckDB's dialect) over the lake: every feed is a view of its name.",
        "Stream feeds have the partition columns year, month, day (a filter on them skips the other partitions' files);",
        "table feeds read their current version. Without --principal or --all only public feeds are visible.",
        "Exit status 1 when the query fails, 2 for bad input (not one SELECT, no such file)."})
public final class QueryCommand implements Callable<Integer> {
    static final int BAD_INPUT = 2;

    @Parameters(arity = "0..1", paramLabel = "SQL", description = "the query, e.g. \"SELECT count(*) FROM transactions_secure WHERE year = 2025\"")
    String sql;

    @Option(names = "--file", paramLabel = "FILE", description = "read the query from this file instead")
    Path file;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "table (the first " + ResultPrinter.TABLE_ROWS + " rows, aligned), csv or json (default ${DEFAULT-VALUE})")
    String format;

    static final class Reader {
        @Option(names = "--principal", paramLabel = "NAME", description = "read as this principal: public feeds and those it holds a grant on")
        String principal;
        @Option(names = "--all", description = "read every feed, restricted ones included, as the lake's owner")
        boolean all;
    }

    @ArgGroup(exclusive = true)
    Reader reader;

    @Override
    public Integer call() throws Exception {
        ResultPrinter.Format output;
        try {
            output = ResultPrinter.Format.valueOf(format.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return fail(BAD_INPUT, "--format must be table, csv or json, not '" + format + "'");
        }
        if ((sql == null) == (file == null)) {
            return fail(BAD_INPUT, "give the query as an argument or with --file, not " + (sql == null ? "neither" : "both"));
        }
        String query = sql;
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                return fail(BAD_INPUT, "no file " + file);
            }
            query = Files.readString(file, StandardCharsets.UTF_8);
        }
        try {
            SelectQuery.check(query, true);
        } catch (SelectQuery.NotASelect e) {
            return fail(BAD_INPUT, "the query " + e.getMessage());
        }
        Path root;
        Function<LakeViews.Feed, String> access;
        try {
            root = LakeViews.localRoot(DatalakeRuntime.setting("datalake.root", "data_lake"));
            access = access(root);
        } catch (IllegalArgumentException e) {
            return fail(BAD_INPUT, e.getMessage());
        } catch (IllegalStateException | SQLException e) {
            return fail(1, e.getMessage());
        }
        LakeViews views = LakeViews.of(root, Path.of(DatalakeRuntime.setting("datalake.feeds.dir", "feeds")),
                DatalakeRuntime.setting("datalake.query.memory-limit", "1GB"));
        try (LakeViews.Session session = views.open(access)) {
            try (Statement s = session.connection().createStatement(); ResultSet rs = s.executeQuery(query)) {
                Writer out = new BufferedWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8));
                ResultPrinter.print(rs, output, out);
            } catch (SQLException e) {
                return fail(1, session.reason(e));
            }
        }
        return 0;
    }

    /** Who reads: the owner (--all), a principal with its grants from the warehouse, or anyone (public feeds). */
    private Function<LakeViews.Feed, String> access(Path root) throws SQLException {
        if (reader != null && reader.all) {
            return QueryAccess.owner();
        }
        if (reader == null || reader.principal == null) {
            return QueryAccess.anonymous();
        }
        String principal = Principals.checked(reader.principal);
        Warehouse warehouse = Warehouse.fromSettings(DatalakeRuntime.setting("datalake.warehouse.url", null), root);
        Set<String> grants = new Permissions(warehouse, java.time.Clock.systemUTC()).readableFeeds(principal);
        return QueryAccess.principal(principal, feed -> grants.contains(feed) || grants.contains(Permissions.ALL_FEEDS));
    }

    private static int fail(int status, String message) {
        System.err.println("camel-datalake query: " + message);
        return status;
    }
}
