package io.github.lb4j.dns;

import io.github.lb4j.core.Backend;
import io.github.lb4j.core.internal.RecordLimits;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * One resolution of a name into a backend set: the queries, their interpretation and the TTL of the result. Problems
 * that make the whole answer unusable (timeouts, SERVFAIL, unparseable messages) fail the returned future with a
 * {@link DnsDiscoveryException}; problems with single records are collected as {@link Result#notes} and those records
 * skipped; "nothing found" is an empty {@link Result} with a reason, which the source turns into failed discovery
 * unless empty results are allowed.
 */
final class Resolution {

    /** Longer CNAME chains are almost always loops; resolvers give up near this depth too. */
    static final int MAX_CNAME_HOPS = 8;
    /** RFC 2181 section 8: a TTL with the most significant bit set is treated as zero. */
    static final long MAX_TTL_SECONDS = 0x7FFF_FFFFL;

    private final Resolver resolver;
    private final Executor executor;
    private final String server;
    private final Duration timeout;
    private final DnsBackendSource.AddressFamily family;

    Resolution(Resolver resolver, Executor executor, String server, Duration timeout,
               DnsBackendSource.AddressFamily family) {
        this.resolver = resolver;
        this.executor = executor;
        this.server = server;
        this.timeout = timeout;
        this.family = family;
    }

    /** What one resolution found. */
    static final class Result {
        final List<Backend> backends;
        /** The smallest TTL of the records used, before clamping; -1 when nothing was found. */
        final long ttlSeconds;
        /** Records skipped and why, for the log. */
        final List<String> notes;
        /** Why {@link #backends} is empty, or null. */
        final String emptyReason;

        Result(List<Backend> backends, long ttlSeconds, List<String> notes, String emptyReason) {
            this.backends = backends;
            this.ttlSeconds = ttlSeconds;
            this.notes = notes;
            this.emptyReason = emptyReason;
        }

        static Result empty(String reason, List<String> notes) {
            return new Result(List.of(), -1, notes, reason);
        }
    }

    /** The interpreted answer to one question. */
    private static final class Answer {
        final boolean nxdomain;
        final List<Record> records;
        final long ttl;

        Answer(boolean nxdomain, List<Record> records, long ttl) {
            this.nxdomain = nxdomain;
            this.records = records;
            this.ttl = ttl;
        }
    }

    /** The addresses of one host over the configured families. */
    private static final class HostAddresses {
        final List<InetAddress> addresses;
        final long ttl;
        final boolean nxdomain;

        HostAddresses(List<InetAddress> addresses, long ttl, boolean nxdomain) {
            this.addresses = addresses;
            this.ttl = ttl;
            this.nxdomain = nxdomain;
        }
    }

    /** One backend before it becomes a {@link Backend}: kept to sort and merge. */
    private static final class Candidate {
        final InetAddress address;
        final int port;
        int weight;
        final int priority;
        String target;

        Candidate(InetAddress address, int port, int weight, int priority, String target) {
            this.address = address;
            this.port = port;
            this.weight = weight;
            this.priority = priority;
            this.target = target;
        }
    }

    /** A/AAAA: every address of {@code host} on {@code port}. */
    CompletableFuture<Result> addresses(Name host, int port) {
        List<String> notes = Collections.synchronizedList(new ArrayList<>());
        return hostAddresses(host, notes).thenApply(found -> {
            if (found.addresses.isEmpty()) {
                return Result.empty(found.nxdomain ? "NXDOMAIN for " + host + " " + family.label()
                        : "no " + family.label() + " records for " + host, notes);
            }
            List<Candidate> candidates = new ArrayList<>();
            for (InetAddress a : found.addresses) {
                candidates.add(new Candidate(a, port, 1, 0, null));
            }
            return new Result(toBackends(candidates, 0), found.ttl, notes, null);
        });
    }

    /** SRV: every address of every usable target, on the record's port, weighted, lowest priority primary. */
    CompletableFuture<Result> srv(Name service) {
        List<String> notes = Collections.synchronizedList(new ArrayList<>());
        return query(service, Type.SRV, notes).thenCompose(answer -> {
            if (answer.records.isEmpty()) {
                return CompletableFuture.completedFuture(Result.empty(
                        (answer.nxdomain ? "NXDOMAIN for " : "no SRV records for ") + service, notes));
            }
            List<SRVRecord> usable = new ArrayList<>();
            for (Record r : answer.records) {
                SRVRecord s = (SRVRecord) r;
                if (s.getTarget().equals(Name.root)) {
                    notes.add("SRV record '" + s.rdataToString() + "' has target '.' (service not offered there);"
                            + " ignored");
                } else if (s.getPort() == 0) {
                    notes.add("SRV record '" + s.rdataToString() + "' has port 0; ignored");
                } else if (!isHostName(s.getTarget())) {
                    notes.add("SRV record '" + s.rdataToString() + "' has a malformed target; ignored");
                } else {
                    usable.add(s);
                }
            }
            if (usable.isEmpty()) {
                return CompletableFuture.completedFuture(Result.empty(
                        "no usable SRV records for " + service + " (" + String.join("; ", notes) + ")", notes));
            }
            int primary = Integer.MAX_VALUE;
            Map<Name, CompletableFuture<HostAddresses>> targets = new LinkedHashMap<>();
            for (SRVRecord s : usable) {
                primary = Math.min(primary, s.getPriority());
                targets.computeIfAbsent(s.getTarget(), t -> hostAddresses(t, notes));
            }
            int primaryPriority = primary;
            long srvTtl = answer.ttl;
            return CompletableFuture.allOf(targets.values().toArray(new CompletableFuture<?>[0])).thenApply(v -> {
                long ttl = srvTtl;
                List<Candidate> candidates = new ArrayList<>();
                for (SRVRecord s : usable) {
                    HostAddresses target = targets.get(s.getTarget()).join();
                    if (target.addresses.isEmpty()) {
                        continue;
                    }
                    ttl = Math.min(ttl, target.ttl);
                    // RFC 2782 weight 0 means "very rarely"; lb4j weights start at 1, the smallest share there is.
                    int weight = Math.max(1, s.getWeight());
                    // DNS names are case-insensitive and servers may echo any case (0x20 randomization): the
                    // lower-case form keeps the metadata, and so the set, the same however a record spells it.
                    String name = s.getTarget().canonicalize().toString(true);
                    for (InetAddress a : target.addresses) {
                        candidates.add(new Candidate(a, s.getPort(), weight, s.getPriority(), name));
                    }
                    // Checked as they add up: targets of a few thousand addresses each must not fill the heap.
                    String tooManyEndpoints = RecordLimits.tooManyBackends(candidates.size());
                    if (tooManyEndpoints != null) {
                        throw new DnsDiscoveryException(service + " SRV: its targets' addresses give at least "
                                + tooManyEndpoints);
                    }
                }
                for (Map.Entry<Name, CompletableFuture<HostAddresses>> t : targets.entrySet()) {
                    HostAddresses found = t.getValue().join();
                    if (found.addresses.isEmpty()) {
                        notes.add("SRV target " + t.getKey() + " has no " + family.label() + " records"
                                + (found.nxdomain ? " (NXDOMAIN)" : "") + "; ignored");
                    }
                }
                if (candidates.isEmpty()) {
                    return Result.empty("no SRV target of " + service + " has " + family.label() + " records ("
                            + String.join("; ", notes) + ")", notes);
                }
                return new Result(toBackends(candidates, primaryPriority), ttl, notes, null);
            });
        });
    }

    /** A and/or AAAA of one host, per {@link #family}. */
    private CompletableFuture<HostAddresses> hostAddresses(Name host, List<String> notes) {
        List<CompletableFuture<Answer>> answers = new ArrayList<>(2);
        if (family != DnsBackendSource.AddressFamily.IPV6) {
            answers.add(query(host, Type.A, notes));
        }
        if (family != DnsBackendSource.AddressFamily.IPV4) {
            answers.add(query(host, Type.AAAA, notes));
        }
        return CompletableFuture.allOf(answers.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
            // A set: one list.contains per record made a large answer quadratic.
            LinkedHashSet<InetAddress> addresses = new LinkedHashSet<>();
            long ttl = Long.MAX_VALUE;
            boolean nxdomain = false;
            for (CompletableFuture<Answer> f : answers) {
                Answer a = f.join();
                nxdomain |= a.nxdomain;
                for (Record r : a.records) {
                    InetAddress address = r instanceof ARecord ? ((ARecord) r).getAddress()
                            : ((AAAARecord) r).getAddress();
                    if (address.isAnyLocalAddress() || address.isMulticastAddress()) {
                        notes.add(host + " has the unusable address " + address.getHostAddress() + "; ignored");
                        continue;
                    }
                    addresses.add(address);
                }
                if (!a.records.isEmpty()) {
                    ttl = Math.min(ttl, a.ttl);
                }
            }
            return new HostAddresses(new ArrayList<>(addresses), ttl, nxdomain);
        });
    }

    /** Sends one question and interprets the answer; fails with a {@link DnsDiscoveryException}. */
    private CompletableFuture<Answer> query(Name name, int type, List<String> notes) {
        String question = name + " " + Type.string(type);
        CompletableFuture<Message> sent;
        try {
            Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN));
            sent = resolver.sendAsync(query, executor).toCompletableFuture();
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        // handleAsync: dnsjava completes failures on its own I/O thread; our work belongs on the scheduler's.
        return sent.handleAsync((response, error) -> {
            if (error != null) {
                Throwable cause = unwrap(error);
                throw new DnsDiscoveryException(question + ": " + explain(cause), cause);
            }
            return interpret(name, type, response, question, notes);
        }, executor);
    }

    private Answer interpret(Name name, int type, Message response, String question, List<String> notes) {
        int rcode = response.getRcode();
        if (rcode == Rcode.NXDOMAIN) {
            return new Answer(true, List.of(), Long.MAX_VALUE);
        }
        if (rcode != Rcode.NOERROR) {
            throw new DnsDiscoveryException(question + ": " + Rcode.string(rcode) + " from " + server);
        }
        List<Record> section = response.getSection(Section.ANSWER);
        Name current = name;
        long ttl = Long.MAX_VALUE;
        for (int hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
            List<Record> found = new ArrayList<>();
            CNAMERecord alias = null;
            for (Record r : section) {
                if (r.getDClass() != DClass.IN || !r.getName().equals(current)) {
                    continue;
                }
                if (r.getType() == type) {
                    found.add(r);
                } else if (r.getType() == Type.CNAME) {
                    alias = (CNAMERecord) r;
                }
            }
            String tooMany = RecordLimits.tooManyBackends(found.size());
            if (tooMany != null) {
                throw new DnsDiscoveryException(question + ": " + found.size() + " records from " + server + ", "
                        + tooMany);
            }
            if (!found.isEmpty()) {
                for (Record r : found) {
                    ttl = Math.min(ttl, ttl(r, notes));
                }
                return new Answer(false, found, ttl);
            }
            if (alias == null) {
                return new Answer(false, List.of(), Long.MAX_VALUE);
            }
            ttl = Math.min(ttl, ttl(alias, notes));
            current = alias.getTarget();
        }
        throw new DnsDiscoveryException(question + ": CNAME chain longer than " + MAX_CNAME_HOPS + " from " + server);
    }

    private static long ttl(Record r, List<String> notes) {
        long ttl = r.getTTL();
        if (ttl < 0 || ttl > MAX_TTL_SECONDS) {
            notes.add("record '" + r.getName() + " " + Type.string(r.getType()) + "' has the absurd TTL " + ttl
                    + "; treated as 0 (RFC 2181)");
            return 0;
        }
        return ttl;
    }

    private String explain(Throwable cause) {
        if (cause instanceof SocketTimeoutException || cause instanceof TimeoutException) {
            return "no answer from " + server + " within " + timeout.toMillis() + " ms";
        }
        if (cause instanceof PortUnreachableException) {
            return "no DNS server listening at " + server;
        }
        if (cause instanceof IOException) {
            return "I/O error talking to " + server + ": " + cause;
        }
        return "lookup via " + server + " failed: " + cause;
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Letters, digits, '-' and '_' (service labels), no empty label: what a DNS host name may contain. */
    static boolean isHostName(Name name) {
        if (!name.isAbsolute() || name.labels() < 2) {
            return false;
        }
        for (int i = 0; i < name.labels() - 1; i++) {
            byte[] label = name.getLabel(i);
            int length = label[0] & 0xff;
            if (length == 0) {
                return false;
            }
            for (int j = 1; j <= length; j++) {
                int c = label[j] & 0xff;
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                        || c == '_';
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Merges candidates with the same address and port (two records naming one endpoint): the lowest priority wins,
     * equal priorities add their weights. Sorted primaries first, then by address and port, so the same records in
     * any order give the same list and a pool sees no change.
     */
    private static List<Backend> toBackends(List<Candidate> candidates, int primaryPriority) {
        Map<String, Candidate> byEndpoint = new LinkedHashMap<>();
        for (Candidate c : candidates) {
            String key = c.address.getHostAddress() + "#" + c.port;
            Candidate seen = byEndpoint.get(key);
            if (seen == null || c.priority < seen.priority) {
                byEndpoint.put(key, c);
            } else if (c.priority == seen.priority) {
                seen.weight = (int) Math.min(Backend.MAX_WEIGHT, (long) seen.weight + c.weight);
                // Two targets naming one endpoint: keep the smaller name, not the first one, so order cannot matter.
                if (c.target != null && c.target.compareTo(seen.target) < 0) {
                    seen.target = c.target;
                }
            }
        }
        List<Candidate> sorted = new ArrayList<>(byEndpoint.values());
        sorted.sort(Comparator.<Candidate>comparingInt(c -> c.priority == primaryPriority ? 0 : 1)
                .thenComparing((x, y) -> compare(x.address, y.address))
                .thenComparingInt(c -> c.port));
        List<Backend> out = new ArrayList<>(sorted.size());
        for (Candidate c : sorted) {
            Backend b = Backend.of(format(c.address), c.port).withWeight(c.weight);
            if (c.target != null) {
                b = b.withMetadata(DnsBackendSource.METADATA_TARGET, c.target);
            }
            out.add(c.priority == primaryPriority ? b : b.asBackup());
        }
        return out;
    }

    /** IPv4 before IPv6, then by address bytes. */
    private static int compare(InetAddress x, InetAddress y) {
        byte[] a = x.getAddress();
        byte[] b = y.getAddress();
        if (a.length != b.length) {
            return Integer.compare(a.length, b.length);
        }
        return Arrays.compareUnsigned(a, b);
    }

    /** An address as text: dotted quad, or IPv6 in the RFC 5952 short form ("2001:db8::1") without a scope. */
    static String format(InetAddress address) {
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        byte[] b = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }
}
