package io.github.lb4j.zookeeper;

import io.github.lb4j.core.internal.Checks;
import java.util.Objects;

/**
 * The checks on a base path and a service name that both builders share, and the service's node path. ZooKeeper
 * would reject most bad paths too, but only later, on a background thread, as a log line; a builder rejects them at
 * once with the field and the value.
 */
final class ServicePath {

    private ServicePath() {
    }

    /**
     * @return {@code basePath}, an absolute ZooKeeper path: a leading slash, no trailing slash (unless it is the root),
     *     no empty, "." or ".." segment, no control characters
     */
    static String checkBasePath(String basePath) {
        Objects.requireNonNull(basePath, "basePath");
        if (!basePath.startsWith("/")) {
            throw bad("basePath", basePath, "must start with '/'");
        }
        if (basePath.equals("/")) {
            return basePath;
        }
        if (basePath.endsWith("/")) {
            throw bad("basePath", basePath, "must not end with '/'");
        }
        for (String segment : basePath.substring(1).split("/", -1)) {
            checkSegment("basePath", basePath, segment);
        }
        return basePath;
    }

    /** @return {@code serviceName}, one path segment: not blank, no '/', not "." or "..", no control characters */
    static String checkServiceName(String serviceName) {
        Objects.requireNonNull(serviceName, "serviceName");
        if (serviceName.isBlank()) {
            throw bad("serviceName", serviceName, "must not be blank");
        }
        if (serviceName.indexOf('/') >= 0) {
            throw bad("serviceName", serviceName, "must not contain '/'");
        }
        checkSegment("serviceName", serviceName, serviceName);
        return serviceName;
    }

    /** @return {@code id}, usable as a node name and as a {@code Backend} id */
    static String checkInstanceId(String id) {
        Objects.requireNonNull(id, "id");
        if (id.isBlank()) {
            throw bad("id", id, "must not be blank");
        }
        if (id.indexOf('/') >= 0) {
            throw bad("id", id, "must not contain '/'");
        }
        checkSegment("id", id, id);
        return id;
    }

    /** @return the node under which the service's instances live */
    static String servicePath(String basePath, String serviceName) {
        return basePath.equals("/") ? "/" + serviceName : basePath + "/" + serviceName;
    }

    private static void checkSegment(String field, String whole, String segment) {
        if (segment.isEmpty()) {
            throw bad(field, whole, "must not contain an empty segment ('//')");
        }
        if (segment.equals(".") || segment.equals("..")) {
            throw bad(field, whole, "must not contain a '.' or '..' segment");
        }
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            // ZooKeeper's PathUtils rejects these too: control characters and the ranges it reserves.
            if (Character.isISOControl(c) || (c >= '\ud800' && c <= '\uf8ff') || (c >= '\ufff0' && c <= '\uffff')) {
                throw bad(field, whole, "must not contain control or reserved characters");
            }
        }
    }

    private static IllegalArgumentException bad(String field, String value, String rule) {
        return new IllegalArgumentException(field + " " + rule + ", got '" + Checks.printable(value) + "'");
    }
}
