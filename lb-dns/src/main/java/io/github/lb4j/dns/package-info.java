/**
 * DNS discovery for lb4j: a {@link io.github.lb4j.dns.DnsBackendSource} follows a DNS name and hands each set it
 * resolves to a pool, re-resolving when the records' TTL runs out, so instances that come and go are picked up
 * without a restart. Host names resolve through their A/AAAA records to addresses on one port; service names
 * resolve through their SRV records (Consul, Kubernetes headless services) to targets with their own ports, weights
 * and priorities (the lowest priority serves, the others are backups).
 *
 * <pre>{@code
 * DnsBackendSource dns = DnsBackendSource.srv("_http._tcp.orders.service.consul")
 *         .resolver("127.0.0.1", 8600)                  // default: the system's resolvers
 *         .minTtl(Duration.ofSeconds(5))
 *         .build();
 * try (LoadBalancer orders = LoadBalancer.builder("orders").source(dns).build()) {
 *     dns.refresh().get(5, TimeUnit.SECONDS);           // optional: wait for the first set
 *     try (Selection selection = orders.select()) {
 *         // ... call selection.backend() ...
 *         selection.success();
 *     }
 * }   // closing the pool closes the source
 * }</pre>
 *
 * <p>Failed discovery never empties a pool: a timeout, SERVFAIL, NXDOMAIN or an answer with no usable record keeps
 * the last good set, is logged at WARN and is retried with capped exponential backoff. Queries are asynchronous
 * (dnsjava); timers and answers run on lb4j's one shared daemon scheduler thread, which ends when its last user
 * closes, or on an executor the caller gives.
 *
 * <p>Thread-safety: a source is safe to use from any thread and feeds one pool; its builder is for one thread.
 */
package io.github.lb4j.dns;
