package io.github.lb4j.micrometer;

import io.github.lb4j.core.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Ticker} that moves only when a test advances it. lb-core's {@code FakeTicker} is the same, but it sits in
 * lb-core's package, which this module's tests (compiled patched into {@code io.github.lb4j.micrometer}, with lb-core
 * as a named module) cannot read from a test-jar.
 */
final class TestTicker implements Ticker {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Override
    public long read() {
        return nanos.get();
    }

    TestTicker advance(Duration d) {
        nanos.addAndGet(d.toNanos());
        return this;
    }

    TestTicker advanceMillis(long millis) {
        return advance(Duration.ofMillis(millis));
    }
}
