package io.github.lb4j.okhttp;

import io.github.lb4j.core.Backend;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A loopback server that accepts connections and never answers (a hung backend). */
final class Blackhole implements AutoCloseable {

    private final ServerSocket serverSocket;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    Blackhole() throws IOException {
        serverSocket = new ServerSocket();
        serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        acceptor = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(serverSocket.accept());
                }
            } catch (IOException closed) {
                // close() ends the loop
            }
        }, "blackhole-" + serverSocket.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int connections() {
        return accepted.size();
    }

    Backend backend(String id) {
        return Backend.of("127.0.0.1", serverSocket.getLocalPort()).withId(id);
    }

    /** A backend at a loopback port where nothing listens: connections are refused. */
    static Backend refusing(String id) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = s.getLocalPort();
        }
        return Backend.of("127.0.0.1", port).withId(id);
    }

    static Backend refusingUnchecked(String id) {
        try {
            return refusing(id);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        serverSocket.close();
        for (Socket s : accepted) {
            s.close();
        }
        acceptor.join(5000);
    }
}
