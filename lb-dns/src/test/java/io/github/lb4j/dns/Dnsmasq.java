package io.github.lb4j.dns;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A real dnsmasq on 127.0.0.1 and a free port, started by the test with a generated configuration: A/AAAA records
 * from a hosts file (changed with {@link #hosts} + SIGHUP) and SRV records from a config file (dnsmasq re-reads those
 * only at start, so {@link #srv} restarts it on the same port). Every name under {@value #DOMAIN} it does not know is
 * NXDOMAIN.
 */
final class Dnsmasq implements AutoCloseable {

    static final String DOMAIN = "lb4j.test";
    private static final String INSTALL = "dnsmasq is needed by the DNS discovery tests and could not be started. "
            + "Install it: `sudo apt-get install -y dnsmasq` (Debian/Ubuntu), `sudo dnf install dnsmasq` (Fedora), "
            + "`brew install dnsmasq` (macOS); .ci/run installs it when missing. The system service need not run.";

    private final Path dir;
    private final Path hostsFile;
    private final Path confFile;
    private final Path logFile;
    private final Path errFile;
    private final int ttlSeconds;
    private final String binary;
    private int port;
    private Process process;

    private Dnsmasq(Path dir, int ttlSeconds) {
        this.dir = dir;
        this.hostsFile = dir.resolve("hosts");
        this.confFile = dir.resolve("dnsmasq.conf");
        this.logFile = dir.resolve("dnsmasq.log");
        this.errFile = dir.resolve("dnsmasq.err");
        this.ttlSeconds = ttlSeconds;
        this.binary = findBinary();
    }

    /**
     * Starts dnsmasq with the given hosts lines ("127.0.0.1 a.lb4j.test") and {@code --srv-host} values, answering
     * with {@code ttlSeconds} for every local record. Fails the test (never skips it) if dnsmasq cannot start.
     */
    static Dnsmasq start(Path dir, int ttlSeconds, List<String> hosts, List<String> srvHosts) {
        Dnsmasq d = new Dnsmasq(dir, ttlSeconds);
        d.writeHosts(hosts);
        d.writeConf(srvHosts);
        String lastError = "";
        for (int attempt = 0; attempt < 5; attempt++) {
            d.port = freePort();
            lastError = d.launch();
            if (lastError == null) {
                return d;
            }
        }
        return fail(INSTALL + "\nLast attempt: " + lastError);
    }

    int port() {
        return port;
    }

    Path dir() {
        return dir;
    }

    /**
     * Replaces the hosts file and makes dnsmasq re-read it (SIGHUP); returns once dnsmasq says it has. While stopped,
     * only rewrites the file, which the next start reads.
     */
    void hosts(List<String> lines) {
        if (process == null) {
            writeHosts(lines);
            return;
        }
        int reads = count("read " + hostsFile);
        writeHosts(lines);
        signal("HUP");
        await(Duration.ofSeconds(5), () -> count("read " + hostsFile) > reads,
                () -> "dnsmasq did not re-read " + hostsFile + " after SIGHUP; log:\n" + log());
    }

    /** Replaces the SRV records: dnsmasq reads them only at start, so it restarts on the same port. */
    void srv(List<String> srvHosts) {
        stop();
        writeConf(srvHosts);
        String error = null;
        // The old process has exited, so the port is free unless something else grabbed it meanwhile.
        for (int attempt = 0; attempt < 20; attempt++) {
            error = launch();
            if (error == null) {
                return;
            }
        }
        fail("dnsmasq did not restart on port " + port + ": " + error);
    }

    /** Starts again on the same port with the current files (after {@link #stop()}). */
    void restart() {
        srv(null);
    }

    /** Stops dnsmasq (SIGTERM), waiting until it has exited. */
    void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process = null;
    }

    @Override
    public void close() {
        stop();
    }

    String log() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Starts the process and waits until it answers; returns null on success, else what went wrong. */
    private String launch() {
        List<String> cmd = new ArrayList<>(List.of(binary,
                "--keep-in-foreground",
                "--conf-file=" + confFile,
                "--no-resolv", "--no-hosts",
                "--port=" + port,
                "--listen-address=127.0.0.1", "--bind-interfaces",
                "--addn-hosts=" + hostsFile,
                "--local-ttl=" + ttlSeconds,
                "--local=/" + DOMAIN + "/",
                "--user=" + System.getProperty("user.name"),
                "--pid-file=",
                "--log-queries",
                "--log-facility=" + logFile));
        try {
            Files.deleteIfExists(errFile);
            process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(errFile.toFile()).start();
        } catch (IOException e) {
            process = null;
            return "cannot run " + String.join(" ", cmd) + ": " + e;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String err = read(errFile);
                process = null;
                return "dnsmasq exited at start: " + err.strip() + " (command: " + String.join(" ", cmd) + ")";
            }
            if (answers()) {
                return null;
            }
            pause();
        }
        stop();
        return "dnsmasq did not answer on 127.0.0.1:" + port + " within 5 s; log:\n" + log();
    }

    /** A probe: does the server answer (NXDOMAIN for a name it does not know counts)? */
    private boolean answers() {
        try {
            SimpleResolver r = new SimpleResolver(InetAddress.getLoopbackAddress());
            r.setPort(port);
            r.setTimeout(Duration.ofMillis(200));
            Message m = r.send(Message.newQuery(Record.newRecord(Name.fromString("probe." + DOMAIN + "."), Type.A,
                    DClass.IN)));
            return m.getRcode() == Rcode.NXDOMAIN || m.getRcode() == Rcode.NOERROR;
        } catch (IOException e) {
            return false;
        }
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                fail("kill -" + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private int count(String needle) {
        int n = 0;
        for (String line : log().split("\n")) {
            if (line.contains(needle)) {
                n++;
            }
        }
        return n;
    }

    /** How many queries for {@code name} (any type) dnsmasq has logged. */
    int queries(String name) {
        int n = 0;
        for (String line : log().split("\n")) {
            if (line.contains("]: query[") && line.contains("] " + name + " from ")) {
                n++;
            }
        }
        return n;
    }

    private void writeHosts(List<String> lines) {
        write(hostsFile, String.join("\n", lines) + "\n");
    }

    private void writeConf(List<String> srvHosts) {
        if (srvHosts == null) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (String s : srvHosts) {
            sb.append("srv-host=").append(s).append('\n');
        }
        write(confFile, sb.toString());
    }

    private static void write(Path file, String text) {
        try {
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** The binary: system property {@code lb4j.dnsmasq} if set, else PATH and the usual sbin directories. */
    private static String findBinary() {
        String configured = System.getProperty("lb4j.dnsmasq");
        if (configured != null) {
            if (Files.isExecutable(Path.of(configured))) {
                return configured;
            }
            return fail(INSTALL + "\n-Dlb4j.dnsmasq=" + configured + " is not an executable file.");
        }
        List<String> candidates = new ArrayList<>();
        String path = System.getenv().getOrDefault("PATH", "");
        for (String d : path.split(File.pathSeparator)) {
            if (!d.isEmpty()) {
                candidates.add(d + "/dnsmasq");
            }
        }
        candidates.addAll(List.of("/usr/sbin/dnsmasq", "/usr/local/sbin/dnsmasq", "/sbin/dnsmasq",
                "/opt/homebrew/sbin/dnsmasq"));
        for (String c : candidates) {
            if (Files.isExecutable(Path.of(c))) {
                return c;
            }
        }
        return fail(INSTALL + "\nNot found on PATH or in " + candidates.subList(Math.max(0, candidates.size() - 4),
                candidates.size()));
    }

    /** A port free for both UDP and TCP on 127.0.0.1 (dnsmasq binds both). */
    private static int freePort() {
        for (int i = 0; i < 50; i++) {
            try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                int candidate = udp.getLocalPort();
                try (ServerSocket tcp = new ServerSocket(candidate, 1, InetAddress.getLoopbackAddress())) {
                    return candidate;
                } catch (IOException inUse) {
                    // try another
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no free port on 127.0.0.1");
    }

    /**
     * Polls {@code condition} every 20 ms until it holds or {@code timeout} passes (then fails with the message).
     * For waiting on a real server and real re-resolution, not for anything a fake clock could drive.
     */
    static void await(Duration timeout, BooleanSupplier condition, Supplier<String> message) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + timeout.toMillis() + " ms: " + message.get());
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
