package io.github.lb4j.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import okhttp3.OkHttpClient;

/**
 * Captures what OkHttp logs through java.util.logging (it reports a response left open as a "leaked" connection),
 * so a test can assert that nothing leaked; and shuts clients down. Shared with lb-it through this module's test jar.
 */
public final class OkHttpLeakLog {

    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Logger logger = Logger.getLogger(OkHttpClient.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    /** Starts capturing. */
    public void start() {
        logger.addHandler(capture);
    }

    /** Stops capturing. */
    public void stop() {
        logger.removeHandler(capture);
    }

    /** Fails if OkHttp reported a leaked connection since {@link #start()}. */
    public void assertNoLeak() {
        assertThat(records).extracting(LogRecord::getMessage).noneMatch(m -> m != null && m.contains("leaked"));
    }

    /** Cancels the client's calls, closes its connections and stops its dispatcher threads. */
    public static void shutdown(OkHttpClient client) {
        client.dispatcher().cancelAll();
        client.connectionPool().evictAll();
        client.dispatcher().executorService().shutdown();
    }
}
