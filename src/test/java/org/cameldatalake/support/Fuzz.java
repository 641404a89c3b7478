package org.cameldatalake.support;

/** Seeds of the fuzz tests: a new one each run, printed, and {@code -Dfuzz.seed=N} to replay a run. */
public final class Fuzz {
    private Fuzz() {
    }

    public static long seed(String test) {
        String fixed = System.getProperty("fuzz.seed");
        long seed = fixed != null ? Long.parseLong(fixed) : new java.security.SecureRandom().nextLong();
        System.out.println(test + ": fuzz seed " + seed + " (replay with -Dfuzz.seed=" + seed + ")");
        return seed;
    }
}
