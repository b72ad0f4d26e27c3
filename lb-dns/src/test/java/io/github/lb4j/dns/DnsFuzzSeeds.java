package io.github.lb4j.dns;

import static io.github.lb4j.dns.FakeResolver.a;
import static io.github.lb4j.dns.FakeResolver.aaaa;
import static io.github.lb4j.dns.FakeResolver.cname;
import static io.github.lb4j.dns.FakeResolver.name;
import static io.github.lb4j.dns.FakeResolver.srv;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * Writes the seed corpus of {@link DnsFuzzTest}: real wire answers (the shapes dnsmasq, Consul and CoreDNS send, and
 * the broken ones the source must survive) and a few random inputs for the structured target. The files are
 * committed; after changing this class, regenerate them from the lb-dns directory:
 * <pre>
 * mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) io.github.lb4j.dns.DnsFuzzSeeds
 * </pre>
 */
final class DnsFuzzSeeds {

    private static final String H = DnsFuzzTest.HOST;
    private static final String S = DnsFuzzTest.SERVICE;
    private static final int SRV = 1;
    private static final int IPV4 = 0;
    private static final int IPV6 = 1 << 1;
    private static final int BOTH = 2 << 1;

    private DnsFuzzSeeds() {
    }

    public static void main(String[] args) throws IOException {
        Path base = Path.of(args.length > 0 ? args[0] : "src/test/resources/io/github/lb4j/dns/DnsFuzzTestInputs");
        Path wire = Files.createDirectories(base.resolve("wireAnswers"));
        write(wire, "a-three", IPV4, Rcode.NOERROR,
                a(H, 30, "10.0.0.12"), a(H, 30, "10.0.0.2"), a(H, 60, "10.0.0.11"));
        write(wire, "aaaa-two", IPV6, Rcode.NOERROR, aaaa(H, 30, "2001:db8::1"), aaaa(H, 30, "::ffff:10.0.0.1"));
        write(wire, "both-mixed", BOTH, Rcode.NOERROR, a(H, 5, "10.0.0.1"), aaaa(H, 5, "2001:db8::2"),
                a(H, 5, "10.0.0.1"));
        write(wire, "cname-chain", IPV4, Rcode.NOERROR, cname(H, 300, "alias.fuzz.test."),
                cname("alias.fuzz.test.", 200, "t1.fuzz.test."), a("t1.fuzz.test.", 10, "10.0.0.7"));
        write(wire, "cname-loop", IPV4, Rcode.NOERROR, cname(H, 1, "loop.fuzz.test."),
                cname("loop.fuzz.test.", 1, H));
        write(wire, "unusable-addresses", BOTH, Rcode.NOERROR, a(H, 5, "0.0.0.0"), a(H, 5, "224.0.0.1"),
                aaaa(H, 5, "ff02::1"), a(H, 5, "10.0.0.3"));
        write(wire, "nxdomain", IPV4, Rcode.NXDOMAIN);
        write(wire, "servfail", SRV, Rcode.SERVFAIL);
        write(wire, "nodata", IPV4, Rcode.NOERROR, new org.xbill.DNS.TXTRecord(name(H), DClass.IN, 5, "v=1"));
        write(wire, "srv-consul", SRV | IPV4, Rcode.NOERROR,
                srv(S, 0, 1, 1, 21000, "t1.fuzz.test."), srv(S, 0, 1, 1, 21001, "t2.fuzz.test."),
                a("t1.fuzz.test.", 0, "10.0.1.1"), a("t2.fuzz.test.", 0, "10.0.1.2"));
        write(wire, "srv-priorities-weights", SRV | BOTH, Rcode.NOERROR,
                srv(S, 30, 10, 0, 8080, "t1.fuzz.test."), srv(S, 30, 10, 65535, 8080, "t1.fuzz.test."),
                srv(S, 30, 20, 5, 9090, "t2.fuzz.test."),
                a("t1.fuzz.test.", 30, "10.0.1.1"), aaaa("t2.fuzz.test.", 30, "2001:db8::9"));
        write(wire, "srv-unusable", SRV, Rcode.NOERROR, srv(S, 5, 0, 0, 80, "."), srv(S, 5, 0, 0, 0, "t1.fuzz.test."),
                srv(S, 5, 0, 0, 80, "bad\\032name.fuzz.test."));
        writeRaw(wire, "absurd-ttl", IPV4, withRawTtl(message(Rcode.NOERROR, a(H, 5, "10.0.0.4")), 0x8000_0000L));
        writeRaw(wire, "truncated", IPV4, java.util.Arrays.copyOf(
                message(Rcode.NOERROR, a(H, 5, "10.0.0.4")).toWire(), 20));

        Path structured = Files.createDirectories(base.resolve("structuredAnswers"));
        SplittableRandom random = new SplittableRandom(2024);
        for (int i = 0; i < 8; i++) {
            byte[] b = new byte[32 + 32 * i];
            random.nextBytes(b);
            Files.write(structured.resolve("random-" + i), b);
        }
    }

    private static Message message(int rcode, Record... answers) {
        Message m = new Message(4242);
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setFlag(Flags.AA);
        m.getHeader().setRcode(rcode);
        for (Record r : answers) {
            m.addRecord(r, Section.ANSWER);
        }
        return m;
    }

    private static void write(Path dir, String file, int mode, int rcode, Record... answers) throws IOException {
        writeRaw(dir, file, mode, message(rcode, answers).toWire());
    }

    private static void writeRaw(Path dir, String file, int mode, byte[] wire) throws IOException {
        byte[] out = new byte[wire.length + 1];
        out[0] = (byte) mode;
        System.arraycopy(wire, 0, out, 1, wire.length);
        Files.write(dir.resolve(file), out);
    }

    /** The wire form with the first answer's TTL set to a value no Record constructor accepts. */
    private static byte[] withRawTtl(Message m, long ttl) {
        byte[] wire = m.toWire();
        // Header (12 bytes), then the first answer: its owner name in full (no question to point back to).
        int at = 12 + m.getSection(Section.ANSWER).get(0).getName().toWire().length + 4;
        wire[at] = (byte) (ttl >>> 24);
        wire[at + 1] = (byte) (ttl >>> 16);
        wire[at + 2] = (byte) (ttl >>> 8);
        wire[at + 3] = (byte) ttl;
        return wire;
    }
}
