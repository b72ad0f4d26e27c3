package io.github.lb4j.examples;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CountDownLatch;

/**
 * The small command line the method examples share: {@code --port N} (where the example listens), {@code --bind ADDR}
 * (default loopback; give 0.0.0.0 deliberately to expose it) and {@code --serve} (keep running for a browser, curl or
 * nc after the built-in walkthrough, until Ctrl-C).
 */
final class ExampleArgs {

    final int port;
    final InetAddress bind;
    final boolean serve;

    private ExampleArgs(int port, InetAddress bind, boolean serve) {
        this.port = port;
        this.bind = bind;
        this.serve = serve;
    }

    static ExampleArgs parse(String[] args, int defaultPort, String usage) {
        int port = defaultPort;
        InetAddress bind = InetAddress.getLoopbackAddress();
        boolean serve = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--serve":
                    serve = true;
                    break;
                case "--port":
                    if (++i >= args.length) {
                        throw new IllegalArgumentException("--port needs a value\n" + usage);
                    }
                    try {
                        port = Integer.parseInt(args[i]);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--port must be a number, got '" + args[i] + "'");
                    }
                    if (port < 0 || port > 65535) {
                        throw new IllegalArgumentException("--port must be between 0 and 65535, got " + port);
                    }
                    break;
                case "--bind":
                    if (++i >= args.length) {
                        throw new IllegalArgumentException("--bind needs a value\n" + usage);
                    }
                    try {
                        bind = InetAddress.getByName(args[i]);
                    } catch (UnknownHostException e) {
                        throw new IllegalArgumentException("--bind must be an address, got '" + args[i] + "'");
                    }
                    break;
                default:
                    throw new IllegalArgumentException("unknown option '" + args[i] + "'\n" + usage);
            }
        }
        return new ExampleArgs(port, bind, serve);
    }

    /** Blocks until the JVM is asked to stop (Ctrl-C), then closes {@code resources}. */
    static void serveUntilStopped(AutoCloseable... resources) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (AutoCloseable r : resources) {
                try {
                    r.close();
                } catch (Exception e) {
                    // stopping anyway
                }
            }
            stopped.countDown();
        }));
        stopped.await();
    }

    /** "127.0.0.1" or "[::1]", for URLs. */
    static String urlHost(InetAddress address) {
        String host = address.getHostAddress();
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }
}
