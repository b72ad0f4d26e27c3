package io.github.lb4j.okhttp;

import java.io.IOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which OkHttp the application runs on, checked once when the first interceptor or health checker is built.
 * lb-okhttp declares OkHttp as an optional dependency, so the application chooses it; this turns a wrong choice
 * (Retrofit 2.x alone brings OkHttp 3.14) into one clear exception at startup instead of odd failures per call.
 *
 * <p>Thread-safety: the result is computed once, racily but idempotently.
 */
final class OkHttpVersion {

    private static final Logger log = LoggerFactory.getLogger(OkHttpVersion.class);

    /** What lb-okhttp is built and tested against (both surefire executions). */
    static final String SUPPORTED = "OkHttp 4.12 (com.squareup.okhttp3:okhttp:4.12.0) or 5.x "
            + "(com.squareup.okhttp3:okhttp-jvm:5.x)";

    private static volatile String checked;

    private OkHttpVersion() {
    }

    /**
     * @throws IllegalStateException if the OkHttp on the class path is missing or not a supported version
     */
    static void check() {
        if (checked == null) {
            String version = runtime();
            requireSupported(version);
            warnIfSeveral();
            checked = version;
        }
    }

    /** @return the version of the OkHttp classes actually loaded, such as {@code 4.12.0}; "unknown" if unreadable */
    static String runtime() {
        try {
            // Read by reflection: OkHttp.VERSION is a compile-time constant, which javac would inline from the
            // OkHttp lb-okhttp was compiled against instead of reading the one that runs.
            return (String) Class.forName("okhttp3.OkHttp").getField("VERSION").get(null);
        } catch (ReflectiveOperationException | LinkageError e4) {
            try {
                // OkHttp 3.x: okhttp3.internal.Version.userAgent() is "okhttp/3.14.9".
                String agent = (String) Class.forName("okhttp3.internal.Version").getMethod("userAgent")
                        .invoke(null);
                return agent.startsWith("okhttp/") ? agent.substring("okhttp/".length()) : agent;
            } catch (ReflectiveOperationException | LinkageError e3) {
                return "unknown";
            }
        }
    }

    /** @throws IllegalStateException unless {@code version} is 4.12.x or 5.x and later */
    static void requireSupported(String version) {
        if (!supported(version)) {
            throw new IllegalStateException("lb-okhttp needs " + SUPPORTED + ", but the class path has OkHttp "
                    + version + ". Declare the OkHttp you want as a direct dependency of your application (it "
                    + "then wins over the one Retrofit 2.x brings, okhttp 3.14.9), or exclude "
                    + "com.squareup.okhttp3:okhttp from the library that brings the old one");
        }
    }

    static boolean supported(String version) {
        String[] parts = version.split("[.-]");
        if (parts.length < 2) {
            return false;
        }
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = Integer.parseInt(parts[1]);
            return major >= 5 || major == 4 && minor >= 12;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * OkHttp 4 ({@code okhttp}) and 5 ({@code okhttp-jvm}) are different artifacts with the same classes, so a
     * build can put both on the class path without a conflict being reported; then whichever comes first wins,
     * class by class. One warning names both jars.
     */
    private static void warnIfSeveral() {
        List<URL> copies;
        try {
            ClassLoader loader = OkHttpVersion.class.getClassLoader();
            copies = loader == null ? List.of() : Collections.list(loader.getResources("okhttp3/OkHttpClient.class"));
        } catch (IOException e) {
            return;
        }
        if (copies.size() > 1) {
            List<String> jars = new ArrayList<>();
            for (URL url : copies) {
                jars.add(url.toString().replaceFirst("!/okhttp3/OkHttpClient\\.class$", ""));
            }
            log.warn("OkHttp is on the class path {} times: {}; using {}. Keep one (see lb-okhttp's README "
                    + "section on OkHttp versions)", copies.size(), jars, runtime());
        }
    }
}
