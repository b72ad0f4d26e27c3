package io.github.lb4j.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.http.Route;
import io.github.lb4j.http.UnusableBackendException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The attempt URL: resolved against the backend's cached base, it must be what parsing the whole string gives. */
class TargetsTest {

    private static final LoadBalancer POOL = LoadBalancer.builder("orders")
            .backends(List.of(Backend.of("127.0.0.1", 8080))).build();
    private static final Route ROUTE = Route.builder("orders", POOL).build();

    @AfterAll
    static void close() {
        POOL.close();
    }

    @Test
    void resolvedAgainstTheCachedBaseEqualsTheWholeParse() throws Exception {
        List<Backend> backends = List.of(Backend.of("127.0.0.1", 8080), Backend.of("10.1.2.3", 80),
                Backend.of("::1", 9000), Backend.of("[2001:db8::7]", 443), Backend.of("orders-1.svc.local", 8443));
        List<String> urls = List.of(
                "http://orders/item?id=7",
                "http://orders",
                "http://orders/",
                "https://orders/a/b/c",
                "http://orders/a/../b/./c?x=1&y=%20z#frag",
                "http://orders/%2Fencoded%3Fpath?q=%26amp",
                "http://orders/p;matrix=1/q?",
                "http://orders/p#",
                "http://orders/only#fragment",
                "http://orders/caf%C3%A9?name=%E2%82%AC",
                "http://orders//double/slash?x",
                "http://orders/a:b?c:d",
                "HTTP://orders/upper-scheme");
        for (Backend backend : backends) {
            for (String url : urls) {
                URI logical = URI.create(url);
                URI whole = Targets.parseWhole(logical, ROUTE, backend);
                for (int i = 0; i < 2; i++) { // the second from the cache
                    URI resolved = Targets.rewrite(logical, ROUTE, backend);
                    assertThat(resolved).as("%s to %s", url, backend).isEqualTo(whole);
                    assertThat(resolved.toString()).as("%s to %s", url, backend).isEqualTo(whole.toString());
                    assertThat(resolved.getRawPath()).isEqualTo(whole.getRawPath());
                    assertThat(resolved.getRawQuery()).isEqualTo(whole.getRawQuery());
                    assertThat(resolved.getRawFragment()).isEqualTo(whole.getRawFragment());
                    assertThat(resolved.getHost()).isEqualTo(whole.getHost());
                    assertThat(resolved.getPort()).isEqualTo(backend.port());
                }
            }
        }
    }

    @Test
    void theCacheKeepsSchemesApartAndFollowsTheBackendObject() throws Exception {
        Backend backend = Backend.of("127.0.0.1", 8080);
        assertThat(Targets.rewrite(URI.create("http://orders/x"), ROUTE, backend))
                .hasToString("http://127.0.0.1:8080/x");
        assertThat(Targets.rewrite(URI.create("https://orders/x"), ROUTE, backend))
                .hasToString("https://127.0.0.1:8080/x");
        assertThat(Targets.rewrite(URI.create("http://orders/x"), ROUTE, backend))
                .hasToString("http://127.0.0.1:8080/x");
        // An equal backend at another address under the same id is another object: never served from the cache.
        Backend moved = Backend.of("127.0.0.1", 8080).withId("a");
        Backend movedAgain = Backend.of("127.0.0.2", 8080).withId("a");
        assertThat(Targets.rewrite(URI.create("http://orders/x"), ROUTE, moved)).hasToString("http://127.0.0.1:8080/x");
        assertThat(Targets.rewrite(URI.create("http://orders/x"), ROUTE, movedAgain))
                .hasToString("http://127.0.0.2:8080/x");
    }

    @Test
    void manyThreadsOverMoreBackendsThanSlotsEachGetTheirOwnBackend() throws Exception {
        // 1 000 backends over 256 slots: slots are overwritten all the time, by several threads at once.
        List<Backend> backends = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            backends.add(Backend.of("10.0." + (i / 250) + "." + (i % 250), 8000 + i));
        }
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> checked = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = t;
                checked.add(pool.submit(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    int n = 0;
                    for (int i = 0; i < 50_000; i++) {
                        Backend b = backends.get(random.nextInt(backends.size()));
                        String scheme = random.nextBoolean() ? "http" : "https";
                        URI logical = URI.create(scheme + "://orders/p/" + i + "?q=" + i);
                        URI target = Targets.rewrite(logical, ROUTE, b);
                        assertThat(target.getScheme()).isEqualTo(scheme);
                        assertThat(target.getHost()).isEqualTo(b.host());
                        assertThat(target.getPort()).isEqualTo(b.port());
                        assertThat(target.getRawPath()).isEqualTo("/p/" + i);
                        assertThat(target.getRawQuery()).isEqualTo("q=" + i);
                        n++;
                    }
                    return n;
                }));
            }
            for (Future<Integer> f : checked) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(50_000);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aBackendHostThatCannotBeInAUriFailsEveryTime() {
        Backend odd = Backend.of("a_b", 8080); // a registry-based authority to URI: no host
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> Targets.rewrite(URI.create("http://orders/x"), ROUTE, odd))
                    .isInstanceOf(UnusableBackendException.class)
                    .hasMessageContaining("route 'orders'").hasMessageContaining("a_b:8080");
        }
    }
}
