package io.github.lb4j.etcd;

import io.github.lb4j.core.internal.Checks;
import io.etcd.jetcd.ByteSequence;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** Checks of the names that make etcd keys; every failure names the field and value. Thread-safety: stateless. */
final class Target {

    private Target() {
    }

    /**
     * @param target the service's key prefix without the separating '/', such as {@code "my-service"} or
     *               {@code "/services/orders"}
     * @return {@code target}
     */
    static String check(String target) {
        Objects.requireNonNull(target, "target");
        if (target.isBlank()) {
            throw new IllegalArgumentException("target must not be blank, got '" + Checks.printable(target) + "'");
        }
        if (!target.equals(Checks.printable(target)) || !target.equals(target.strip())) {
            throw new IllegalArgumentException("target must not contain control characters or surrounding white"
                    + " space, got '" + Checks.printable(target) + "'");
        }
        if (target.endsWith("/")) {
            throw new IllegalArgumentException("target must not end with '/' (the '/' before each endpoint's name"
                    + " is added), got '" + target + "'");
        }
        return target;
    }

    /** The prefix of every endpoint key: {@code target + "/"}. */
    static ByteSequence prefix(String target) {
        return ByteSequence.from(target + "/", StandardCharsets.UTF_8);
    }
}
