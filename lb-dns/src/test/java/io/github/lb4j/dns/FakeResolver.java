package io.github.lb4j.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;

/** A dnsjava {@link Resolver} with canned answers keyed by "name TYPE"; unknown questions get NXDOMAIN. */
final class FakeResolver implements Resolver {

    private final Map<String, Function<Message, CompletionStage<Message>>> answers = new ConcurrentHashMap<>();
    final List<String> queries = new ArrayList<>();
    /** Answers held back by {@link #hold}, completed by the test. */
    final List<CompletableFuture<Message>> held = new ArrayList<>();
    private volatile boolean holding;

    static Name name(String s) {
        try {
            return Name.fromString(s, Name.root);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Record a(String owner, long ttl, String address) {
        return new ARecord(name(owner), DClass.IN, ttl, ip(address));
    }

    static Record aaaa(String owner, long ttl, String address) {
        return new AAAARecord(name(owner), DClass.IN, ttl, ip(address));
    }

    static Record srv(String owner, long ttl, int priority, int weight, int port, String target) {
        return new SRVRecord(name(owner), DClass.IN, ttl, priority, weight, port, name(target));
    }

    static Record cname(String owner, long ttl, String target) {
        return new CNAMERecord(name(owner), DClass.IN, ttl, name(target));
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Answers {@code name type} with these records (NOERROR; none = NODATA). */
    FakeResolver answer(String name, int type, Record... records) {
        answers.put(key(name(name), type), q -> CompletableFuture.completedFuture(response(q, Rcode.NOERROR, records)));
        return this;
    }

    FakeResolver rcode(String name, int type, int rcode) {
        answers.put(key(name(name), type), q -> CompletableFuture.completedFuture(response(q, rcode)));
        return this;
    }

    FakeResolver timeout(String name, int type) {
        answers.put(key(name(name), type),
                q -> CompletableFuture.failedFuture(new SocketTimeoutException("Query timed out")));
        return this;
    }

    /** Answers with a wire message whose first answer record's TTL is patched to {@code ttl} (above 2^31-1). */
    FakeResolver answerWithRawTtl(String name, int type, long ttl, Record record) {
        answers.put(key(name(name), type), q -> {
            Message ok = response(q, Rcode.NOERROR, record);
            byte[] wire = ok.toWire();
            byte[] owner = record.getName().toWire();
            // Skip header (12), question (owner + 4), then the answer's owner (compressed pointer: 2) and type+class.
            int at = 12 + owner.length + 4 + 2 + 4;
            wire[at] = (byte) (ttl >>> 24);
            wire[at + 1] = (byte) (ttl >>> 16);
            wire[at + 2] = (byte) (ttl >>> 8);
            wire[at + 3] = (byte) ttl;
            try {
                return CompletableFuture.completedFuture(new Message(wire));
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
        });
        return this;
    }

    /** Later questions wait until the test completes them from {@link #held}. */
    void hold(boolean hold) {
        this.holding = hold;
    }

    synchronized int count(String name, int type) {
        String k = key(name(name), type);
        return (int) queries.stream().filter(k::equals).count();
    }

    synchronized int total() {
        return queries.size();
    }

    static Message response(Message query, int rcode, Record... records) {
        Message m = new Message(query.getHeader().getID());
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setRcode(rcode);
        m.addRecord(query.getQuestion(), Section.QUESTION);
        for (Record r : records) {
            m.addRecord(r, Section.ANSWER);
        }
        return m;
    }

    private static String key(Name name, int type) {
        return name + " " + Type.string(type);
    }

    @Override
    public CompletionStage<Message> sendAsync(Message query, Executor executor) {
        Record q = query.getQuestion();
        String k = key(q.getName(), q.getType());
        synchronized (this) {
            queries.add(k);
        }
        CompletionStage<Message> answer = answers.getOrDefault(k,
                m -> CompletableFuture.completedFuture(response(m, Rcode.NXDOMAIN))).apply(query);
        if (holding) {
            CompletableFuture<Message> later = new CompletableFuture<>();
            synchronized (this) {
                held.add(later);
            }
            return answer.thenCompose(m -> later.thenApply(ignored -> m));
        }
        return answer;
    }

    @Override
    public CompletionStage<Message> sendAsync(Message query) {
        return sendAsync(query, Runnable::run);
    }

    @Override
    public void setPort(int port) {
    }

    @Override
    public void setTCP(boolean flag) {
    }

    @Override
    public void setIgnoreTruncation(boolean flag) {
    }

    @Override
    public void setEDNS(int version, int payloadSize, int flags, List<EDNSOption> options) {
    }

    @Override
    public void setTSIGKey(TSIG key) {
    }

    @Override
    public void setTimeout(Duration timeout) {
    }
}
