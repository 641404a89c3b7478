package org.cameldatalake.warehouse;

import java.util.regex.Pattern;

/** Who may be granted access: a user or service name, checked before it reaches SQL or a log line. */
public final class Principals {
    public static final Pattern NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$");

    private Principals() {
    }

    public static String checked(String principal) {
        if (principal == null || !NAME.matcher(principal).matches()) {
            throw new IllegalArgumentException("invalid principal '" + principal
                    + "': 1 to 64 of letters, digits, '.', '_', '@', '-', starting with a letter or digit");
        }
        return principal;
    }
}
