package io.github.lb4j.dns;

/**
 * A DNS lookup that produced no usable backend set: no answer within the timeout, a server failure, NXDOMAIN, no
 * records, or only unusable records. {@link DnsBackendSource#refresh()} completes exceptionally with it; the pool
 * keeps its last good set.
 *
 * <p>Thread-safety: immutable once thrown.
 */
public final class DnsDiscoveryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    DnsDiscoveryException(String message) {
        super(message);
    }

    DnsDiscoveryException(String message, Throwable cause) {
        super(message, cause);
    }
}
