package io.github.lb4j.http;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.Selection;

/**
 * Adapter SPI: one attempt of a balanced call, that is one request sent to one picked backend. {@link HttpBalancer}
 * creates it and hands it to {@link HttpExchange#send(Attempt)}; the adapter sends the request to
 * {@link #backend()} and, for a request with a body, calls {@link #bodyWriteStarted()} just before it writes the
 * first byte of the body. That flag is how the engine knows whether a failed attempt may have reached the backend
 * (a body never written means a request never complete on the wire, so it may be sent again whatever its method).
 *
 * <p>An attempt is the unit that per-try timeouts and hedging (issue 15) cancel and race: each has its own
 * selection, so a losing or timed-out attempt is closed on its own without touching the others.
 *
 * <p>Thread-safety: {@link #bodyWriteStarted()} may be called from any thread (clients write duplex bodies on
 * their own threads); the flag is volatile.
 */
public final class Attempt {

    private final int number;
    private final Selection selection;
    private volatile boolean bodyStarted;

    Attempt(int number, Selection selection) {
        this.number = number;
        this.selection = selection;
    }

    /** @return 1 for the first attempt of a call, 2 for the first retry, and so on */
    public int number() {
        return number;
    }

    /** @return the backend to send this attempt to */
    public Backend backend() {
        return selection.backend();
    }

    /** Records that the client started to write the request body of this attempt. Idempotent. */
    public void bodyWriteStarted() {
        bodyStarted = true;
    }

    /** @return whether {@link #bodyWriteStarted()} was called */
    public boolean bodyStarted() {
        return bodyStarted;
    }

    Selection selection() {
        return selection;
    }

    @Override
    public String toString() {
        return "Attempt{" + number + " -> " + selection.backend().id() + '}';
    }
}
