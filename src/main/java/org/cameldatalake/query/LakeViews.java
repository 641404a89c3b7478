package org.cameldatalake.query;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.cameldatalake.feed.FeedCatalog;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.feed.FeedDefinition.FeedType;
import org.cameldatalake.feed.FeedDefinition.SecurityLevel;
import org.cameldatalake.feed.FeedFileParser;
import org.cameldatalake.feed.FeedFiles;
import org.cameldatalake.metadata.TableMetadata;
import org.duckdb.DuckDBDriver;

/**
 * The lake as DuckDB views, one per feed, for the {@code query} command and SQL feeds. A stream feed is a view over
 * {@code streams/<feed>/year=*}{@code /month=*}{@code /day=*}{@code /*.parquet} with Hive partitioning (a filter on
 * {@code year}, {@code month}, {@code day} skips the other partitions' files) and {@code union_by_name} (files
 * written before a schema change lack the newer columns); a table feed (ksqlDB or SQL) is a view over the file of
 * the version its {@code _metadata.json} names current — after a rollback an older one, never just the highest.
 * <p>
 * Only the feeds a reader may read get a view, and DuckDB is then shut off from every other file (no external
 * access beyond those feeds' folders, configuration locked): a query cannot read a restricted feed by its path,
 * nor write a file. Feeds without a view are remembered with the reason, which {@link Session#reason} gives back
 * when a query names one.
 */
public final class LakeViews {
    /** A feed of the lake: declared by a feed file (active or archived), or a folder left without one (restricted). */
    public record Feed(String name, FeedType type, SecurityLevel securityLevel) {
        String dir() {
            return type.dir() + "/" + name;
        }
    }

    private final Path root;
    private final Map<String, Feed> feeds = new TreeMap<>();
    private final String memoryLimit;

    public LakeViews(Path root, Collection<FeedDefinition> declared, String memoryLimit) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.memoryLimit = memoryLimit;
        for (FeedDefinition f : declared) {
            feeds.putIfAbsent(f.name(), new Feed(f.name(), f.type(), f.securityLevel()));
        }
        for (FeedType type : FeedType.values()) {
            Path dir = this.root.resolve(type.dir());
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                        .filter(n -> FeedFileParser.FEED_NAME.matcher(n).matches())
                        .forEach(n -> feeds.putIfAbsent(n, new Feed(n, type, SecurityLevel.RESTRICTED)));
            }
        }
    }

    /** The views of the lake at {@code root} for the feed files of {@code feedsDir} (active and archived). */
    public static LakeViews of(Path root, Path feedsDir, String memoryLimit) throws IOException {
        List<FeedDefinition> declared = new ArrayList<>(FeedCatalog.load(feedsDir).feeds());
        declared.addAll(new FeedFiles(feedsDir).archivedFeeds());
        return new LakeViews(root, declared, memoryLimit);
    }

    /**
     * The local folder of {@code datalake.root} (a path or a {@code file:} URI). DuckDB reads local files only: the
     * jar's DuckDB has no httpfs extension (and none can be downloaded), so it cannot read {@code s3a:} or
     * {@code hdfs:} lakes.
     */
    public static Path localRoot(String datalakeRoot) {
        if (datalakeRoot.startsWith("file:")) {
            return Paths.get(java.net.URI.create(datalakeRoot).getPath());
        }
        if (datalakeRoot.matches("^[a-zA-Z][a-zA-Z0-9+.-]+:.*")) {
            throw new IllegalStateException("the lake root " + datalakeRoot + " is not a local folder: queries and SQL "
                    + "feeds read the lake with DuckDB, which reads local files only here (no httpfs extension)");
        }
        return Paths.get(datalakeRoot);
    }

    public Collection<Feed> feeds() {
        return feeds.values();
    }

    /**
     * A DuckDB session holding a view for every feed that {@code denial} lets through (it answers null for a feed
     * the reader may read, else why not) and that has data.
     */
    public Session open(Function<Feed, String> denial) throws SQLException {
        Map<String, String> unavailable = new TreeMap<>();
        Map<String, String> views = new TreeMap<>();
        List<String> allowed = new ArrayList<>();
        for (Feed f : feeds.values()) {
            String denied = denial.apply(f);
            if (denied != null) {
                unavailable.put(f.name(), denied);
                continue;
            }
            try {
                String source = f.type() == FeedType.STREAM ? streamSource(f) : tableSource(f);
                views.put(f.name(), source);
                allowed.add(root.resolve(f.dir()) + "/");
            } catch (NoData e) {
                unavailable.put(f.name(), e.getMessage());
            } catch (IOException e) {
                unavailable.put(f.name(), "cannot be read: " + e.getMessage());
            }
        }
        Properties props = new Properties();
        props.setProperty("jdbc_stream_results", "true"); // rows reach the caller as DuckDB produces them
        props.setProperty("memory_limit", memoryLimit);
        props.setProperty("autoinstall_known_extensions", "false");
        props.setProperty("autoload_known_extensions", "false");
        // the driver itself, not DriverManager, which would first load every JDBC driver on the class path
        Connection c = new DuckDBDriver().connect("jdbc:duckdb:", props);
        try (Statement s = c.createStatement()) {
            s.execute("SET parquet_metadata_cache = true"); // a view's files are bound when created and when queried
            s.execute("SET allowed_directories = [" + String.join(", ", allowed.stream().map(LakeViews::literal).toList()) + "]");
            s.execute("SET enable_external_access = false");
            s.execute("SET lock_configuration = true");
            for (Map.Entry<String, String> v : views.entrySet()) {
                s.execute("CREATE VIEW " + identifier(v.getKey()) + " AS SELECT * FROM " + v.getValue());
            }
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return new Session(c, views.keySet(), unavailable);
    }

    private String streamSource(Feed f) throws IOException, NoData {
        Path dir = root.resolve(f.dir());
        if (!hasParquet(dir, 0)) {
            throw new NoData("has landed no data yet (no Parquet file under " + f.dir() + "/year=…/month=…/day=…/)");
        }
        return "read_parquet(" + literal(dir + "/year=*/month=*/day=*/*.parquet") + ", hive_partitioning = true, "
                + "hive_types = {'year': INTEGER, 'month': INTEGER, 'day': INTEGER}, union_by_name = true)";
    }

    /** Whether a {@code year=/month=/day=} folder below {@code dir} holds a Parquet file. */
    private static boolean hasParquet(Path dir, int depth) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        String[] levels = {"year=*", "month=*", "day=*", "*.parquet"};
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, levels[depth])) {
            for (Path p : s) {
                if (depth == 3 ? Files.isRegularFile(p) : hasParquet(p, depth + 1)) {
                    return true;
                }
            }
        }
        return false;
    }

    private String tableSource(Feed f) throws IOException, NoData {
        Path metadata = root.resolve(f.dir()).resolve("_metadata.json");
        if (!Files.isRegularFile(metadata)) {
            throw new NoData("has no version yet (no " + f.dir() + "/_metadata.json)");
        }
        TableMetadata meta = TableMetadata.parse(Files.readAllBytes(metadata));
        TableMetadata.Version current = meta.current();
        if (current == null) {
            throw new NoData("has no version yet" + (meta.lastError() == null ? "" : " (last error: " + meta.lastError() + ")"));
        }
        Path file = root.resolve(f.dir()).resolve(current.path()).resolve(current.file());
        if (!Files.isRegularFile(file)) {
            throw new NoData("names " + f.dir() + "/" + current.path() + "/" + current.file() + " current, which is missing");
        }
        // not Hive-partitioned: the version=vN folder is no column of the table
        return "read_parquet(" + literal(file.toString()) + ", hive_partitioning = false)";
    }

    static String identifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    private static final class NoData extends Exception {
        NoData(String message) {
            super(message, null, false, false);
        }
    }

    /** One DuckDB connection with the views; the caller runs its query on {@link #connection()} and closes it. */
    public static final class Session implements AutoCloseable {
        private final Connection connection;
        private final Collection<String> views;
        private final Map<String, String> unavailable;

        private Session(Connection connection, Collection<String> views, Map<String, String> unavailable) {
            this.connection = connection;
            this.views = views;
            this.unavailable = unavailable;
        }

        public Connection connection() {
            return connection;
        }

        /** The feeds that have a view. */
        public Collection<String> views() {
            return views;
        }

        /**
         * Why a query failed, in one message: for a feed without a view, why it has none (restricted, no data yet);
         * otherwise DuckDB's message without the JDBC driver's wrapper line.
         */
        public String reason(SQLException e) {
            String message = String.valueOf(e.getMessage());
            String wrapper = "Attempting to execute an unsuccessful or closed pending query result";
            int cut = message.indexOf(wrapper);
            if (cut >= 0) {
                message = message.substring(cut + wrapper.length()).strip().replaceFirst("^Error: ", "");
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Table with name (\\S+) does not exist").matcher(message);
            if (m.find()) {
                String name = m.group(1).replace("\"", "").toLowerCase(Locale.ROOT);
                if (unavailable.containsKey(name)) {
                    return "feed '" + name + "' " + unavailable.get(name);
                }
                return "no feed named '" + name + "'; the feeds with data you may read: "
                        + (views.isEmpty() ? "none" : String.join(", ", views));
            }
            return message;
        }

        @Override
        public void close() throws SQLException {
            connection.close();
        }
    }
}
