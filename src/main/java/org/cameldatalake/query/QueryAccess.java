package org.cameldatalake.query;

import java.util.Set;
import java.util.function.Function;
import org.cameldatalake.feed.FeedDefinition.SecurityLevel;
import org.cameldatalake.warehouse.Permissions;

/**
 * Which feeds a query may read, as a function that answers null for a readable feed and the reason otherwise.
 * Public feeds are readable by anyone; restricted ones (raw data, {@code security_level: restricted}) by a principal
 * holding a read grant on them (or on {@value Permissions#ALL_FEEDS}), and by the lake's owner.
 */
public final class QueryAccess {
    private QueryAccess() {
    }

    /** The lake's owner ({@code query --all}, and SQL feeds, which the service runs): every feed. */
    public static Function<LakeViews.Feed, String> owner() {
        return f -> null;
    }

    /** A principal with these read grants (feed names, or {@value Permissions#ALL_FEEDS}). */
    public static Function<LakeViews.Feed, String> principal(String principal, Set<String> grants) {
        return f -> f.securityLevel() == SecurityLevel.PUBLIC || grants.contains(f.name())
                || grants.contains(Permissions.ALL_FEEDS) ? null
                : "is restricted and principal '" + principal + "' holds no grant on it (camel-datalake grant --principal "
                        + principal + " --feed " + f.name() + ")";
    }

    /** No principal named: public feeds only. */
    public static Function<LakeViews.Feed, String> anonymous() {
        return f -> f.securityLevel() == SecurityLevel.PUBLIC ? null
                : "is restricted: name a principal holding a grant on it (--principal <name>), or use --all as the lake's owner";
    }
}
