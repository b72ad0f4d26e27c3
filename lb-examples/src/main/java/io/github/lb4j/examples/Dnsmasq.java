package io.github.lb4j.examples;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A private dnsmasq for the DNS example: listens on 127.0.0.1 and a free port (not 53, so no root and no clash with
 * the system's resolver), answers A records for names under {@value #DOMAIN} from a hosts file it re-reads on
 * SIGHUP, and nothing else (no upstream, no /etc/hosts).
 *
 * <p>Thread-safety: use from one thread.
 */
final class Dnsmasq implements AutoCloseable {

    static final String DOMAIN = "lb4j.test";
    static final String INSTALL = "The DNS example runs a private dnsmasq (not the system service). Install it: "
            + "sudo apt-get install -y dnsmasq (Debian/Ubuntu), sudo dnf install dnsmasq (Fedora), "
            + "brew install dnsmasq (macOS).";

    private final Path dir;
    private final Path hosts;
    private final Path log;
    private final int port;
    private final Process process;

    private Dnsmasq(Path dir, Path hosts, Path log, int port, Process process) {
        this.dir = dir;
        this.hosts = hosts;
        this.log = log;
        this.port = port;
        this.process = process;
    }

    /**
     * @param lines hosts-file lines, e.g. {@code "127.0.0.2 orders.lb4j.test"}
     * @param ttl the TTL of every answer
     * @throws IOException if dnsmasq is missing or does not start answering within 5 seconds
     */
    static Dnsmasq start(List<String> lines, Duration ttl) throws IOException {
        String binary = binary();
        Path dir = Files.createTempDirectory("lb4j-dnsmasq");
        Path hosts = dir.resolve("hosts");
        Path log = dir.resolve("dnsmasq.log");
        write(hosts, lines);
        String last = "";
        for (int attempt = 0; attempt < 5; attempt++) { // a free port can be taken before dnsmasq binds it
            int port = freePort();
            List<String> cmd = List.of(binary, "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv",
                    "--no-hosts", "--port=" + port, "--listen-address=127.0.0.1", "--bind-interfaces",
                    "--addn-hosts=" + hosts, "--local-ttl=" + Math.max(0, ttl.toSeconds()),
                    "--local=/" + DOMAIN + "/", "--user=" + System.getProperty("user.name"), "--pid-file=",
                    "--log-facility=" + log);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("dnsmasq.out").toFile()).start();
            Dnsmasq d = new Dnsmasq(dir, hosts, log, port, p);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (p.isAlive() && System.nanoTime() < deadline) {
                if (d.readsOfHosts() > 0 && answers("probe." + DOMAIN, port)) {
                    return d;
                }
                pause();
            }
            last = Files.readString(dir.resolve("dnsmasq.out"), StandardCharsets.UTF_8).strip();
            d.close();
        }
        throw new IOException("dnsmasq did not start: " + last);
    }

    int port() {
        return port;
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

    /** Rewrites the hosts file and has dnsmasq re-read it (SIGHUP); returns once it has. */
    void hosts(List<String> lines) throws IOException {
        int before = readsOfHosts();
        write(hosts, lines);
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start();
        try {
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IOException("kill -HUP " + process.pid() + " failed");
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (readsOfHosts() <= before) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("dnsmasq did not re-read " + hosts);
                }
                pause();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** dnsmasq logs "read <file> - N names" each time it loads the hosts file. */
    private int readsOfHosts() throws IOException {
        if (!Files.exists(log)) {
            return 0;
        }
        String needle = "read " + hosts;
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return (int) lines.filter(l -> l.contains(needle)).count();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary directory; leaving it is harmless
        }
    }

    private static String binary() throws IOException {
        List<String> candidates = new ArrayList<>();
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!d.isEmpty()) {
                candidates.add(d + File.separator + "dnsmasq");
            }
        }
        candidates.addAll(List.of("/usr/sbin/dnsmasq", "/usr/local/sbin/dnsmasq", "/opt/homebrew/sbin/dnsmasq"));
        for (String c : candidates) {
            if (Files.isExecutable(Path.of(c))) {
                return c;
            }
        }
        throw new IOException("dnsmasq not found on PATH, /usr/sbin or /usr/local/sbin. " + INSTALL);
    }

    private static void write(Path file, List<String> lines) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), "hosts", ".tmp");
        Files.writeString(tmp, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A port free on 127.0.0.1 for both UDP and TCP (dnsmasq binds both). */
    private static int freePort() throws IOException {
        for (int i = 0; i < 50; i++) {
            try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                int port = udp.getLocalPort();
                try (ServerSocket tcp = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                    return tcp.getLocalPort();
                } catch (IOException taken) {
                    // try another
                }
            }
        }
        throw new IOException("no free port on 127.0.0.1");
    }

    private static void pause() {
        try {
            Thread.sleep(20); // waiting on an external process, not on our own state
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
