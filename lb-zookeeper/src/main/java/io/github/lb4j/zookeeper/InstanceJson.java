package io.github.lb4j.zookeeper;

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
 * Curator's {@code ServiceInstance} JSON, read and written as a tree: no payload class is pinned, so a payload
 * written by Spring Cloud Zookeeper (with its {@code "@class"} type id) or by any Curator application is read without
 * its classes, and unknown fields are ignored.
 *
 * <p>Reading: {@code id} (else the node name), {@code address}, and {@code port} or {@code sslPort} as chosen;
 * {@code "enabled": false} excludes the instance. The payload's metadata is its {@code metadata} object when it has
 * one (Spring Cloud Zookeeper's {@code ZookeeperInstance}), else the payload object itself; only scalar entries are
 * kept, as text. Every problem is described without the values it is about, since payloads may carry anything.
 *
 * <p>Thread-safety: stateless; the mapper is configured once and then only used.
 */
final class InstanceJson {

    /** The payload type id Spring Cloud Zookeeper writes and reads. */
    static final String SPRING_CLOUD_INSTANCE = "org.springframework.cloud.zookeeper.discovery.ZookeeperInstance";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private InstanceJson() {
    }

    /** What one node holds: a backend, an instance that asks not to be used, or a problem. */
    record Read(Backend backend, boolean disabled, String problem) {
        static Read problem(String problem) {
            return new Read(null, false, problem);
        }
    }

    /**
     * @param nodeName the node's name, the instance id in Curator's layout
     * @param data the node's data
     * @param useSslPort read {@code sslPort} instead of {@code port}
     * @param zoneKey the payload key of the zone
     * @param weightKey the payload key of the weight
     */
    static Read read(String nodeName, byte[] data, boolean useSslPort, String zoneKey, String weightKey) {
        if (data == null || data.length == 0) {
            return Read.problem("has no data (not a ServiceInstance)");
        }
        String tooLarge = RecordLimits.recordTooLarge(data.length);
        if (tooLarge != null) {
            return Read.problem(tooLarge);
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(data);
        } catch (IOException e) {
            return Read.problem("is not JSON (" + describe(e) + ")");
        }
        if (root == null || !root.isObject()) {
            return Read.problem("is not a JSON object");
        }
        JsonNode enabled = root.get("enabled");
        if (enabled != null && enabled.isBoolean() && !enabled.booleanValue()) {
            return new Read(null, true, null);
        }
        String id = text(root.get("id"));
        if (id == null) {
            id = nodeName;
        }
        String address = text(root.get("address"));
        if (address == null || address.isBlank()) {
            return Read.problem("has no address");
        }
        String portField = useSslPort ? "sslPort" : "port";
        JsonNode portNode = root.get(portField);
        if (portNode == null || portNode.isNull()) {
            String other = useSslPort ? "port" : "sslPort";
            JsonNode otherNode = root.get(other);
            return Read.problem("has no " + portField + (otherNode != null && !otherNode.isNull()
                    ? " (only " + other + "; see useSslPort)" : ""));
        }
        int port = integer(portNode);
        if (port < 1 || port > 65535) {
            return Read.problem("has a " + portField + " that is not an integer between 1 and 65535");
        }
        JsonNode entries = metadataSource(root.get("payload"));
        // Counted before anything is copied; "@class" is Jackson's type id, not an entry.
        String tooMany = RecordLimits.tooManyMetadataEntries(entries == null ? 0
                : entries.size() - (entries.has("@class") ? 1 : 0));
        if (tooMany != null) {
            return Read.problem(tooMany);
        }
        Map<String, String> metadata = metadata(entries);
        String tooMuch = RecordLimits.metadataTooLarge(metadata);
        if (tooMuch != null) {
            return Read.problem(tooMuch);
        }
        Backend backend;
        try {
            backend = Backend.of(address, port);
        } catch (IllegalArgumentException e) {
            return Read.problem("has an address that is not a host name or IP literal");
        }
        try {
            backend = backend.withId(id);
        } catch (IllegalArgumentException e) {
            return Read.problem("has a blank id or one with control characters");
        }
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            try {
                backend = backend.withMetadata(entry.getKey(), entry.getValue());
            } catch (IllegalArgumentException e) {
                return Read.problem("has a payload key that is blank or has control characters");
            }
        }
        String zone = metadata.get(zoneKey);
        if (zone != null) {
            try {
                backend = backend.withZone(zone);
            } catch (IllegalArgumentException e) {
                return Read.problem("has a payload '" + zoneKey + "' that is blank or has control characters");
            }
        }
        String weight = metadata.get(weightKey);
        if (weight != null) {
            int w = decimal(weight, Backend.MAX_WEIGHT);
            if (w < 1) {
                return Read.problem("has a payload '" + weightKey + "' that is not an integer between 1 and "
                        + Backend.MAX_WEIGHT);
            }
            backend = backend.withWeight(w);
        }
        return new Read(backend, false, null);
    }

    /**
     * The document {@code ServiceDiscovery} writes in its default (compatible) mode: without {@code enabled}, which
     * older Curator readers reject (CURATOR-275).
     */
    static byte[] write(String serviceName, String id, String address, Integer port, Integer sslPort,
                        Map<String, String> metadata, long registrationTimeUtc, boolean springCloud) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("name", serviceName);
        root.put("id", id);
        root.put("address", address);
        if (port != null) {
            root.put("port", port);
        } else {
            root.putNull("port");
        }
        if (sslPort != null) {
            root.put("sslPort", sslPort);
        } else {
            root.putNull("sslPort");
        }
        ObjectNode payload = root.putObject("payload");
        ObjectNode entries = payload;
        if (springCloud) {
            payload.put("@class", SPRING_CLOUD_INSTANCE);
            payload.put("id", id);
            payload.put("name", serviceName);
            entries = payload.putObject("metadata");
        }
        for (Map.Entry<String, String> entry : new TreeMap<>(metadata).entrySet()) {
            entries.put(entry.getKey(), entry.getValue());
        }
        root.put("registrationTimeUTC", registrationTimeUtc);
        root.put("serviceType", "DYNAMIC");
        root.putNull("uriSpec");
        try {
            return MAPPER.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a ServiceInstance document", e); // a tree of strings
        }
    }

    /** The object whose entries are the metadata, or null when there is none. */
    private static JsonNode metadataSource(JsonNode payload) {
        if (payload == null || !payload.isObject()) {
            return null; // absent, null, or a scalar payload such as Curator's "From Test": not metadata
        }
        JsonNode nested = payload.get("metadata");
        return nested != null && nested.isObject() ? nested : payload;
    }

    private static Map<String, String> metadata(JsonNode source) {
        if (source == null) {
            return Map.of();
        }
        Map<String, String> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = source.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode value = field.getValue();
            if (field.getKey().equals("@class") || !value.isValueNode() || value.isNull()) {
                continue;
            }
            out.put(field.getKey(), value.asText());
        }
        return out;
    }

    private static String text(JsonNode node) {
        return node != null && node.isTextual() ? node.textValue() : null;
    }

    /** An int from a JSON integer or a decimal string of one (Jackson coerces those for Curator); else -1. */
    private static int integer(JsonNode node) {
        if (node.isIntegralNumber()) {
            return node.canConvertToInt() ? node.intValue() : -1;
        }
        if (node.isTextual()) {
            return decimal(node.textValue(), 65535);
        }
        return -1;
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
