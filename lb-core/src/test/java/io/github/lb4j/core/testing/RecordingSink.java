package io.github.lb4j.core.testing;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendSource;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A sink that records what a source pushes, and may forward it to a real pool's sink: wrap a source with
 * {@link #wrap} to count the failures a pool is told about while the pool still applies every set. Shared by the
 * discovery modules' tests (lb-etcd, lb-kubernetes) through lb-core's test jar.
 */
public final class RecordingSink implements BackendSource.Sink {

    public final List<List<Backend>> updates = new CopyOnWriteArrayList<>();
    public final List<String> failures = new CopyOnWriteArrayList<>();
    public final java.util.concurrent.atomic.AtomicInteger confirmations = new java.util.concurrent.atomic.AtomicInteger();
    private final BackendSource.Sink next;
    private final AtomicBoolean overlapping = new AtomicBoolean();
    private volatile boolean sawOverlap;

    public RecordingSink() {
        this(null);
    }

    private RecordingSink(BackendSource.Sink next) {
        this.next = next;
    }

    /** A source that starts {@code source} with a recording sink forwarding to the pool's sink. */
    public static BackendSource wrap(BackendSource source, RecordingSink[] recorder) {
        return new BackendSource() {
            @Override
            public void start(Sink sink) {
                recorder[0] = new RecordingSink(sink);
                source.start(recorder[0]);
            }

            @Override
            public boolean allowsEmpty() {
                return source.allowsEmpty();
            }

            @Override
            public void close() {
                source.close();
            }

            @Override
            public String toString() {
                return source.toString();
            }
        };
    }

    @Override
    public String poolName() {
        return next != null ? next.poolName() : "test";
    }

    @Override
    public boolean update(Collection<Backend> backends) {
        enter();
        try {
            updates.add(List.copyOf(backends));
            return next == null || next.update(backends);
        } finally {
            overlapping.set(false);
        }
    }

    @Override
    public void failed(String reason, Throwable cause) {
        enter();
        try {
            failures.add(reason);
            if (next != null) {
                next.failed(reason, cause);
            }
        } finally {
            overlapping.set(false);
        }
    }

    @Override
    public void confirmed() {
        enter();
        try {
            confirmations.incrementAndGet();
            if (next != null) {
                next.confirmed();
            }
        } finally {
            overlapping.set(false);
        }
    }

    private void enter() {
        if (!overlapping.compareAndSet(false, true)) {
            sawOverlap = true;
        }
    }

    /** @return whether two calls ever overlapped (the SPI asks sources not to) */
    public boolean sawOverlap() {
        return sawOverlap;
    }

    /** @return the last set pushed, or an empty list */
    public List<Backend> last() {
        return updates.isEmpty() ? List.of() : updates.get(updates.size() - 1);
    }

    public List<String> lastIds() {
        return last().stream().map(Backend::id).sorted().toList();
    }
}
