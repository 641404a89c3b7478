package org.cameldatalake.support;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/** Seeds and case lists of the fuzz tests: a new seed each run, printed, and {@code -Dfuzz.seed=N} to replay a run. */
public final class Fuzz {
    private Fuzz() {
    }

    public static long seed(String test) {
        String fixed = System.getProperty("fuzz.seed");
        long seed = fixed != null ? Long.parseLong(fixed) : new java.security.SecureRandom().nextLong();
        System.out.println(test + ": fuzz seed " + seed + " (replay with -Dfuzz.seed=" + seed + ")");
        return seed;
    }

    /** {@code bad} cases, {@code good} ones and the {@code extra} ones, in an order drawn from {@code random}. */
    @SafeVarargs
    public static <T> List<T> mixed(SplittableRandom random, int bad, Supplier<T> badCase, int good, Supplier<T> goodCase,
                                    T... extra) {
        List<T> cases = new ArrayList<>(bad + good + extra.length);
        for (int i = 0; i < bad; i++) {
            cases.add(badCase.get());
        }
        for (int i = 0; i < good; i++) {
            cases.add(goodCase.get());
        }
        cases.addAll(List.of(extra));
        for (int i = cases.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            cases.set(i, cases.set(j, cases.get(i)));
        }
        return cases;
    }
}
