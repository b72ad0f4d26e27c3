package io.github.lb4j.core.internal;

import java.util.Map;

/**
 * How much of a registry a discovery source takes in (issue 19, item 6): a registry, a DNS server or whoever can
 * write to them may hand a source anything, and what a source keeps must stay bounded. Every lb4j source checks its
 * records against these limits: a record over a per-record limit is skipped as malformed (logged at WARN, like any
 * other malformed record); a set over {@link #MAX_BACKENDS} is a failed read, so the pool keeps its last good set and
 * the source logs a WARN naming the count and retries.
 *
 * <p>Worst case a source then holds: {@link #MAX_BACKENDS} backends of at most {@link #MAX_METADATA_CHARS} characters
 * of metadata each, about 50 000 x (200 B + 2 x 2 048 B) = 215 MB; without the limits, whatever the registry sends.
 *
 * <p>Not API: exported only to lb4j's own modules. Thread-safety: stateless.
 */
public final class RecordLimits {

    /**
     * Most backends one set from a source may hold: 50 000, five times the largest pool lb4j's memory and speed
     * figures are measured at (10 000). A bigger fleet is better split into services than handed whole to every
     * client.
     */
    public static final int MAX_BACKENDS = 50_000;
    /** Most metadata entries one record may carry: 64, far above what naming schemes write (a zone, a weight, tags). */
    public static final int MAX_METADATA_ENTRIES = 64;
    /** Most characters of metadata (keys and values) one record may carry: 2 048. */
    public static final int MAX_METADATA_CHARS = 2048;
    /**
     * Most bytes of one raw record (a JSON document in etcd or ZooKeeper) a source parses: 16 KiB, room for an
     * address, {@link #MAX_METADATA_CHARS} of metadata and the fields a registry adds, while a hostile document of
     * megabytes is refused before any parsing.
     */
    public static final int MAX_RECORD_BYTES = 16 * 1024;

    private RecordLimits() {
    }

    /**
     * @param bytes a raw record's size
     * @return why it is refused, or null if it is within {@link #MAX_RECORD_BYTES}
     */
    public static String recordTooLarge(long bytes) {
        return bytes > MAX_RECORD_BYTES ? "is " + bytes + " bytes, more than the " + MAX_RECORD_BYTES
                + " a record may have" : null;
    }

    /**
     * @param entries how many metadata entries a record has (checked before they are copied anywhere)
     * @return why it is refused, or null if within {@link #MAX_METADATA_ENTRIES}
     */
    public static String tooManyMetadataEntries(long entries) {
        return entries > MAX_METADATA_ENTRIES ? "has " + entries + " metadata entries, more than the "
                + MAX_METADATA_ENTRIES + " a record may have" : null;
    }

    /**
     * @param metadata a record's metadata
     * @return why it is refused (too many entries, or too many characters in keys and values), or null
     */
    public static String metadataTooLarge(Map<String, String> metadata) {
        String tooMany = tooManyMetadataEntries(metadata.size());
        if (tooMany != null) {
            return tooMany;
        }
        long chars = 0;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            chars += e.getKey().length() + (e.getValue() == null ? 0 : e.getValue().length());
        }
        return chars > MAX_METADATA_CHARS ? "has " + chars + " characters of metadata, more than the "
                + MAX_METADATA_CHARS + " a record may have" : null;
    }

    /**
     * What a source keeps of a malformed record to tell a rewritten value from the one it reported: a SHA-256, so
     * that a registry full of large malformed values is not copied into the heap.
     *
     * @param value the raw record
     * @return its 32-byte digest
     */
    public static byte[] digest(byte[] value) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(value);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * @param count how many backends (or records that would become backends) a set has, so far
     * @return why the set is refused, or null if within {@link #MAX_BACKENDS}
     */
    public static String tooManyBackends(long count) {
        return count > MAX_BACKENDS ? count + " backends, more than the " + MAX_BACKENDS
                + " a source takes in one set (RecordLimits.MAX_BACKENDS); keeping the last good set" : null;
    }
}
