package io.github.lb4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The factories and the copy operations of {@link RequestContext} cannot be mistaken for one another. */
class RequestContextTest {

    @Test
    void withHashKeyOnARetryContextKeepsItsExclusions() {
        RequestContext retry = RequestContext.empty().excluding(List.of("a"));
        RequestContext keyed = retry.withHashKey("user-42");
        assertThat(keyed.hashKey()).isEqualTo("user-42");
        assertThat(keyed.excluded()).containsExactly("a");
    }

    @Test
    void factoriesAndCopiesHaveDistinctNames() {
        // A static factory named like an instance copy compiles when called through an instance and silently drops
        // what the instance carried (the trap the old withHashKey/withKey pair set). No name may be both.
        Map<String, Boolean> staticByName = new HashMap<>();
        for (Method m : RequestContext.class.getDeclaredMethods()) {
            if (!Modifier.isPublic(m.getModifiers())) {
                continue;
            }
            boolean isStatic = Modifier.isStatic(m.getModifiers());
            Boolean seen = staticByName.putIfAbsent(m.getName(), isStatic);
            assertThat(seen == null || seen == isStatic).as(m.getName()).isTrue();
            if (isStatic) {
                assertThat(m.getName()).as("static factories start with 'of' or are empty()")
                        .matches("of[A-Z].*|empty");
            }
        }
    }

    @Test
    void pinnedContextNamesItsBackend() {
        assertThat(RequestContext.ofPinned("b1").pinnedBackendId()).isEqualTo("b1");
        assertThat(RequestContext.ofHashKey("k").excluded()).isEmpty();
    }
}
