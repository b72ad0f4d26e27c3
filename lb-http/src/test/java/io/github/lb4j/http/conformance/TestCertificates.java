package io.github.lb4j.http.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Self-signed certificates made with the JDK's own {@code keytool} (no certificate library needed): a server
 * context holding the key, and a client context trusting exactly that certificate.
 */
public final class TestCertificates {

    private static final char[] PASSWORD = "changeit".toCharArray();

    public final SSLContext serverContext;
    public final SSLContext clientContext;
    public final X509TrustManager trustManager;

    private TestCertificates(SSLContext serverContext, SSLContext clientContext, X509TrustManager trustManager) {
        this.serverContext = serverContext;
        this.clientContext = clientContext;
        this.trustManager = trustManager;
    }

    /**
     * @param dnsName the only name the certificate is valid for (its subject alternative name)
     * @return contexts for a server presenting it and a client trusting it
     */
    public static TestCertificates forName(String dnsName) throws IOException, GeneralSecurityException,
            InterruptedException {
        Path dir = Files.createTempDirectory("lb4j-cert");
        Path keystore = dir.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=" + dnsName, "-ext", "SAN=dns:" + dnsName,
                "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
                .redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + new String(output));
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            keys.load(in, PASSWORD);
        }
        Files.delete(keystore);
        Files.delete(dir);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD);
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(kmf.getKeyManagers(), null, null);

        Certificate certificate = keys.getCertificate("server");
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        trusted.setCertificateEntry("server", certificate);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        X509TrustManager tm = (X509TrustManager) tmf.getTrustManagers()[0];
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, new javax.net.ssl.TrustManager[] {tm}, null);
        return new TestCertificates(server, client, tm);
    }
}
