package io.github.lb4j.etcd;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real etcd server (Debian's {@code etcd-server} package, {@code /usr/bin/etcd}) in a child process, on two free
 * loopback ports and a temporary data directory: {@link #kill()} ends it with SIGKILL, {@link #restart()} starts it
 * again on the same ports and data, {@link #etcdctl} runs the real {@code etcdctl} against it.
 */
final class EtcdServer implements AutoCloseable {

    static final Path ETCD = Path.of("/usr/bin/etcd");
    static final Path ETCDCTL = Path.of("/usr/bin/etcdctl");
    private static final Duration START = Duration.ofSeconds(30);

    private final int clientPort;
    private final int peerPort;
    private final Path dataDir;
    private final Path logFile;
    private Process process;

    private EtcdServer() throws IOException {
        if (!Files.isExecutable(ETCD) || !Files.isExecutable(ETCDCTL)) {
            throw new IllegalStateException(ETCD + " and " + ETCDCTL + " are needed: apt-get install etcd-server"
                    + " etcd-client (.ci/run installs them)");
        }
        int[] ports = freePorts(2);
        this.clientPort = ports[0];
        this.peerPort = ports[1];
        Path dir = Files.createTempDirectory("lb4j-etcd");
        this.dataDir = dir.resolve("data");
        this.logFile = dir.resolve("etcd.log");
    }

    /** @return a started, healthy server */
    static EtcdServer start() throws IOException {
        EtcdServer server = new EtcdServer();
        server.launch();
        return server;
    }

    /** @return the client URL, {@code http://127.0.0.1:port} */
    String endpoint() {
        return "http://127.0.0.1:" + clientPort;
    }

    int clientPort() {
        return clientPort;
    }

    /** Ends the server with SIGKILL, as a crash would: no goodbye to its clients. */
    void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                if (!process.waitFor(START.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("etcd did not die");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            process = null;
        }
    }

    /** Starts the server again on the same ports and data directory, and waits until it is healthy. */
    void restart() throws IOException {
        kill();
        launch();
    }

    /**
     * Runs the real etcdctl (API v3) against this server.
     *
     * @return its standard output
     * @throws AssertionError if it fails or takes more than 30 s
     */
    String etcdctl(String... args) {
        List<String> command = new ArrayList<>(List.of(ETCDCTL.toString(), "--endpoints=" + endpoint(),
                "--dial-timeout=5s", "--command-timeout=10s"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("ETCDCTL_API", "3");
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("etcdctl " + args[0] + " did not finish in 30 s");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new AssertionError("etcdctl " + String.join(" ", args) + " failed (" + p.exitValue() + "): "
                        + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private void launch() throws IOException {
        String client = endpoint();
        String peer = "http://127.0.0.1:" + peerPort;
        ProcessBuilder pb = new ProcessBuilder(ETCD.toString(),
                "--name=default",
                "--data-dir=" + dataDir,
                "--listen-client-urls=" + client,
                "--advertise-client-urls=" + client,
                "--listen-peer-urls=" + peer,
                "--initial-advertise-peer-urls=" + peer,
                "--initial-cluster=default=" + peer,
                "--initial-cluster-state=new",
                "--logger=zap",
                "--log-level=warn")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        // etcd 3.4 refuses to start on architectures other than amd64 (and arm64 from 3.5) unless told.
        String arch = System.getProperty("os.arch");
        if (!arch.equals("amd64") && !arch.equals("x86_64")) {
            pb.environment().put("ETCD_UNSUPPORTED_ARCH", arch.equals("aarch64") ? "arm64" : arch);
        }
        process = pb.start();
        awaitHealthy();
    }

    private void awaitHealthy() throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create(endpoint() + "/health"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("etcd exited with " + process.exitValue() + "; see " + logFile
                        + ":\n" + tail());
            }
            try {
                HttpResponse<String> r = http.send(health, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"health\":\"true\"")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(20); // polling the health endpoint, with a deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        throw new IllegalStateException("etcd not healthy within " + START + "; see " + logFile + ":\n" + tail());
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(logFile);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static int[] freePorts(int n) throws IOException {
        ServerSocket[] sockets = new ServerSocket[n];
        int[] ports = new int[n];
        try {
            for (int i = 0; i < n; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
        } finally {
            for (ServerSocket s : sockets) {
                if (s != null) {
                    s.close();
                }
            }
        }
        return ports;
    }

    /** Kills the server and deletes its data. */
    @Override
    public void close() throws IOException {
        kill();
        try (Stream<Path> files = Files.walk(dataDir.getParent())) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }
}
