package io.github.lb4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BackendSourceTest {

    private static final Backend A = Backend.of("10.0.0.1", 8080);
    private static final Backend B = Backend.of("10.0.0.2", 8080);
    private static final Backend C = Backend.of("10.0.0.3", 8080);

    /** A hand-driven source that records what the pool did with each push. */
    static final class RecordingSource implements BackendSource {
        BackendSource.Sink sink;
        final AtomicInteger closes = new AtomicInteger();
        boolean allowEmpty;

        @Override
        public void start(Sink sink) {
            this.sink = sink;
        }

        @Override
        public boolean allowsEmpty() {
            return allowEmpty;
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    @Test
    void staticSourceSetsTheMembershipWhenThePoolIsBuilt() {
        LoadBalancer pool = LoadBalancer.builder("static").source(BackendSource.of(List.of(A, B))).build();
        assertThat(pool.backends()).containsExactly(A, B);
        pool.close();
    }

    @Test
    void staticSourceReplacesInitialBackends() {
        LoadBalancer pool = LoadBalancer.builder("static")
                .backends(List.of(C))
                .source(BackendSource.of(List.of(A)))
                .build();
        assertThat(pool.backends()).containsExactly(A);
        pool.close();
    }

    @Test
    void staticSourceRejectsDuplicateIdsAtOnce() {
        assertThatThrownBy(() -> BackendSource.of(List.of(A, A.withWeight(2))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("10.0.0.1:8080");
    }

    @Test
    void programmaticUpdateBeforeStartIsAppliedWhenThePoolStarts() {
        ProgrammaticBackendSource source = BackendSource.programmatic();
        assertThat(source.update(List.of(A, B))).isTrue();
        LoadBalancer pool = LoadBalancer.builder("prog").source(source).build();
        assertThat(pool.backends()).containsExactly(A, B);
        pool.close();
    }

    @Test
    void programmaticUpdatesGoThroughUpdateBackendsKeepingStateAndDraining() {
        ProgrammaticBackendSource source = BackendSource.programmatic();
        LoadBalancer pool = LoadBalancer.builder("prog").source(source).build();
        assertThat(pool.backends()).isEmpty();

        source.update(List.of(A, B));
        Selection onA = pool.select(RequestContext.ofPinned(A.id()));
        onA.success();
        Selection inFlightOnB = pool.select(RequestContext.ofPinned(B.id()));

        assertThat(source.update(List.of(A.withWeight(5), C))).isTrue();
        assertThat(pool.backends()).containsExactly(A.withWeight(5), C);
        BackendStats a = stats(pool, A.id());
        assertThat(a.requests()).as("A kept its counters across the update").isEqualTo(1);
        assertThat(stats(pool, B.id()).health()).as("B was removed with a call in flight").isEqualTo(
                BackendHealth.DRAINING);
        inFlightOnB.success();
        assertThat(pool.stats()).extracting(s -> s.backend().id()).doesNotContain(B.id());
        pool.close();
    }

    @Test
    void emptyUpdateKeepsTheLastGoodSet() {
        ProgrammaticBackendSource source = BackendSource.programmatic();
        LoadBalancer pool = LoadBalancer.builder("prog").source(source).build();
        source.update(List.of(A, B));
        assertThat(source.update(List.of())).isFalse();
        assertThat(pool.backends()).containsExactly(A, B);
        assertThat(pool.select().backend()).isIn(A, B);
        pool.close();
    }

    @Test
    void emptyUpdateEmptiesThePoolWhenAllowed() {
        ProgrammaticBackendSource source = BackendSource.programmatic(true);
        LoadBalancer pool = LoadBalancer.builder("prog").source(source).build();
        source.update(List.of(A, B));
        assertThat(source.update(List.of())).isTrue();
        assertThat(pool.backends()).isEmpty();
        assertThatThrownBy(pool::select).isInstanceOf(NoBackendAvailableException.class);
        pool.close();
    }

    @Test
    void programmaticSourceFeedsOnePoolOnly() {
        ProgrammaticBackendSource source = BackendSource.programmatic();
        LoadBalancer first = LoadBalancer.builder("first").source(source).build();
        assertThatThrownBy(() -> LoadBalancer.builder("second").source(source).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'first'");
        first.close();
    }

    @Test
    void closingThePoolClosesTheSourceOnce() {
        ProgrammaticBackendSource prog = BackendSource.programmatic();
        LoadBalancer pool = LoadBalancer.builder("prog").source(prog).build();
        pool.close();
        assertThatThrownBy(() -> prog.update(List.of(A))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");

        RecordingSource recording = new RecordingSource();
        LoadBalancer other = LoadBalancer.builder("rec").source(recording).build();
        other.close();
        other.close();
        assertThat(recording.closes).hasValue(1);
        assertThat(recording.sink.update(List.of(A))).as("a push after close is ignored").isFalse();
    }

    @Test
    void failureAndInvalidSetsKeepTheMembershipAndNeverThrow() {
        RecordingSource source = new RecordingSource();
        LoadBalancer pool = LoadBalancer.builder("rec").source(source).build();
        assertThat(source.sink.poolName()).isEqualTo("rec");
        assertThat(source.sink.update(List.of(A, B))).isTrue();

        source.sink.failed("lookup timed out; retrying in 1s", new RuntimeException("timeout"));
        assertThat(pool.backends()).containsExactly(A, B);

        List<Backend> duplicate = new ArrayList<>(List.of(C, C.withWeight(2)));
        assertThat(source.sink.update(duplicate)).isFalse();
        List<Backend> withNull = new ArrayList<>();
        withNull.add(C);
        withNull.add(null);
        assertThat(source.sink.update(withNull)).isFalse();
        assertThat(pool.backends()).containsExactly(A, B);

        assertThat(source.sink.update(List.of())).isFalse();
        assertThat(pool.backends()).containsExactly(A, B);
        source.allowEmpty = true;
        assertThat(source.sink.update(List.of())).isTrue();
        assertThat(pool.backends()).isEmpty();
        pool.close();
    }

    @Test
    void builderRejectsNullSource() {
        assertThatThrownBy(() -> LoadBalancer.builder("x").source(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("source");
    }

    private static BackendStats stats(LoadBalancer pool, String id) {
        return pool.stats().stream().filter(s -> s.backend().id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void theMembershipIsConfirmedByUpdatesUnchangedSetsAndTheSinksConfirmation() {
        FakeTicker ticker = new FakeTicker();
        RecordingSource source = new RecordingSource();
        List<LoadBalancerEvent> events = new ArrayList<>();
        LoadBalancer pool = LoadBalancer.builder("confirm").ticker(ticker).source(source)
                .listener(events::add).listenerExecutor(Runnable::run).build();
        long built = ticker.read();
        assertThat(pool.membershipConfirmedNanos()).isEqualTo(built);

        ticker.advanceMillis(1000);
        assertThat(source.sink.update(List.of(A, B))).isTrue();
        long changed = ticker.read();
        assertThat(pool.membershipConfirmedNanos()).isEqualTo(changed);
        assertThat(events).singleElement().isInstanceOf(LoadBalancerEvent.MembershipChanged.class);

        // The registry answers again with the same set: confirmed, one event, no membership change.
        ticker.advanceMillis(1000);
        assertThat(source.sink.update(List.of(A, B))).isTrue();
        assertThat(pool.membershipConfirmedNanos()).isEqualTo(ticker.read());
        assertThat(events).hasSize(2);
        assertThat(events.get(1)).isEqualTo(new LoadBalancerEvent.MembershipConfirmed("confirm", 2, ticker.read()));

        ticker.advanceMillis(1000);
        source.sink.confirmed();
        long confirmed = ticker.read();
        assertThat(events).hasSize(3).last().isEqualTo(new LoadBalancerEvent.MembershipConfirmed("confirm", 2, confirmed));
        assertThat(pool.stats()).allSatisfy(s -> assertThat(s.membershipConfirmedNanos()).isEqualTo(confirmed));

        // Failed discovery and an ignored empty set do not confirm anything: the time stops moving.
        ticker.advanceMillis(1000);
        source.sink.failed("registry unreachable", null);
        assertThat(source.sink.update(List.of())).isFalse();
        assertThat(pool.membershipConfirmedNanos()).isEqualTo(confirmed);
        assertThat(events).hasSize(3);

        pool.close();
        ticker.advanceMillis(1000);
        source.sink.confirmed();
        assertThat(pool.membershipConfirmedNanos()).isEqualTo(confirmed);
        assertThat(events).hasSize(3);
    }

    @Test
    void theApplicationsOwnUpdateConfirmsTheMembershipToo() {
        FakeTicker ticker = new FakeTicker();
        LoadBalancer pool = LoadBalancer.builder("app").ticker(ticker).backends(List.of(A)).build();
        ticker.advanceMillis(5);
        pool.updateBackends(List.of(A));
        assertThat(pool.membershipConfirmedNanos()).isEqualTo(ticker.read());
        assertThat(pool.stats()).singleElement()
                .satisfies(s -> assertThat(s.membershipConfirmedNanos()).isEqualTo(ticker.read()));
        pool.close();
    }
}
