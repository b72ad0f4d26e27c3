package io.github.lb4j.core.testing;

import java.util.Locale;

/**
 * Whether Jazzer can run here: it ships native code for Linux and macOS on x86_64 and aarch64, and Windows on x86_64.
 * The fuzz tests of every module name {@code io.github.lb4j.core.testing.JazzerPlatform#unsupported} in their
 * {@code @DisabledIf}, so they are skipped with a reason elsewhere instead of failing to load Jazzer.
 *
 * <p>It sits in a package of its own because other modules compile their tests against lb-core as a named module,
 * which owns {@code io.github.lb4j.core}: a test-jar class in that package would be invisible to them.
 */
public final class JazzerPlatform {

    /** The reason the fuzz tests give when skipped. */
    public static final String REASON = "Jazzer ships native code for Linux x86_64/aarch64, macOS and Windows x86_64"
            + " only; the fuzz tests are skipped on this platform";

    private JazzerPlatform() {
    }

    public static boolean unsupported() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
        boolean arm = arch.equals("aarch64") || arch.equals("arm64");
        return !((os.contains("linux") || os.contains("mac")) && (x64 || arm) || os.contains("windows") && x64);
    }
}
