package io.github.lb4j.core;

/** Per-pool strategy state: builds a new {@link Picker} for every snapshot, sharing cursors across them. */
interface PickerFactory {

    /**
     * @param backends the eligible backends, non-empty, in membership order
     * @param weights their effective weights, each at least 1, same length
     * @return the picker
     */
    Picker newPicker(BackendState[] backends, int[] weights);
}
