package io.github.lb4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.lb4j.core.testing.JazzerPlatform;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.condition.DisabledIf;

/**
 * Fuzzes what lb-core takes from outside: backend addresses and attributes (discovery, configuration) and hash keys
 * (request headers, cookies, user ids).
 *
 * <p>Under {@code mvn verify} Jazzer runs each method once per seed file in
 * {@code src/test/resources/io/github/lb4j/core/CoreFuzzTestInputs/<method>/} (regression mode). To fuzz, see
 * docs/RELIABILITY.md: {@code JAZZER_FUZZ=1}, one method per run, bounded by {@code JAZZER_MAX_DURATION}.
 *
 * <p>What may be thrown is what the javadoc documents: {@link IllegalArgumentException} naming the field for an
 * invalid value. Anything else (or an accepted value that breaks a {@link Backend} invariant, or a pick outside
 * the pool) fails the test.
 */
@DisabledIf(value = "io.github.lb4j.core.testing.JazzerPlatform#unsupported", disabledReason = JazzerPlatform.REASON)
class CoreFuzzTest {

    /** The strategies, each over one fixed pool, built once: fuzzing runs millions of inputs. */
    private static final Map<Strategy, LoadBalancer> POOLS = new LinkedHashMap<>();

    static {
        List<Backend> members = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            members.add(Backend.of("10.9.0." + i, 8080).withWeight(1 + i % 3));
        }
        for (Strategy s : StrategyCases.all()) {
            POOLS.put(s, LoadBalancer.builder("fuzz-" + s.name()).backends(members).strategy(s)
                    .random(new SplittableRandom(1)).build());
        }
    }

    /**
     * {@code Backend.of} and every {@code with*} on arbitrary strings and numbers: only the documented
     * IllegalArgumentException, naming the field; every accepted value yields a valid backend.
     */
    @FuzzTest(maxDuration = "10m")
    void backendFactories(FuzzedDataProvider data) {
        String host = data.consumeString(80);
        int port = data.pickValue(new int[] {80, 0, 65535, 65536, -1, data.consumeInt()});
        Backend b;
        try {
            b = Backend.of(host, port);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).containsAnyOf("host", "port");
            return;
        }
        assertValid(b);
        assertThat(b.port()).isEqualTo(port);
        while (data.remainingBytes() > 0) {
            Backend before = b;
            int op = data.consumeInt(0, 5);
            try {
                switch (op) {
                    case 0: b = b.withWeight(data.consumeInt()); break;
                    case 1: b = b.withZone(data.consumeBoolean() ? null : data.consumeString(20)); break;
                    case 2: b = b.withId(data.consumeString(40)); break;
                    case 3: b = b.withMetadata(data.consumeString(20), data.consumeString(20)); break;
                    case 4: b = b.asBackup(); break;
                    default: b = b.asPrimary(); break;
                }
            } catch (IllegalArgumentException e) {
                String field = new String[] {"weight", "zone", "id", "metadata key"}[op];
                assertThat(e.getMessage()).as("operation %d", op).contains(field).contains("got");
                assertThat(b).isSameAs(before);
                continue;
            }
            assertValid(b);
        }
        // An accepted backend is accepted by a pool and picked.
        try (LoadBalancer pool = LoadBalancer.builder("one").backends(List.of(b)).build();
             Selection s = pool.select()) {
            assertThat(s.backend()).isEqualTo(b);
        }
    }

    /**
     * Any string is a usable hash key, and every strategy (hash and not) picks a member of its pool for it, with
     * and without exclusions.
     */
    @FuzzTest(maxDuration = "10m")
    void hashKeys(FuzzedDataProvider data) {
        String key = data.consumeString(200);
        RequestContext ctx = RequestContext.ofHashKey(key);
        assertThat(ctx.hashKey()).isEqualTo(key);
        assertThat(ctx.toString()).as("the key may identify a user: never printed").contains("hashKey=set");
        List<String> excluded = new ArrayList<>();
        int exclusions = data.consumeInt(0, 8);
        for (int i = 0; i < exclusions; i++) {
            excluded.add("10.9.0." + data.consumeInt(0, 7) + ":8080");
        }
        RequestContext withExclusions = ctx.excluding(excluded);
        for (Map.Entry<Strategy, LoadBalancer> e : POOLS.entrySet()) {
            LoadBalancer pool = e.getValue();
            Backend first;
            try (Selection s = pool.select(ctx)) {
                first = s.backend();
                assertThat(pool.backends()).as(e.getKey().name()).contains(first);
                s.success();
            }
            if (e.getKey() instanceof HashStrategy && ((HashStrategy) e.getKey()).balanceFactor() == 0) {
                try (Selection again = pool.select(ctx)) {
                    assertThat(again.backend()).as("same key, same backend (%s)", e.getKey().name())
                            .isEqualTo(first);
                }
            }
            try (Selection s = pool.select(withExclusions)) {
                assertThat(pool.backends()).contains(s.backend());
                // All 7 excluded waives the exclusion; otherwise an excluded backend is never picked.
                if (!excluded.containsAll(ids(pool))) {
                    assertThat(excluded).as(e.getKey().name()).doesNotContain(s.backend().id());
                }
                s.ignore();
            }
        }
    }

    /**
     * Fuzzed memberships (sizes, weights, ids) under fuzzed keys: every strategy builds its picker and picks a member.
     */
    @FuzzTest(maxDuration = "10m")
    void membershipsAndKeys(FuzzedDataProvider data) {
        int n = data.consumeInt(1, 40);
        List<Backend> members = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int weight = data.consumeInt(1, Backend.MAX_WEIGHT);
            members.add(Backend.of("10.8." + (i / 250) + "." + (i % 250), 80).withWeight(weight));
        }
        String key = data.consumeRemainingAsString();
        for (Strategy strategy : StrategyCases.all()) {
            if (strategy instanceof MaglevStrategy && n > 2) {
                continue; // a 65537-slot table per input slows fuzzing to a crawl; hashKeys covers Maglev's picks
            }
            try (LoadBalancer pool = LoadBalancer.builder("m").backends(members).strategy(strategy)
                    .random(new SplittableRandom(key.length())).build();
                 Selection s = pool.select(RequestContext.ofHashKey(key))) {
                assertThat(members).as(strategy.name()).contains(s.backend());
            }
        }
    }

    private static List<String> ids(LoadBalancer pool) {
        List<String> ids = new ArrayList<>();
        for (Backend b : pool.backends()) {
            ids.add(b.id());
        }
        return ids;
    }

    /** What every Backend must satisfy, however it was made. */
    static void assertValid(Backend b) {
        assertThat(b.host()).isNotBlank().doesNotContain("[", "]", "/", "@", "?", "#");
        assertThat(b.host().chars()).noneMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c));
        assertThat(b.port()).isBetween(1, 65535);
        assertThat(b.weight()).isBetween(1, Backend.MAX_WEIGHT);
        assertThat(b.id()).isNotBlank();
        assertThat(b.id().chars()).noneMatch(Character::isISOControl);
        if (b.zone() != null) {
            assertThat(b.zone()).isNotBlank();
            assertThat(b.zone().chars()).noneMatch(Character::isISOControl);
        }
        assertThat(b.metadata().keySet()).allSatisfy(k -> assertThat(k).isNotBlank()
                .satisfies(key -> assertThat(key.chars()).noneMatch(Character::isISOControl)));
        assertThat(b).isEqualTo(b.withWeight(b.weight())).hasSameHashCodeAs(b.withWeight(b.weight()));
        assertThat(b.toString()).startsWith("Backend{");
    }
}
