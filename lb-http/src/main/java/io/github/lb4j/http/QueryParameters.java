package io.github.lb4j.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Finds a query parameter in a raw (still percent-encoded) query string. */
final class QueryParameters {

    private QueryParameters() {
    }

    /** @return the decoded value of the first {@code name} parameter, {@code ""} if it has none, null if absent */
    static String first(String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        int start = 0;
        while (start <= rawQuery.length()) {
            int end = rawQuery.indexOf('&', start);
            if (end < 0) {
                end = rawQuery.length();
            }
            int eq = rawQuery.indexOf('=', start);
            int nameEnd = eq >= 0 && eq < end ? eq : end;
            if (decode(rawQuery.substring(start, nameEnd)).equals(name)) {
                return nameEnd == end ? "" : decode(rawQuery.substring(nameEnd + 1, end));
            }
            start = end + 1;
        }
        return null;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return s; // a stray '%': keep the text as written rather than fail the request over a hash key
        }
    }
}
