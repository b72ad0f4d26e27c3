package io.github.lb4j.kubernetes;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.internal.RecordLimits;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Turns the EndpointSlices of one service into one set of backends: all slices merged (a service's endpoints are
 * spread over many slices, at most 100 endpoints each by default), each address of a usable endpoint one backend,
 * on the port chosen by name or number.
 *
 * <p>Per endpoint: {@code ready} false leaves it out (a terminating endpoint is never ready, so it leaves too, and
 * the pool drains its calls in flight); {@code ready} absent counts as ready, as the API says. Zone from
 * {@code zone}. Id: the {@code targetRef}'s name (the pod) and the port, such as {@code "orders-7d9f-x2x4q:8080"};
 * the address and port when there is no targetRef. A pod listed with several addresses (dual-stack: one IPv4 and one
 * IPv6 slice) gets one backend per address, each id then naming its address ({@code "orders-7d9f-x2x4q/[fd00::5]:8080"}),
 * so ids stay unique and do not depend on the order slices arrive in. An address listed in two slices (the
 * controller moves endpoints between slices) is one backend.
 *
 * <p>A slice is skipped whole, with a {@linkplain Problem problem} to report, when it lacks the chosen port, has
 * several ports and none was chosen, or is of address type FQDN (a name, not an address: not supported); an endpoint
 * with an address or zone the pool cannot use is skipped alone, also reported. Problems name slices, endpoint
 * positions and ports, never other content.
 *
 * <p>Thread-safety: stateless.
 */
final class SliceReader {

    /** The address types read. FQDN slices are skipped: a pool needs addresses, and they are deprecated. */
    static final String IPV4 = "IPv4";
    static final String IPV6 = "IPv6";

    private SliceReader() {
    }

    /** How a backend port is chosen: by name, by number, or the slice's only port. */
    record PortChoice(String name, int number) {
        static PortChoice named(String name) {
            return new PortChoice(name, 0);
        }

        static PortChoice numbered(int number) {
            return new PortChoice(null, number);
        }

        static PortChoice onlyPort() {
            return new PortChoice(null, 0);
        }

        @Override
        public String toString() {
            return name != null ? "port '" + name + "'" : number > 0 ? "port number " + number : "the only port";
        }
    }

    /** A skipped slice: its name, what is wrong, and whether that is the missing port. */
    record Problem(String slice, String text, boolean portMissing) {
    }

    /**
     * The merged set and the skipped slices, and the port names seen on slices that were read for ports; or, when
     * the slices list more than {@link RecordLimits#MAX_BACKENDS} addresses, no backends and {@code tooMany} saying so.
     */
    record Result(List<Backend> backends, List<Problem> problems, TreeSet<String> portNames, int slicesWithPort,
                  String tooMany) {
    }

    /**
     * @param slices the service's slices, in a fixed order (by name) so the result does not depend on event order
     */
    static Result read(Collection<EndpointSlice> slices, PortChoice choice) {
        List<Problem> problems = new ArrayList<>();
        TreeSet<String> portNames = new TreeSet<>();
        int slicesWithPort = 0;
        // host:port -> candidate; first slice (by name) wins for an address listed twice.
        Map<String, Candidate> byAddress = new LinkedHashMap<>();
        for (EndpointSlice slice : slices) {
            String name = slice.getMetadata() != null ? slice.getMetadata().getName() : null;
            List<EndpointPort> ports = slice.getPorts() == null ? List.of() : slice.getPorts();
            for (EndpointPort p : ports) {
                portNames.add(p.getName() == null || p.getName().isEmpty() ? "(unnamed)" : p.getName());
            }
            String type = slice.getAddressType();
            if (!IPV4.equals(type) && !IPV6.equals(type)) {
                problems.add(new Problem(name, "has address type " + shown(type) + "; only IPv4 and IPv6 are read",
                        false));
                continue;
            }
            EndpointPort port = choose(ports, choice);
            if (port == null) {
                problems.add(new Problem(name, portProblem(ports, choice), true));
                continue;
            }
            slicesWithPort++;
            Integer number = port.getPort();
            if (number == null || number < 1 || number > 65535) {
                problems.add(new Problem(name, "has " + choice + " without a number from 1 to 65535", false));
                continue;
            }
            List<Candidate> read = new ArrayList<>();
            String bad = readEndpoints(slice, number, read);
            if (bad != null) {
                problems.add(new Problem(name, bad, false)); // its other endpoints are read
            }
            for (Candidate c : read) {
                byAddress.putIfAbsent(c.backend.id(), c);
            }
            // Checked slice by slice: the set is never built past the limit, however many slices there are.
            String tooMany = RecordLimits.tooManyBackends(byAddress.size());
            if (tooMany != null) {
                return new Result(List.of(), problems, portNames, slicesWithPort, "its EndpointSlices list at least "
                        + tooMany);
            }
        }
        return new Result(withIds(byAddress.values()), problems, portNames, slicesWithPort, null);
    }

    /** The port this slice offers for {@code choice}, or null. Only TCP ports (protocol absent means TCP). */
    private static EndpointPort choose(List<EndpointPort> ports, PortChoice choice) {
        EndpointPort found = null;
        int tcp = 0;
        for (EndpointPort p : ports) {
            if (p.getProtocol() != null && !"TCP".equals(p.getProtocol())) {
                continue;
            }
            tcp++;
            String name = p.getName() == null ? "" : p.getName();
            if (choice.name() != null ? choice.name().equals(name)
                    : choice.number() > 0 ? p.getPort() != null && p.getPort() == choice.number() : true) {
                found = p;
            }
        }
        if (choice.name() == null && choice.number() == 0 && tcp != 1) {
            return null; // no port chosen: only a slice with exactly one port says which
        }
        return found;
    }

    private static String portProblem(List<EndpointPort> ports, PortChoice choice) {
        List<String> names = new ArrayList<>();
        for (EndpointPort p : ports) {
            String n = p.getName() == null || p.getName().isEmpty() ? "(unnamed)" : p.getName();
            names.add(n + "=" + p.getPort() + (p.getProtocol() == null ? "" : "/" + p.getProtocol()));
        }
        String has = names.isEmpty() ? "no ports" : "ports " + String.join(", ", names);
        if (choice.name() == null && choice.number() == 0) {
            return "has " + has + ", not exactly one TCP port; choose one with port(name) or portNumber(number)";
        }
        return "has no TCP " + choice + " (it has " + has + ")";
    }

    /**
     * Reads the usable endpoints of a slice into {@code out}, skipping an endpoint whose address or zone the pool
     * cannot use; returns what was wrong with the first such endpoint, or null.
     */
    private static String readEndpoints(EndpointSlice slice, int port, List<Candidate> out) {
        List<Endpoint> endpoints = slice.getEndpoints() == null ? List.of() : slice.getEndpoints();
        String problem = null;
        endpoints:
        for (int i = 0; i < endpoints.size(); i++) {
            Endpoint e = endpoints.get(i);
            if (!ready(e.getConditions()) || e.getAddresses() == null) {
                continue;
            }
            String pod = podName(e.getTargetRef());
            List<Candidate> mine = new ArrayList<>(e.getAddresses().size());
            for (String address : e.getAddresses()) {
                Backend b;
                try {
                    b = Backend.of(address, port);
                } catch (IllegalArgumentException | NullPointerException ex) {
                    problem = problem != null ? problem : "has endpoint " + i + " with an address the pool cannot use"
                            + " (that endpoint is skipped)";
                    continue endpoints;
                }
                if (e.getZone() != null) {
                    try {
                        b = b.withZone(e.getZone());
                    } catch (IllegalArgumentException ex) {
                        problem = problem != null ? problem : "has endpoint " + i + " with a zone that is blank or"
                                + " has control characters (that endpoint is skipped)";
                        continue endpoints;
                    }
                }
                mine.add(new Candidate(b, pod));
            }
            out.addAll(mine);
        }
        return problem;
    }

    /** Ready unless said otherwise: the API defines an absent {@code ready} as ready. */
    private static boolean ready(EndpointConditions conditions) {
        return conditions == null || conditions.getReady() == null || conditions.getReady();
    }

    /** The pod's name, when the endpoint refers to one with a usable name; else null (the address is the id). */
    private static String podName(ObjectReference ref) {
        if (ref == null || ref.getName() == null || ref.getName().isBlank()) {
            return null;
        }
        String name = ref.getName();
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                return null;
            }
        }
        return name;
    }

    /** Pod-and-port ids, naming the address only for a pod that has several. */
    private static List<Backend> withIds(Collection<Candidate> candidates) {
        Map<String, Integer> perPod = new HashMap<>();
        for (Candidate c : candidates) {
            if (c.pod != null) {
                perPod.merge(c.pod + ":" + c.backend.port(), 1, Integer::sum);
            }
        }
        List<Backend> out = new ArrayList<>(candidates.size());
        for (Candidate c : candidates) {
            if (c.pod == null) {
                out.add(c.backend);
                continue;
            }
            String podPort = c.pod + ":" + c.backend.port();
            out.add(c.backend.withId(perPod.get(podPort) == 1 ? podPort : c.pod + "/" + c.backend.id()));
        }
        return out;
    }

    private static String shown(String text) {
        return text == null ? "(none)" : "'" + io.github.lb4j.core.internal.Checks.printable(text) + "'";
    }

    /** A usable address before ids are settled: the backend with its default id, and the pod it belongs to. */
    private record Candidate(Backend backend, String pod) {
    }
}
