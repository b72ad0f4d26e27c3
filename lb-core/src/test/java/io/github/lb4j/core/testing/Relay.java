package io.github.lb4j.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on a loopback port in front of a registry server (etcd, ZooKeeper), which a test can {@linkplain #cut() cut}: the one
 * client behind it loses the registry while every other client (and the server) carries on, so changes made
 * "meanwhile" are real changes the client has not seen. Daemon threads; everything closes with {@link #close()}.
 */
public final class Relay implements AutoCloseable {

    private final ServerSocket listener;
    private volatile int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;

    public Relay(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "relay-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String hostPort() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    /** Drops every connection and refuses new ones (accepts and closes them at once) until {@link #restore()}. */
    public void cut() {
        cut = true;
        open.forEach(Relay::closeQuietly);
        open.clear();
    }

    public void restore() {
        cut = false;
    }

    /**
     * New connections go to {@code port} from now on (a server replaced by one on another port), and the
     * connections relayed to the old one are dropped, as they are when a real server goes: a stopped mock server
     * may leave a kept-alive connection open, and a client reusing it through the relay waited for an answer that
     * never came (KubernetesUnderLoadTest, once in CI).
     */
    public void retarget(int port) {
        this.targetPort = port;
        open.forEach(Relay::closeQuietly);
        open.clear();
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket in;
            try {
                in = listener.accept();
            } catch (IOException closed) {
                return;
            }
            if (cut) {
                closeQuietly(in);
                continue;
            }
            try {
                Socket out = new Socket();
                out.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2_000);
                open.add(in);
                open.add(out);
                if (cut) {
                    // cut() ran between the check above and the adds, and may have closed the set before they
                    // were in it: without this, a connection accepted at that moment would outlive the cut
                    open.remove(in);
                    open.remove(out);
                    closeQuietly(out);
                    closeQuietly(in);
                    continue;
                }
                pipe(in, out);
                pipe(out, in);
            } catch (IOException e) {
                closeQuietly(in);
            }
        }
    }

    private void pipe(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream input = from.getInputStream(); OutputStream output = to.getOutputStream()) {
                int n;
                while ((n = input.read(buffer)) >= 0) {
                    output.write(buffer, 0, n);
                    output.flush();
                }
            } catch (IOException ignored) {
                // a side closed: close both below
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "relay-pipe");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        cut();
    }
}
