package io.github.lb4j.etcd;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.internal.RecordLimits;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The value etcd's naming API keeps under each endpoint key (Go's {@code endpoints.Endpoint}):
 * {@code {"Addr":"host:port","Metadata":...}}, read and written as a tree, so unknown fields (such as the {@code Op}
 * of values written by the older {@code grpcproxy} naming code) are ignored.
 *
 * <p>Reading: {@code Addr} is {@code host:port} or {@code [ipv6]:port}, the port required and 1 to 65535.
 * {@code Metadata}, when it is a JSON object, gives its scalar entries (strings, numbers, booleans) as text; any other
 * {@code Metadata} (null, a string, an array) gives none. Every problem is described without the values it is about,
 * since values may carry anything.
 *
 * <p>Thread-safety: stateless; the mapper is configured once and then only used.
 */
final class EndpointJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private EndpointJson() {
    }

    /** What one key holds: a backend, or a problem. */
    record Read(Backend backend, String problem) {
        static Read problem(String problem) {
            return new Read(null, problem);
        }
    }

    /**
     * @param id the key's name below the target, the backend id
     * @param value the key's value
     * @param zoneKey the metadata key of the zone
     * @param weightKey the metadata key of the weight
     */
    static Read read(String id, byte[] value, String zoneKey, String weightKey) {
        if (value == null || value.length == 0) {
            return Read.problem("has no value (not an endpoint)");
        }
        String tooLarge = RecordLimits.recordTooLarge(value.length);
        if (tooLarge != null) {
            return Read.problem(tooLarge);
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(value);
        } catch (IOException e) {
            return Read.problem("is not JSON (" + describe(e) + ")");
        }
        if (root == null || !root.isObject()) {
            return Read.problem("is not a JSON object");
        }
        JsonNode addrNode = root.get("Addr");
        String addr = addrNode != null && addrNode.isTextual() ? addrNode.textValue().trim() : null;
        if (addr == null || addr.isEmpty()) {
            return Read.problem("has no Addr");
        }
        int colon = addr.lastIndexOf(':');
        if (colon <= 0 || colon == addr.length() - 1) {
            return Read.problem("has an Addr without a port (host:port expected)");
        }
        String host = addr.substring(0, colon);
        boolean bracketed = host.startsWith("[") && host.endsWith("]");
        if (!bracketed && host.indexOf(':') >= 0) {
            return Read.problem("has an Addr with an IPv6 address not in brackets ([ipv6]:port expected)");
        }
        int port = decimal(addr.substring(colon + 1), 65535);
        if (port < 1) {
            return Read.problem("has an Addr whose port is not an integer between 1 and 65535");
        }
        Backend backend;
        try {
            backend = Backend.of(host, port);
        } catch (IllegalArgumentException e) {
            return Read.problem("has an Addr whose host is not a host name or IP literal");
        }
        try {
            backend = backend.withId(id);
        } catch (IllegalArgumentException e) {
            return Read.problem("has a name (the backend id) that is blank or has control characters");
        }
        JsonNode metadataNode = root.get("Metadata");
        String tooMany = RecordLimits.tooManyMetadataEntries(
                metadataNode != null && metadataNode.isObject() ? metadataNode.size() : 0);
        if (tooMany != null) {
            return Read.problem(tooMany);
        }
        Map<String, String> metadata = metadata(metadataNode);
        String tooMuch = RecordLimits.metadataTooLarge(metadata);
        if (tooMuch != null) {
            return Read.problem(tooMuch);
        }
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            try {
                backend = backend.withMetadata(entry.getKey(), entry.getValue());
            } catch (IllegalArgumentException e) {
                return Read.problem("has a Metadata key that is blank or has control characters");
            }
        }
        String zone = metadata.get(zoneKey);
        if (zone != null) {
            try {
                backend = backend.withZone(zone);
            } catch (IllegalArgumentException e) {
                return Read.problem("has a Metadata '" + zoneKey + "' that is blank or has control characters");
            }
        }
        String weight = metadata.get(weightKey);
        if (weight != null) {
            int w = decimal(weight, Backend.MAX_WEIGHT);
            if (w < 1) {
                return Read.problem("has a Metadata '" + weightKey + "' that is not an integer between 1 and "
                        + Backend.MAX_WEIGHT);
            }
            backend = backend.withWeight(w);
        }
        return new Read(backend, null);
    }

    /**
     * @param addr {@code host:port}, an IPv6 literal in brackets
     * @param metadata the entries, written as strings in key order; an empty map gives {@code "Metadata":{}}
     * @return the value, as etcd's {@code endpoints.Manager} writes it
     */
    static byte[] write(String addr, Map<String, String> metadata) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("Addr", addr);
        ObjectNode entries = root.putObject("Metadata");
        for (Map.Entry<String, String> entry : new TreeMap<>(metadata).entrySet()) {
            entries.put(entry.getKey(), entry.getValue());
        }
        try {
            return MAPPER.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an endpoint document", e); // a tree of strings
        }
    }

    private static Map<String, String> metadata(JsonNode node) {
        if (node == null || !node.isObject()) {
            return Map.of(); // absent, null, or a scalar or array: nothing a backend can carry as entries
        }
        Map<String, String> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode value = field.getValue();
            if (value.isValueNode() && !value.isNull()) {
                out.put(field.getKey(), value.asText());
            }
        }
        return out;
    }

    /** A decimal int from 0 to {@code max} (surrounding blanks allowed); else -1. */
    private static int decimal(String text, int max) {
        String t = text.trim();
        if (t.isEmpty() || t.length() > 9) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value <= max ? value : -1;
    }

    /** The parser's complaint without the document: its location, never the text around it. */
    private static String describe(IOException e) {
        if (e instanceof JsonProcessingException jpe && jpe.getLocation() != null) {
            return "at byte " + jpe.getLocation().getByteOffset();
        }
        return e.getClass().getSimpleName();
    }
}
