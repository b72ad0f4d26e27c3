package io.github.lb4j.examples;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.Strategy;
import io.github.lb4j.dns.DnsBackendSource;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.NioClient;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Method 4, DNS round robin: one name with several A records, one per backend. The DNS server hands out the
 * addresses; every client picks one and connects to it directly.
 *
 * <pre>
 * mvn -q -B -Pdemo -pl lb-examples -am package exec:java -Ddemo.main=io.github.lb4j.examples.DnsRoundRobin
 * </pre>
 *
 * <p>It starts three HTTP backends on 127.0.0.1, 127.0.0.2 and 127.0.0.3 (one port: an A record has no port), and a
 * private dnsmasq that answers {@code orders.lb4j.test} with the three addresses. Then it compares:
 * <ol>
 *   <li>DNS only: a client resolves the name and connects to the first address in the answer, as most clients
 *       (getaddrinfo, Java's {@code InetAddress.getByName}, OkHttp's first route) do;
 *   <li>lb4j fed by DNS: a pool whose members are all the addresses in the answer, kept up to date by lb-dns's
 *       {@link DnsBackendSource} (re-resolved when the TTL runs out), balancing every request through lb-okhttp's
 *       {@code LoadBalancingInterceptor}, which retries a failed GET on another address.
 * </ol>
 *
 * <pre>{@code
 * DnsBackendSource dns = DnsBackendSource.addresses("orders.lb4j.test", port)
 *         .resolver("127.0.0.1", dnsmasqPort)
 *         .build();
 * LoadBalancer pool = LoadBalancer.builder("orders").source(dns).strategy(Strategy.roundRobin()).build();
 * }</pre>
 * and shows the limits of DNS-only balancing: the order of the answer is all the balancing there is, a dead backend
 * stays in the answer until someone edits the records, and a change reaches clients only after TTLs (and their
 * caches) expire.
 *
 * <ul>
 *   <li>Address bar: unchanged, the name; the browser resolves it and connects to one address itself.
 *   <li>Client: needs nothing special, which is why DNS is the oldest and most common first step; but how well load
 *       spreads depends on each client's resolver, cache and address sorting, not on the operator.
 * </ul>
 *
 * <p>On Linux the whole 127.0.0.0/8 is loopback; on macOS add the aliases first:
 * {@code sudo ifconfig lo0 alias 127.0.0.2 up; sudo ifconfig lo0 alias 127.0.0.3 up}.
 */
public final class DnsRoundRobin {

    static final String NAME = "orders." + Dnsmasq.DOMAIN;
    static final List<String> ADDRESSES = List.of("127.0.0.1", "127.0.0.2", "127.0.0.3");
    /** Short, so that the demo shows a change propagating within seconds. Real records often say 30 s to 1 h. */
    static final Duration TTL = Duration.ofSeconds(2);

    private DnsRoundRobin() {
    }

    /** Three HTTP backends, one per loopback address, on one port; and a dnsmasq naming all three. */
    static final class Setup implements AutoCloseable {
        final List<HttpBackend> backends;
        final int port;
        final Dnsmasq dns;

        private Setup(List<HttpBackend> backends, int port, Dnsmasq dns) {
            this.backends = backends;
            this.port = port;
            this.dns = dns;
        }

        static Setup start(Duration ttl) throws IOException {
            List<HttpBackend> backends = startBackends();
            int port = backends.get(0).port();
            try {
                return new Setup(backends, port, Dnsmasq.start(hostsLines(ADDRESSES), ttl));
            } catch (IOException | RuntimeException e) {
                backends.forEach(HttpBackend::close);
                throw e;
            }
        }

        /** The first backend takes a free port; the others bind the same port on their own address. */
        private static List<HttpBackend> startBackends() throws IOException {
            IOException last = null;
            for (int attempt = 0; attempt < 10; attempt++) {
                List<HttpBackend> started = new ArrayList<>();
                try {
                    for (int i = 0; i < ADDRESSES.size(); i++) {
                        int port = i == 0 ? 0 : started.get(0).port();
                        started.add(HttpBackend.start("b" + (i + 1), InetAddress.getByName(ADDRESSES.get(i)), port,
                                Duration.ZERO));
                    }
                    return started;
                } catch (BindException e) {
                    started.forEach(HttpBackend::close);
                    last = e;
                    if (String.valueOf(e.getMessage()).contains("assign")) {
                        throw new IOException("cannot listen on " + ADDRESSES + ": on macOS run sudo ifconfig lo0 "
                                + "alias 127.0.0.2 up; sudo ifconfig lo0 alias 127.0.0.3 up", e);
                    }
                    // the port was free on 127.0.0.1 but taken on another address: try another port
                }
            }
            throw last;
        }

        static List<String> hostsLines(List<String> addresses) {
            return addresses.stream().map(a -> a + " " + NAME).toList();
        }

        InetSocketAddress dnsServer() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), dns.port());
        }

        @Override
        public void close() {
            dns.close();
            backends.forEach(HttpBackend::close);
        }
    }

    /**
     * The pool's membership source: every A record of {@link #NAME} at the example's dnsmasq, on the backends' port.
     * The pool that takes it starts it, and closes it when the pool closes.
     */
    static DnsBackendSource dnsSource(Setup setup) {
        return DnsBackendSource.addresses(NAME, setup.port)
                .resolver(setup.dnsServer())
                .build();
    }

    /** One answer, as a DNS-only client sees it: the addresses in the order the server sent them, and their TTL. */
    record Answer(List<InetAddress> addresses, Duration ttl) {
    }

    /**
     * What a DNS-only client does: asks {@code server} for the A records of {@code name}, without any cache in
     * between, and keeps the answer's order.
     */
    static Answer lookUp(String name, InetSocketAddress server) throws IOException {
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

    /**
     * The DNS-only client: resolve the name (no cache), connect to the first address of the answer. No retry: the
     * client knows nothing of the other addresses' health.
     */
    static BalancedHttp.Reply dnsOnlyGet(OkHttpClient client, Setup setup, String path) throws IOException {
        Answer answer = lookUp(NAME, setup.dnsServer());
        if (answer.addresses().isEmpty()) {
            throw new IOException(NAME + " has no address");
        }
        String url = "http://" + answer.addresses().get(0).getHostAddress() + ":" + setup.port + path;
        try (Response r = client.newCall(new Request.Builder().url(url).build()).execute()) {
            r.body().bytes();
            return new BalancedHttp.Reply(r.code(), r.header(HttpBackend.SERVED_BY));
        }
    }

    /** Sends {@code n} GETs, counts answers per backend and failures. */
    interface Get {
        BalancedHttp.Reply get(String path) throws IOException;
    }

    static Map<String, Integer> send(int n, Get get) {
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            try {
                counts.merge(get.get("/orders/" + i).servedBy(), 1, Integer::sum);
            } catch (IOException e) {
                counts.merge("failed", 1, Integer::sum);
            }
        }
        return counts;
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0) {
            System.err.println("usage: DnsRoundRobin (no options)");
            System.exit(2);
        }
        OkHttpClient client = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(1)).build();
        try (Setup setup = Setup.start(TTL);
             DnsBackendSource dns = dnsSource(setup); // closed by the pool too; closing twice is harmless
             LoadBalancer pool = LoadBalancer.builder("orders").source(dns).strategy(Strategy.roundRobin()).build()) {
            System.out.println("Backends b1, b2, b3 on " + ADDRESSES + ", port " + setup.port + "; dnsmasq on "
                    + "127.0.0.1:" + setup.dns.port() + " answers " + NAME + " with all three, TTL "
                    + TTL.toSeconds() + " s.");
            for (int i = 0; i < 3; i++) {
                System.out.println("  dig @127.0.0.1 -p " + setup.dns.port() + " " + NAME + "  ->  "
                        + lookUp(NAME, setup.dnsServer()).addresses().stream()
                        .map(InetAddress::getHostAddress).toList());
            }
            System.out.println();

            dns.refresh().get(5, TimeUnit.SECONDS); // the first set, now; the source keeps it fresh every TTL
            BalancedHttp balanced = BalancedHttp.of(pool, client);
            System.out.println("30 requests, DNS only, resolving each time:      "
                    + send(30, path -> dnsOnlyGet(client, setup, path)));
            String cached = lookUp(NAME, setup.dnsServer()).addresses().get(0).getHostAddress();
            System.out.println("30 requests, DNS only, resolved once and cached: " + send(30, path -> {
                try (Response r = client.newCall(new Request.Builder()
                        .url("http://" + cached + ":" + setup.port + path).build()).execute()) {
                    return new BalancedHttp.Reply(r.code(), r.header(HttpBackend.SERVED_BY));
                }
            }) + "  (a JVM caches a lookup for 30 s by default)");
            System.out.println("30 requests, lb4j pool fed by DNS:               " + send(30, balanced::get)
                    + "  (" + pool.backends().size() + " members, from the same answer)");
            System.out.println();

            setup.backends.get(1).crash();
            System.out.println("b2 (127.0.0.2) crashed; DNS still names it:");
            System.out.println("30 requests, DNS only, resolving each time:      " + send(30,
                    path -> dnsOnlyGet(client, setup, path)));
            System.out.println("30 requests, lb4j pool fed by DNS:               " + send(30, balanced::get)
                    + "  (a failed GET is retried on another address)");
            System.out.println();

            setup.dns.hosts(Setup.hostsLines(List.of("127.0.0.1", "127.0.0.3")));
            long removed = System.nanoTime();
            System.out.println("127.0.0.2 removed from DNS; the pool re-resolves when the TTL (" + TTL.toSeconds()
                    + " s) runs out...");
            while (pool.backends().size() > 2 && System.nanoTime() - removed < 4 * TTL.toNanos()) {
                Thread.sleep(50);
            }
            System.out.printf("  after %.1f s the pool's members are %s%n", (System.nanoTime() - removed) / 1e9,
                    pool.backends().stream().map(Backend::id).toList());
            System.out.println();
            System.out.println("Limits of DNS-only balancing:");
            System.out.println("  - the answer's order is all the balancing there is, and clients re-sort or cache "
                    + "it (Java caches 30 s by default, browsers a minute or more);");
            System.out.println("  - no health: a dead address stays in the answer until the records change, and "
                    + "then until every cache's TTL has run out;");
            System.out.println("  - an A record has no port and no weight (SRV records have both) and says nothing "
                    + "about load or latency.");
            System.out.println("Address bar: unchanged (" + NAME + "). Client must: nothing special; how well it "
                    + "spreads depends on its resolver.");
        } finally {
            client.connectionPool().evictAll();
            // dnsjava's I/O thread: stop it now, while its classes can still be loaded. Left to dnsjava's shutdown
            // hook, it needs classes that mvn exec:java's class loader no longer serves by then, and the hook then
            // waits for it forever: the JVM never exits.
            NioClient.close();
        }
    }
}
