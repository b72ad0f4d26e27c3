package io.github.lb4j.core;

import io.github.lb4j.core.internal.PoolObserver;
import java.util.Arrays;
import java.util.List;

/** Several {@link PoolObserver}s of one pool as one (a pool bound to two meter registries). */
final class Observers implements PoolObserver {

    private final PoolObserver[] all;

    Observers(PoolObserver[] all) {
        this.all = all.clone();
    }

    @Override
    public void members(List<Member> members) {
        for (PoolObserver o : all) {
            o.members(members);
        }
    }

    @Override
    public void finished(Member member, Result result, long latencyNanos) {
        for (PoolObserver o : all) {
            o.finished(member, result, latencyNanos);
        }
    }

    @Override
    public void noBackend() {
        for (PoolObserver o : all) {
            o.noBackend();
        }
    }

    @Override
    public void onEvent(LoadBalancerEvent event) {
        for (PoolObserver o : all) {
            o.onEvent(event);
        }
    }

    @Override
    public String toString() {
        return "Observers" + Arrays.toString(all);
    }
}
