package org.cameldatalake.cli;

import org.cameldatalake.partition.LakeLayout;
import java.util.List;
import java.util.concurrent.Callable;
import org.cameldatalake.runtime.DatalakeSettings;
import org.cameldatalake.feed.FeedCatalog;
import org.cameldatalake.storage.Storage;
import org.cameldatalake.warehouse.ApiTokens;
import org.cameldatalake.warehouse.Permissions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Who may read what through the read API: grants (datalake_permissions) and bearer tokens (datalake_api_tokens). */
public final class AccessCommands {
    private AccessCommands() {
    }

    /** A name refused by a pattern is the user's mistake: one line and exit status 2, not a stack trace. */
    private static int userErrors(Callable<Integer> command) throws Exception {
        try {
            return command.call();
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
    }

    @Command(name = "grant", description = "Let a principal read a feed through the API ('*' = every feed).")
    public static final class Grant implements Callable<Integer> {
        @Option(names = "--principal", required = true)
        String principal;
        @Option(names = "--feed", required = true, description = "a feed name, or '*' for every feed")
        String feed;
        @Option(names = "--access", defaultValue = Permissions.READ, description = "read (the only access so far)")
        String access;

        @Override
        public Integer call() throws Exception {
            return userErrors(() -> {
                try (CliRuntime runtime = new CliRuntime()) {
                    boolean added = runtime.permissions().grant(principal, feed, access);
                    if (!Permissions.ALL_FEEDS.equals(feed) && !known(runtime, feed)) {
                        // allowed: a grant may precede the feed file, and outlives it (archived data stays readable)
                        System.err.println("warning: no feed file and no data in the lake for '" + feed + "' yet");
                    }
                    System.out.println((added ? "granted " : "already granted ") + access + " on " + feed + " to " + principal);
                    return 0;
                }
            });
        }

        private static boolean known(CliRuntime runtime, String feed) throws Exception {
            DatalakeSettings settings = runtime.context().getRegistry().lookupByNameAndType("datalakeSettings", DatalakeSettings.class);
            for (String folder : List.of("active", "archived")) {
                if (FeedCatalog.load(settings.feedsDir(), folder).feeds().stream().anyMatch(f -> f.name().equals(feed))) {
                    return true;
                }
            }
            Storage storage = runtime.context().getRegistry().lookupByNameAndType("lakeStorage", Storage.class);
            return storage.exists(new LakeLayout(storage).streamDir(feed)) || storage.exists(new LakeLayout(storage).tableDir(feed));
        }
    }

    @Command(name = "revoke", description = "Take back a grant given with `grant`.")
    public static final class Revoke implements Callable<Integer> {
        @Option(names = "--principal", required = true)
        String principal;
        @Option(names = "--feed", required = true)
        String feed;
        @Option(names = "--access", defaultValue = Permissions.READ)
        String access;

        @Override
        public Integer call() throws Exception {
            return userErrors(() -> {
                try (CliRuntime runtime = new CliRuntime()) {
                    boolean removed = runtime.permissions().revoke(principal, feed, access);
                    System.out.println((removed ? "revoked " : "there was no grant of ") + access + " on " + feed + " to " + principal);
                    return 0;
                }
            });
        }
    }

    @Command(name = "list", description = "List the API read grants.")
    public static final class ListGrants implements Callable<Integer> {
        @Option(names = "--principal")
        String principal;
        @Option(names = "--feed")
        String feed;

        @Override
        public Integer call() throws Exception {
            return userErrors(() -> {
                try (CliRuntime runtime = new CliRuntime()) {
                    List<Permissions.Grant> grants = runtime.permissions().list(principal, feed);
                    System.out.printf("%-24s %-32s %-6s %s%n", "PRINCIPAL", "FEED", "ACCESS", "GRANTED AT");
                    for (Permissions.Grant g : grants) {
                        System.out.printf("%-24s %-32s %-6s %s%n", g.principal(), g.feed(), g.access(), g.grantedAt());
                    }
                    return 0;
                }
            });
        }
    }

    @Command(name = "tokens", description = "Bearer tokens of the read API.",
            subcommands = {Tokens.Create.class, Tokens.ListTokens.class, Tokens.RevokeTokens.class})
    public static final class Tokens implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().usage(System.err);
            return 2;
        }

        @Command(name = "create", description = "Create a token for a principal and print it (once: only its hash is kept).")
        static final class Create implements Callable<Integer> {
            @Option(names = "--principal", required = true)
            String principal;

            @Override
            public Integer call() throws Exception {
                return userErrors(() -> {
                    try (CliRuntime runtime = new CliRuntime()) {
                        System.out.println(runtime.apiTokens().create(principal));
                        return 0;
                    }
                });
            }
        }

        @Command(name = "list", description = "List tokens: principal, creation time, first digits of the hash.")
        static final class ListTokens implements Callable<Integer> {
            @Override
            public Integer call() throws Exception {
                return userErrors(() -> {
                    try (CliRuntime runtime = new CliRuntime()) {
                        System.out.printf("%-24s %-30s %s%n", "PRINCIPAL", "CREATED AT", "SHA-256");
                        for (ApiTokens.Token t : runtime.apiTokens().list()) {
                            System.out.printf("%-24s %-30s %s…%n", t.principal(), t.createdAt(), t.hashPrefix());
                        }
                        return 0;
                    }
                });
            }
        }

        @Command(name = "revoke", description = "Revoke every token of a principal.")
        static final class RevokeTokens implements Callable<Integer> {
            @Option(names = "--principal", required = true)
            String principal;

            @Override
            public Integer call() throws Exception {
                return userErrors(() -> {
                    try (CliRuntime runtime = new CliRuntime()) {
                        System.out.println(runtime.apiTokens().revoke(principal) + " token(s) of " + principal + " revoked");
                        return 0;
                    }
                });
            }
        }
    }
}
