package io.github.lb4j.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.LoadBalancer;
import io.github.lb4j.core.internal.SharedScheduler;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Closing a pool closes its DNS source, and that releases everything the source holds: its timer leaves the
 * scheduler's queue, its lease on lb4j's shared scheduler thread (which ends with its last user), and no thread is
 * left per source; the only threads a DNS source ever adds are two process-wide daemons (lb4j's shared scheduler,
 * also used by pools, and dnsjava's NIO selector), one each however many sources come and go. Real UDP queries to a
 * responder on 127.0.0.1, so the dnsjava I/O path runs too.
 */
class DnsResourceReleaseTest {

    private static final String HOST = "web.lb4j.test";
    private static final int SOURCES = 20;

    private DatagramSocket server;
    private Thread responder;

    /** Answers every A question for {@link #HOST} with 127.0.0.1 and 127.0.0.2, TTL 300 s (no timer fires during the test). */
    @BeforeEach
    void startResponder() throws Exception {
        server = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        responder = new Thread(() -> {
            byte[] buf = new byte[512];
            while (!server.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    server.receive(p);
                    Message q = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
                    Message r = new Message(q.getHeader().getID());
                    r.getHeader().setFlag(Flags.QR);
                    r.getHeader().setRcode(Rcode.NOERROR);
                    Record question = q.getQuestion();
                    r.addRecord(question, Section.QUESTION);
                    if (question.getType() == Type.A) {
                        for (String ip : new String[] {"127.0.0.1", "127.0.0.2"}) {
                            r.addRecord(new ARecord(question.getName(), DClass.IN, 300, InetAddress.getByName(ip)),
                                    Section.ANSWER);
                        }
                    }
                    byte[] out = r.toWire();
                    server.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
                } catch (SocketException closed) {
                    return;
                } catch (Exception e) {
                    // a malformed datagram: ignore it, as a DNS server would
                }
            }
        }, "test-dns-responder");
        responder.setDaemon(true);
        responder.start();
    }

    @AfterEach
    void stopResponder() throws InterruptedException {
        server.close();
        responder.join(5_000);
    }

    static Set<Thread> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).collect(Collectors.toSet());
    }

    private static boolean processWideDaemon(Thread t) {
        return sharedScheduler(t) || t.getName().toLowerCase().contains("dnsjava");
    }

    private static boolean sharedScheduler(Thread t) {
        return t.getName().startsWith(SharedScheduler.THREAD_NAME);
    }

    @Test
    void closingPoolsReleasesTheirTimersAndLeavesNoThreadPerSource() throws Exception {
        Set<Thread> baseline = liveThreads();
        int sharedQueueBefore = SharedScheduler.queuedTasks();
        List<LoadBalancer> pools = new ArrayList<>();
        for (int i = 0; i < SOURCES; i++) {
            DnsBackendSource source = DnsBackendSource.addresses(HOST, 8080)
                    .resolver("127.0.0.1", server.getLocalPort()).queryTimeout(Duration.ofSeconds(2)).build();
            pools.add(LoadBalancer.builder("dns-" + i).source(source).build());
            assertThat(source.refresh().get(10, TimeUnit.SECONDS))
                    .containsExactly(Backend.of("127.0.0.1", 8080), Backend.of("127.0.0.2", 8080));
        }
        Set<Thread> added = liveThreads();
        added.removeAll(baseline);
        assertThat(added).as("threads added by %d DNS sources", SOURCES).allMatch(
                t -> processWideDaemon(t) && t.isDaemon());
        assertThat(added.stream().filter(DnsResourceReleaseTest::sharedScheduler)).hasSizeLessThanOrEqualTo(1);
        assertThat(SharedScheduler.queuedTasks()).as("one timer per open source")
                .isGreaterThanOrEqualTo(SOURCES);

        for (LoadBalancer pool : pools) {
            pool.close();
        }
        assertThat(SharedScheduler.queuedTasks()).as("timers left on the shared scheduler after close")
                .isLessThanOrEqualTo(sharedQueueBefore);
        Set<Thread> after = liveThreads();
        after.removeAll(baseline);
        assertThat(after).as("threads left after close").allMatch(DnsResourceReleaseTest::processWideDaemon);
        if (!SharedScheduler.inUse()) {
            // Nothing else holds the shared thread (no source or checked pool another test left open): the one
            // these sources started ends. A bounded wait for the thread itself, not a sleep.
            for (Thread t : added) {
                if (sharedScheduler(t)) {
                    t.join(10_000);
                    assertThat(t.isAlive()).as("%s after the last source closed", t.getName()).isFalse();
                }
            }
        }
    }

    @Test
    void closingReleasesTheTimerOnACallersScheduler() throws Exception {
        ScheduledThreadPoolExecutor own = new ScheduledThreadPoolExecutor(1, r -> new Thread(r, "test-own-dns"));
        try {
            List<LoadBalancer> pools = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                DnsBackendSource source = DnsBackendSource.addresses(HOST, 8080)
                        .resolver("127.0.0.1", server.getLocalPort()).scheduler(own).build();
                pools.add(LoadBalancer.builder("own-" + i).source(source).build());
                source.refresh().get(10, TimeUnit.SECONDS);
            }
            assertThat(live(own)).as("timers while open").hasSize(5);
            pools.forEach(LoadBalancer::close);
            assertThat(live(own)).as("timers after close").isEmpty();
        } finally {
            own.shutdownNow();
            assertThat(own.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static List<Runnable> live(ScheduledThreadPoolExecutor executor) {
        return executor.getQueue().stream().filter(r -> !((Future<?>) r).isCancelled()).collect(Collectors.toList());
    }
}
