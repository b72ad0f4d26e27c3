package io.github.lb4j.it;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * One HTTP client with lb4j's adapter in it, as the load sees it: send a GET or a POST (with its request id, so that
 * servers count deliveries) and get the status back or the client's exception. The deadline of a call is the
 * adapter's own business (a call timeout, a per-attempt timeout, a bounded wait on a future); {@link Adapters} builds
 * one adapter per client and documents each one's bound. {@link Load} drives any of them, so one scenario table runs
 * through every client.
 *
 * <p>Thread-safety: {@link #send} is called from many threads at once.
 */
interface ClientAdapter extends AutoCloseable {

    /** The request header that names a call (the servers count POSTs by it). */
    String REQUEST_ID = LoopbackServer.REQUEST_ID;

    /**
     * A call's answer.
     *
     * @param status   the HTTP status the caller got
     * @param attempts the attempts the balancer made, where the adapter can see them (OkHttp); -1 otherwise
     */
    record Answer(int status, int attempts) {
    }

    /** A short name for figures and test names. */
    String name();

    /**
     * Sends one call and reads the whole response body.
     *
     * @param post whether it is a POST (body {@code "order " + id}) rather than a GET
     * @throws Exception whatever the client throws for a failed call (unwrapped from futures)
     */
    Answer send(String url, boolean post, String id) throws Exception;

    /** Closes the client: its connections and its threads. */
    @Override
    void close() throws Exception;

    /**
     * OkHttp as the chaos scenarios build it (see {@link ItSupport#loadClient}): the attempt counter after the balancer
     * is read from the request's tag. Closing is left to whoever built the client.
     */
    static ClientAdapter okhttp(OkHttpClient client, String name) {
        MediaType text = MediaType.get("text/plain; charset=utf-8");
        return new ClientAdapter() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Answer send(String url, boolean post, String id) throws IOException {
                AtomicInteger attempts = new AtomicInteger();
                Request.Builder b = new Request.Builder().url(url).header(REQUEST_ID, id)
                        .tag(AtomicInteger.class, attempts);
                if (post) {
                    b.post(RequestBody.create("order " + id, text));
                }
                try (Response response = client.newCall(b.build()).execute()) {
                    response.body().string();
                    return new Answer(response.code(), attempts.get());
                } catch (IOException e) {
                    throw new AttemptsKnown(e, attempts.get());
                }
            }

            @Override
            public void close() {
                // the test that built the client shuts it down
            }
        };
    }

    /** A failed call whose attempts the adapter counted; {@link Load} records the cause and the count. */
    final class AttemptsKnown extends IOException {
        private static final long serialVersionUID = 1L;
        final int attempts;

        AttemptsKnown(IOException cause, int attempts) {
            super(cause.getMessage(), cause);
            this.attempts = attempts;
        }
    }
}
