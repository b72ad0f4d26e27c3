package io.github.lb4j.core;

import io.github.lb4j.core.internal.Checks;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The metadata a subset's backends must carry ({@link RequestContext#withSubset}), in a form cheap to look up on
 * every pick: keys sorted, values beside them, the hash computed once. A backend matches when its
 * {@link Backend#metadata()} has every key with the same value.
 *
 * <p>Thread-safety: immutable.
 */
final class SubsetSelector {

    private final String[] keys;
    private final String[] values;
    private final int hash;
    private final Map<String, String> map;
    /**
     * The entry this selector found in the last table it was looked up in ({@link #entryIn}), so that a context
     * reused for many requests (a route's split) skips the table's hash lookup while the snapshot stands. Written
     * and read racily: {@link Found} is immutable, so a reader sees a whole one or an older one.
     */
    private Found found;

    private static final class Found {
        final SubsetTable table;
        final SubsetTable.Entry entry;

        Found(SubsetTable table, SubsetTable.Entry entry) {
            this.table = table;
            this.entry = entry;
        }
    }

    private SubsetSelector(TreeMap<String, String> sorted) {
        this.keys = sorted.keySet().toArray(new String[0]);
        this.values = sorted.values().toArray(new String[0]);
        this.hash = 31 * Arrays.hashCode(keys) + Arrays.hashCode(values);
        this.map = Collections.unmodifiableMap(sorted);
    }

    private SubsetSelector(SubsetSelector s) {
        this.keys = s.keys;
        this.values = s.values;
        this.hash = s.hash;
        this.map = s.map;
    }

    /**
     * @return an equal selector that has looked nothing up, for the pool to keep as a key: the request's own
     *     selector would hold on to the table it last found an entry in, which the pool's keys must not
     */
    SubsetSelector asKey() {
        return new SubsetSelector(this);
    }

    /**
     * @param table the snapshot's subsets
     * @return this selector's entry in {@code table}, or null if it is not registered there
     */
    SubsetTable.Entry entryIn(SubsetTable table) {
        Found f = found;
        if (f != null && f.table == table) {
            return f.entry;
        }
        SubsetTable.Entry e = table.get(this);
        if (e != null) {
            found = new Found(table, e);
        }
        return e;
    }

    /**
     * @param field the name used in messages ({@code subset}, {@code defaultSubset})
     * @param selector metadata key to value
     * @return the selector, or null when {@code selector} is empty (the whole pool)
     * @throws NullPointerException for a null map, key or value
     * @throws IllegalArgumentException for a blank key or one with control characters, naming it
     */
    static SubsetSelector of(String field, Map<String, String> selector) {
        Objects.requireNonNull(selector, field);
        if (selector.isEmpty()) {
            return null;
        }
        TreeMap<String, String> sorted = new TreeMap<>();
        for (Map.Entry<String, String> e : selector.entrySet()) {
            String key = Objects.requireNonNull(e.getKey(), field + " contains a null key");
            String value = Objects.requireNonNull(e.getValue(), field + " has a null value for key '"
                    + Checks.printable(key) + "'");
            if (key.isBlank()) {
                throw new IllegalArgumentException(field + ": metadata keys must not be blank, got '"
                        + Checks.printable(key) + "'");
            }
            for (int i = 0; i < key.length(); i++) {
                if (Character.isISOControl(key.charAt(i))) {
                    throw new IllegalArgumentException(field + ": metadata keys must not contain control "
                            + "characters, got '" + Checks.printable(key) + "'");
                }
            }
            sorted.put(key, value);
        }
        return new SubsetSelector(sorted);
    }

    /** @return whether the backend carries every key of this selector with its value */
    boolean matches(Backend b) {
        Map<String, String> md = b.metadata();
        for (int i = 0; i < keys.length; i++) {
            if (!values[i].equals(md.get(keys[i]))) {
                return false;
            }
        }
        return true;
    }

    /** @return the selector as an unmodifiable map sorted by key */
    Map<String, String> asMap() {
        return map;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SubsetSelector)) {
            return false;
        }
        SubsetSelector s = (SubsetSelector) o;
        return hash == s.hash && Arrays.equals(keys, s.keys) && Arrays.equals(values, s.values);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** Values may come from request headers: shown with control characters as '?'. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < keys.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(Checks.printable(keys[i])).append('=')
                    .append(Checks.printable(values[i]));
        }
        return sb.append('}').toString();
    }
}
