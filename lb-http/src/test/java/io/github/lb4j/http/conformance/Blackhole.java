package io.github.lb4j.http.conformance;

import io.github.lb4j.core.Backend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** A loopback server that accepts connections and never answers (a hung backend); and refused ports. */
public final class Blackhole implements AutoCloseable {

    private final ServerSocket serverSocket;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final Semaphore acceptedPermits = new Semaphore(0);
    private final Thread acceptor;

    public Blackhole() throws IOException {
        serverSocket = new ServerSocket();
        serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        acceptor = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(serverSocket.accept());
                    acceptedPermits.release();
                }
            } catch (IOException closed) {
                // close() ends the loop
            }
        }, "blackhole-" + serverSocket.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** @return whether a connection was accepted within the timeout */
    public boolean awaitConnection(long timeout, TimeUnit unit) throws InterruptedException {
        return acceptedPermits.tryAcquire(timeout, unit);
    }

    public int connections() {
        return accepted.size();
    }

    public Backend backend(String id) {
        return Backend.of("127.0.0.1", serverSocket.getLocalPort()).withId(id);
    }

    /** @return a backend at a loopback port where nothing listens: connections are refused */
    public static Backend refusing(String id) {
        int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Backend.of("127.0.0.1", port).withId(id);
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
        for (Socket s : accepted) {
            s.close();
        }
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
