package org.cameldatalake.query;

import java.util.function.Function;
import java.util.function.Predicate;
import org.cameldatalake.feed.FeedDefinition.SecurityLevel;

/**
 * Which feeds a query may read, as a function that answers null for a readable feed and the reason otherwise.
 * Public feeds are readable by anyone; restricted ones (raw data, {@code security_level: restricted}) by a principal
 * holding a read grant on them, and by the lake's owner.
 */
public final class QueryAccess {
    private QueryAccess() {
    }

    /** The lake's owner ({@code query --all}, and SQL feeds, which the service runs): every feed. */
    public static Function<LakeViews.Feed, String> owner() {
        return f -> null;
    }

    /** A principal that may read the feeds {@code granted} accepts (by name). */
    public static Function<LakeViews.Feed, String> principal(String principal, Predicate<String> granted) {
        return f -> f.securityLevel() == SecurityLevel.PUBLIC || granted.test(f.name()) ? null
                : "is restricted and principal '" + principal + "' holds no grant on it (camel-datalake grant --principal "
                        + principal + " --feed " + f.name() + ")";
    }

    /** No principal named: public feeds only. */
    public static Function<LakeViews.Feed, String> anonymous() {
        return f -> f.securityLevel() == SecurityLevel.PUBLIC ? null
                : "is restricted: name a principal holding a grant on it (--principal <name>), or use --all as the lake's owner";
    }
}
