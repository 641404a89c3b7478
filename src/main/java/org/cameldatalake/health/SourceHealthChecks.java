package org.cameldatalake.health;

import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.cameldatalake.runtime.MaintenanceFailures;
import org.cameldatalake.kafka.KafkaProbe;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.runtime.FeedRouteManager;
import org.cameldatalake.sink.AppendWriter;
import org.cameldatalake.sink.AppendWriters;
import org.cameldatalake.warehouse.SqlDialect;
import org.cameldatalake.warehouse.WarehouseCounters;
import org.cameldatalake.warehouse.WarehouseSync;

/**
 * Readiness checks of the sources the running feeds read: Kafka (the brokers answer) and ksqlDB ({@code GET /info}
 * answers 200), and of what they write: the lake ({@link LakeWrites}) and the warehouse ({@link WarehouseWrites}). A source no running feed uses is reported UP with
 * {@code used=false}: the service does not wait for it.
 */
public final class SourceHealthChecks {
    static final Duration TIMEOUT = Duration.ofSeconds(3);

    private SourceHealthChecks() {
    }

    /** Shared: asks whether any running feed uses the source, then probes it. */
    abstract static class SourceCheck extends AbstractHealthCheck {
        final FeedRouteManager feeds;
        private final Predicate<FeedDefinition> uses;

        SourceCheck(String id, FeedRouteManager feeds, Predicate<FeedDefinition> uses) {
            super("datalake", id);
            this.feeds = feeds;
            this.uses = uses;
        }

        @Override
        public boolean isLiveness() {
            return false; // a source being away is no reason to restart the service
        }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            long users = feeds.runningFeeds().stream().filter(uses).count();
            builder.detail("feeds", users);
            if (users == 0) {
                builder.detail("used", false).up();
                return;
            }
            try {
                probe(builder);
                builder.up();
            } catch (Exception e) {
                builder.message(unreachable(e)).error(e).down();
            }
        }

        abstract void probe(HealthCheckResultBuilder builder) throws Exception;

        abstract String unreachable(Exception e);
    }

    public static final class Kafka extends SourceCheck {
        private final KafkaProbe probe;

        public Kafka(FeedRouteManager feeds, KafkaProbe probe) {
            super("kafka", feeds, FeedDefinition::isKafkaStream);
            this.probe = probe;
        }

        @Override
        void probe(HealthCheckResultBuilder builder) throws Exception {
            builder.detail("brokers", probe.brokers()).detail("cluster.id", probe.clusterId(TIMEOUT));
        }

        @Override
        String unreachable(Exception e) {
            return "Kafka is unreachable at " + probe.brokers() + " (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")";
        }
    }

    public static final class KsqlDb extends SourceCheck {
        private final String url;
        private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

        public KsqlDb(FeedRouteManager feeds, String url) {
            super("ksqldb", feeds, f -> f.source() == FeedDefinition.SourceKind.KSQLDB);
            this.url = url;
        }

        @Override
        void probe(HealthCheckResultBuilder builder) throws Exception {
            builder.detail("url", url).detail("version", serverVersion(url));
        }

        /** {@code GET /info}: the server's version; throws when it does not answer 200 within the timeout. */
        public static String serverVersion(String url) throws Exception {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + "/info"))
                    .timeout(TIMEOUT).header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET /info answered HTTP " + r.statusCode());
            }
            return JSON.readTree(r.body()).path("KsqlServerInfo").path("version").asText("unknown");
        }

        @Override
        String unreachable(Exception e) {
            return "ksqlDB is unreachable at " + url + " (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")";
        }
    }

    /**
     * Readiness of the warehouse the running feeds mirror their changelogs into: DOWN while it does not answer, or
     * while a feed's last batch failed (database locked or full, refusing our login…) until a batch is written again,
     * naming the feeds and the causes; the URL is shown with its password masked.
     */
    public static final class WarehouseWrites extends SourceCheck {
        private final WarehouseSync sync;

        public WarehouseWrites(FeedRouteManager feeds, WarehouseSync sync) {
            super("warehouse", feeds, f -> f.warehouse() != null);
            this.sync = sync;
        }

        @Override
        void probe(HealthCheckResultBuilder builder) throws Exception {
            builder.detail("url", sync.warehouse().displayUrl());
            try (Connection c = sync.warehouse().open()) {
                // a server is asked; a SQLite file that opens is there (asking it would wait out another writer's lock)
                if (sync.warehouse().dialect() != SqlDialect.SQLITE && !c.isValid((int) TIMEOUT.toSeconds())) {
                    throw new SQLException("no answer within " + TIMEOUT.toSeconds() + " s");
                }
            } catch (SQLException e) { // a driver's message may quote the URL: the health response shows it masked
                throw new IllegalStateException(sync.warehouse().masked(e.getMessage()));
            }
            StringBuilder failing = new StringBuilder();
            for (FeedDefinition f : feeds.runningFeeds()) {
                WarehouseCounters c = sync.counters(f.name());
                if (c != null && c.failure() != null) {
                    failing.append(failing.length() == 0 ? "" : "; ").append("feed ").append(f.name()).append(": ").append(c.failure());
                }
            }
            if (failing.length() > 0) {
                throw new IllegalStateException(failing.toString());
            }
        }

        @Override
        String unreachable(Exception e) {
            return "the warehouse " + sync.warehouse().displayUrl() + " cannot be written (" + e.getMessage() + ")";
        }
    }

    /**
     * A readiness check that is DOWN while {@link #problems()} names any, with them as its message; not a liveness
     * check: a restart fixes none of them.
     */
    abstract static class ProblemsCheck extends AbstractHealthCheck {
        private final String detail;

        ProblemsCheck(String id, String detail) {
            super("datalake", id);
            this.detail = detail;
        }

        @Override
        public boolean isLiveness() {
            return false;
        }

        abstract List<String> problems();

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            List<String> problems = problems();
            builder.detail(detail, problems.size());
            if (problems.isEmpty()) {
                builder.up();
            } else {
                builder.message(String.join("; ", problems)).down();
            }
        }
    }

    /**
     * Readiness of the lake as the feeds find it: DOWN from a batch or publish that failed (disk full, unwritable,
     * failing renames…) until a file lands whole again, naming the feed and the cause; a feed resumes by itself once
     * it can write.
     */
    public static final class LakeWrites extends ProblemsCheck {
        private final AppendWriters writers;

        public LakeWrites(AppendWriters writers) {
            super("lake", "failing.feeds");
            this.writers = writers;
        }

        @Override
        List<String> problems() {
            List<String> out = new java.util.ArrayList<>();
            for (AppendWriter w : writers.all()) {
                String failure = w.landingFailure();
                if (failure != null) {
                    out.add("feed " + w.feed().name() + " cannot land its records: " + failure);
                }
            }
            return out;
        }
    }

    /**
     * Readiness of the lake's upkeep: DOWN while a feed's last retention run failed (its old partitions stay and its
     * disk keeps growing), naming the feed, when and why; UP again after a run that succeeds.
     */
    public static final class Maintenance extends ProblemsCheck {
        private final MaintenanceFailures failures;

        public Maintenance(MaintenanceFailures failures) {
            super("maintenance", "failing.jobs");
            this.failures = failures;
        }

        @Override
        List<String> problems() {
            return failures.current().stream()
                    .map(f -> f.job() + " of feed " + f.feed() + " failed at " + f.at() + ": " + f.reason()).sorted().toList();
        }
    }
}
