package io.github.lb4j.http;

import io.github.lb4j.core.Selection;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A response's overload signal: status 429 (RFC 6585) or 503 (RFC 9110, 15.6.4) with a {@code Retry-After} header
 * (RFC 9110, 10.2.3), which {@link ResponseOutcome} reports as {@link Selection#overloaded} instead of a success or
 * a failure. The header is delta-seconds or an HTTP-date in any of the three forms a recipient must accept
 * (IMF-fixdate, RFC 850, asctime). A date is measured against the response's own {@code Date} header when it has a
 * valid one (the backend's clock against the backend's clock: no skew), else against this machine's clock. A date in
 * the past means no window; a window beyond {@link Selection#MAX_RETRY_AFTER} is cut to it; a value that is neither
 * form (a negative number, a fraction, garbage) is ignored with a DEBUG line, and the response is then classified
 * as if it had no header.
 */
final class RetryAfter {

    private static final Logger log = LoggerFactory.getLogger(RetryAfter.class);

    static final String HEADER = "Retry-After";
    private static final long MAX_MILLIS = Selection.MAX_RETRY_AFTER.toMillis();
    /** More digits than this cannot be a delta within the cap; not parsed (they could overflow a long). */
    private static final int MAX_DIGITS = 12;
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);
    private static final DateTimeFormatter ASCTIME =
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US);

    private RetryAfter() {
    }

    /**
     * @return the signal a response carries, or null: not a 429 or 503, no {@code Retry-After}, or a malformed one
     */
    static Overloaded of(HttpResponseView view, String backendId, String routeName) {
        int status = view.status();
        if (status != 429 && status != 503) {
            return null;
        }
        String value = view.header(HEADER);
        if (value == null) {
            return null;
        }
        long millis = windowMillis(value, referenceMillis(view.header("Date")));
        if (millis < 0) {
            // Not the value: headers are never logged.
            log.debug("route '{}': HTTP {} from {} has a malformed Retry-After ({} chars); ignored", routeName,
                    status, backendId, value.length());
            return null;
        }
        return new Overloaded(status, backendId, millis);
    }

    /** The time a date is measured from: the response's {@code Date} if valid, else this machine's clock. */
    private static long referenceMillis(String date) {
        long now = System.currentTimeMillis();
        if (date == null) {
            return now;
        }
        long sent = epochMillis(date.trim(), now);
        return sent == Long.MIN_VALUE ? now : sent;
    }

    /**
     * @param value a {@code Retry-After} value
     * @param nowMillis the reference time, epoch milliseconds
     * @return the window in milliseconds, 0 to {@link Selection#MAX_RETRY_AFTER}; -1 if malformed
     */
    static long windowMillis(String value, long nowMillis) {
        String v = value.trim();
        if (!v.isEmpty() && isDigits(v)) {
            if (v.length() > MAX_DIGITS) {
                return MAX_MILLIS;
            }
            return Math.min(MAX_MILLIS, Long.parseLong(v) * 1000L);
        }
        long at = epochMillis(v, nowMillis);
        if (at == Long.MIN_VALUE) {
            return -1L;
        }
        return Math.max(0L, Math.min(MAX_MILLIS, at - nowMillis));
    }

    private static boolean isDigits(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** @return an HTTP-date in epoch milliseconds, or {@link Long#MIN_VALUE} if it is none of the three forms */
    static long epochMillis(String date, long nowMillis) {
        for (int form = 0; form < 3; form++) {
            try {
                return LocalDateTime.parse(date, formatter(form, nowMillis)).toInstant(ZoneOffset.UTC).toEpochMilli();
            } catch (DateTimeParseException e) {
                // the next form
            }
        }
        return Long.MIN_VALUE;
    }

    private static DateTimeFormatter formatter(int form, long nowMillis) {
        if (form == 0) {
            return IMF_FIXDATE;
        }
        if (form == 2) {
            return ASCTIME;
        }
        // RFC 850's two-digit year: one that would be more than 50 years ahead is in the past century (RFC 9110,
        // 5.6.7), so the century window is the 100 years up to 50 years from now.
        int year = Instant.ofEpochMilli(nowMillis).atZone(ZoneOffset.UTC).getYear();
        return new DateTimeFormatterBuilder().appendPattern("EEEE, dd-MMM-")
                .appendValueReduced(ChronoField.YEAR, 2, 2, LocalDate.of(year - 49, 1, 1))
                .appendPattern(" HH:mm:ss 'GMT'").toFormatter(Locale.US);
    }

    /**
     * The outcome of a response that carries the signal: reported as {@link Selection#overloaded}, attached to the
     * call's exception like any earlier attempt's failure. Cheap (no stack trace).
     */
    static final class Overloaded extends IOException {

        private static final long serialVersionUID = 1L;

        final long retryAfterMillis;

        Overloaded(int status, String backendId, long retryAfterMillis) {
            super("HTTP " + status + " from " + backendId + ", overloaded; Retry-After "
                    + Duration.ofMillis(retryAfterMillis).toSeconds() + "s");
            this.retryAfterMillis = retryAfterMillis;
        }

        Duration retryAfter() {
            return Duration.ofMillis(retryAfterMillis);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
