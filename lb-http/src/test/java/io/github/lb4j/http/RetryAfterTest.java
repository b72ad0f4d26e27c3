package io.github.lb4j.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.core.Selection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsing of {@code Retry-After} (RFC 9110, 10.2.3) and which responses carry an overload signal. */
class RetryAfterTest {

    /** Sun, 06 Nov 1994 08:49:37 GMT: RFC 9110's example date. */
    private static final long EXAMPLE = Instant.parse("1994-11-06T08:49:37Z").toEpochMilli();
    private static final long CAP = Selection.MAX_RETRY_AFTER.toMillis();

    @Test
    void deltaSecondsAreReadAndCutToTheCap() {
        assertThat(RetryAfter.windowMillis("120", EXAMPLE)).isEqualTo(120_000);
        assertThat(RetryAfter.windowMillis(" 0 ", EXAMPLE)).isZero();
        assertThat(RetryAfter.windowMillis("301", EXAMPLE)).isEqualTo(CAP);
        assertThat(RetryAfter.windowMillis("99999999999999999999999999", EXAMPLE)).isEqualTo(CAP);
    }

    @Test
    void allThreeHttpDateFormsAreReadAgainstTheReferenceTime() {
        long tenSecondsBefore = EXAMPLE - 10_000;
        assertThat(RetryAfter.windowMillis("Sun, 06 Nov 1994 08:49:37 GMT", tenSecondsBefore)).isEqualTo(10_000);
        assertThat(RetryAfter.windowMillis("Sunday, 06-Nov-94 08:49:37 GMT", tenSecondsBefore)).isEqualTo(10_000);
        assertThat(RetryAfter.windowMillis("Sun Nov  6 08:49:37 1994", tenSecondsBefore)).isEqualTo(10_000);
        // A date in the past asks for no window; one years ahead is cut to the cap.
        assertThat(RetryAfter.windowMillis("Sun, 06 Nov 1994 08:49:37 GMT", EXAMPLE + 1)).isZero();
        assertThat(RetryAfter.windowMillis("Fri, 31 Dec 9999 23:59:59 GMT", EXAMPLE)).isEqualTo(CAP);
    }

    @Test
    void aTwoDigitYearMoreThanFiftyYearsAheadIsInThePastCentury() {
        long in2030 = Instant.parse("2030-01-01T00:00:00Z").toEpochMilli();
        assertThat(RetryAfter.epochMillis("Sunday, 06-Nov-94 08:49:37 GMT", in2030)).isEqualTo(EXAMPLE);
        assertThat(RetryAfter.epochMillis("Wednesday, 06-Nov-30 08:49:37 GMT", in2030))
                .isEqualTo(Instant.parse("2030-11-06T08:49:37Z").toEpochMilli());
    }

    @Test
    void malformedValuesAreIgnored() {
        for (String bad : List.of("-5", "1.5", "", "soon", "12s", "+3", "Sun, 06 Nov 1994 08:49:37 PST",
                "Mon, 06 Nov 1994 08:49:37 GMT", "Sun, 32 Nov 1994 08:49:37 GMT")) {
            assertThat(RetryAfter.windowMillis(bad, EXAMPLE)).as("'%s'", bad).isEqualTo(-1);
        }
    }

    @Test
    void onlyA429OrA503WithAValidHeaderIsASignalAndItsDateHeaderIsTheReference() {
        assertThat(RetryAfter.of(view(503, Map.of("Retry-After", "7")), "a", "orders").retryAfterMillis)
                .isEqualTo(7_000);
        assertThat(RetryAfter.of(view(429, Map.of("Retry-After", "7")), "a", "orders")).isNotNull();
        assertThat(RetryAfter.of(view(500, Map.of("Retry-After", "7")), "a", "orders")).isNull();
        assertThat(RetryAfter.of(view(301, Map.of("Retry-After", "7")), "a", "orders")).isNull();
        assertThat(RetryAfter.of(view(503, Map.of()), "a", "orders")).isNull();
        assertThat(RetryAfter.of(view(503, Map.of("Retry-After", "later")), "a", "orders")).isNull();
        // The backend's own clock: 30 s after its Date, whatever this machine's clock says.
        RetryAfter.Overloaded dated = RetryAfter.of(view(503, Map.of("Retry-After", "Sun, 06 Nov 1994 08:50:07 GMT",
                "Date", "Sun, 06 Nov 1994 08:49:37 GMT")), "a", "orders");
        assertThat(dated.retryAfterMillis).isEqualTo(30_000);
        assertThat(dated).hasMessage("HTTP 503 from a, overloaded; Retry-After 30s");
    }

    private static HttpResponseView view(int status, Map<String, String> headers) {
        return new HttpResponseView() {
            @Override
            public int status() {
                return status;
            }

            @Override
            public List<String> headers(String name) {
                String v = headers.get(name);
                return v == null ? List.of() : List.of(v);
            }
        };
    }
}
