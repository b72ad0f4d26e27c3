package io.github.lb4j.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.github.lb4j.core.internal.RecordLimits;
import java.util.AbstractCollection;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A service whose EndpointSlices list a million distinct addresses (issue 19, item 6): the reader stops at the limit,
 * slice by slice, and says so, instead of building a set of a million backends. No API server needed: this is the
 * merge every change of the source's slices goes through.
 */
class KubernetesBoundsTest {

    private static final int SLICES = 1_000;
    private static final int PER_SLICE = 1_000;

    /** 1 000 slices of 1 000 distinct ready endpoints each, made only as the reader walks them. */
    private static final class MillionEndpoints extends AbstractCollection<EndpointSlice> {
        final AtomicInteger made = new AtomicInteger();

        @Override
        public Iterator<EndpointSlice> iterator() {
            return new Iterator<>() {
                int next;

                @Override
                public boolean hasNext() {
                    return next < SLICES;
                }

                @Override
                public EndpointSlice next() {
                    int s = next++;
                    made.incrementAndGet();
                    List<Endpoint> endpoints = new ArrayList<>(PER_SLICE);
                    for (int i = 0; i < PER_SLICE; i++) {
                        int n = s * PER_SLICE + i;
                        endpoints.add(K8s.ready("pod-" + n, "10." + (n >>> 16) + "." + ((n >>> 8) & 255) + "."
                                + (n & 255), null));
                    }
                    return K8s.slice("orders", String.format("orders-%04d", s), "http", 8080, endpoints);
                }
            };
        }

        @Override
        public int size() {
            return SLICES;
        }
    }

    @Test
    @Timeout(30)
    void aMillionAddressesStopTheReaderAtTheLimitWithAReason() {
        MillionEndpoints slices = new MillionEndpoints();
        SliceReader.Result result = SliceReader.read(slices, SliceReader.PortChoice.named("http"));
        assertThat(result.backends()).isEmpty();
        assertThat(result.tooMany()).isEqualTo("its EndpointSlices list at least "
                + RecordLimits.tooManyBackends(RecordLimits.MAX_BACKENDS + PER_SLICE - RecordLimits.MAX_BACKENDS
                        % PER_SLICE));
        // Read up to the first slice past the limit, not the thousand offered.
        assertThat(slices.made.get()).isEqualTo(RecordLimits.MAX_BACKENDS / PER_SLICE + 1);
    }

    @Test
    @Timeout(30)
    void slicesUpToTheLimitAreReadWhole() {
        List<EndpointSlice> slices = new ArrayList<>();
        Iterator<EndpointSlice> all = new MillionEndpoints().iterator();
        for (int s = 0; s < RecordLimits.MAX_BACKENDS / PER_SLICE; s++) {
            slices.add(all.next());
        }
        SliceReader.Result result = SliceReader.read(slices, SliceReader.PortChoice.named("http"));
        assertThat(result.tooMany()).isNull();
        assertThat(result.backends()).hasSize(RecordLimits.MAX_BACKENDS);
    }
}
