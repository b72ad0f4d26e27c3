package io.github.lb4j.examples;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Keeps a pool's membership equal to the A records of a name: resolves it at one DNS server with dnsjava, again
 * when the answer's TTL runs out, and hands the full set to {@link LoadBalancer#updateBackends}. A failed or empty
 * answer keeps the last good set.
 *
 * <p>TODO(DnsBackendSource, lb-dns): when lb-dns is on main, this class goes; the example then reads
 * <pre>{@code
 * DnsBackendSource dns = DnsBackendSource.addresses("orders.lb4j.test", port)
 *         .resolver("127.0.0.1", dnsmasq.port())
 *         .build();
 * LoadBalancer pool = LoadBalancer.builder("orders").source(dns).strategy(Strategy.roundRobin()).build();
 * }</pre>
 * which adds jitter, backoff on failure, SRV records and a shared scheduler.
 *
 * <p>Thread-safety: safe to use from any thread.
 */
final class DnsAddresses implements AutoCloseable {

    /** One answer: the addresses in the order the server sent them, and the smallest TTL among them. */
    record Answer(List<InetAddress> addresses, Duration ttl) {
    }

    private final String name;
    private final int backendPort;
    private final InetSocketAddress server;
    private final LoadBalancer pool;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "dns-addresses");
        t.setDaemon(true);
        return t;
    });

    DnsAddresses(String name, int backendPort, InetSocketAddress server, LoadBalancer pool) {
        this.name = Objects.requireNonNull(name, "name");
        this.backendPort = backendPort;
        this.server = Objects.requireNonNull(server, "server");
        this.pool = Objects.requireNonNull(pool, "pool");
    }

    /** Resolves now, then again each time the TTL runs out (at least a second apart). */
    DnsAddresses start() {
        timer.execute(this::refreshAndReschedule);
        return this;
    }

    private void refreshAndReschedule() {
        Duration next = Duration.ofSeconds(1);
        try {
            next = refresh().ttl();
        } catch (IOException e) {
            // keep the last good set and try again soon
        }
        if (!timer.isShutdown()) {
            timer.schedule(this::refreshAndReschedule, Math.max(1000, next.toMillis()), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Resolves once and, if the answer has addresses, makes them the pool's members.
     *
     * @return the answer
     * @throws IOException if the server did not answer or the answer was not usable (the pool is left as it was)
     */
    Answer refresh() throws IOException {
        Answer answer = query(name, server);
        if (answer.addresses().isEmpty()) {
            throw new IOException(name + " has no A record");
        }
        List<Backend> members = new ArrayList<>();
        for (InetAddress a : answer.addresses()) {
            members.add(Backend.of(a.getHostAddress(), backendPort));
        }
        pool.updateBackends(members);
        return answer;
    }

    /** Asks {@code server} for the A records of {@code name}, without any cache in between. */
    static Answer query(String name, InetSocketAddress server) throws IOException {
        SimpleResolver resolver = new SimpleResolver(server);
        resolver.setTimeout(Duration.ofSeconds(2));
        Message response = resolver.send(Message.newQuery(Record.newRecord(Name.fromString(
                name.endsWith(".") ? name : name + "."), Type.A, DClass.IN)));
        if (response.getRcode() != Rcode.NOERROR) {
            throw new IOException(name + ": " + Rcode.string(response.getRcode()));
        }
        List<InetAddress> addresses = new ArrayList<>();
        long ttl = Long.MAX_VALUE;
        for (Record r : response.getSection(Section.ANSWER)) {
            if (r instanceof ARecord) {
                addresses.add(((ARecord) r).getAddress());
                ttl = Math.min(ttl, r.getTTL());
            }
        }
        return new Answer(List.copyOf(addresses), Duration.ofSeconds(ttl == Long.MAX_VALUE ? 0 : ttl));
    }

    /** @return whether a DNS server answers on 127.0.0.1:{@code port} (NXDOMAIN counts as an answer) */
    static boolean answers(String probe, int port) {
        try {
            SimpleResolver r = new SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            r.setTimeout(Duration.ofMillis(200));
            int rcode = r.send(Message.newQuery(Record.newRecord(Name.fromString(probe + "."), Type.A, DClass.IN)))
                    .getRcode();
            return rcode == Rcode.NXDOMAIN || rcode == Rcode.NOERROR;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
