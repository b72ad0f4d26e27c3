/**
 * OkHttp integration: an application interceptor that routes {@code http://pool-name/...} to a backend of the named
 * {@link io.github.lb4j.core.LoadBalancer} pool.
 */
package io.github.lb4j.okhttp;
