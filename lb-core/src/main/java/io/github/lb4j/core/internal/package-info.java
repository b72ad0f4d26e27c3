/**
 * Helpers shared by lb4j's own modules: argument checks, the capped backoff, and text cleanup for messages. Not API:
 * the module exports this package only to lb4j's modules, and anything here may change in any release.
 */
package io.github.lb4j.core.internal;
