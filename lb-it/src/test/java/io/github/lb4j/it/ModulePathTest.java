package io.github.lb4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small application whose {@code module-info} requires lb4j's published modules, compiled with javac and run with
 * {@code java --module-path}, as a user on the module path would. It calls a loopback server through the OkHttp
 * interceptor (loading slf4j and OkHttp from their modules), builds a DNS source (loading dnsjava), and resolves
 * lb-simulator beside lb-core (which once put a class into lb-core's package and could not share a module path).
 *
 * <p>The module path is made from this test's own class path (the reactor's jars or class folders, and the
 * libraries they need), so it checks the descriptors of the build under test.
 */
class ModulePathTest {

    /** Entries of the test class path that go on the application's module path. */
    private static final Pattern MODULES = Pattern.compile(
            ".*/(lb-core|lb-http|lb-okhttp|lb-jdk-http|lb-dns|lb-simulator)/target/(classes|lb-[a-z0-9]+-[^/]*(?<!-tests)\\.jar)"
                    + "|.*/(slf4j-api|slf4j-simple|resilience4j-[a-z]+|okhttp-jvm|okio-jvm|kotlin-stdlib|dnsjava"
                    + "|annotations|HdrHistogram)-[0-9][^/]*\\.jar");

    private static final String MODULE_INFO = String.join("\n",
            "module demo.app {",
            "    requires io.github.lb4j.core;",
            "    requires io.github.lb4j.okhttp;",
            "    requires io.github.lb4j.jdkhttp;",
            "    requires io.github.lb4j.dns;",
            "    requires okhttp3;",
            "    requires jdk.httpserver;",
            "}");

    /** The start of both applications' main: a loopback server answering "hello", and a pool of it. */
    private static final String SERVER_AND_POOL = String.join("\n",
            "    public static void main(String[] args) throws Exception {",
            "        HttpServer server = HttpServer.create(new InetSocketAddress(\"127.0.0.1\", 0), 0);",
            "        server.createContext(\"/\", exchange -> {",
            "            byte[] body = \"hello\".getBytes(StandardCharsets.UTF_8);",
            "            exchange.sendResponseHeaders(200, body.length);",
            "            exchange.getResponseBody().write(body);",
            "            exchange.close();",
            "        });",
            "        server.start();",
            "        LoadBalancer orders = LoadBalancer.builder(\"orders\")",
            "                .backends(List.of(Backend.of(\"127.0.0.1\", server.getAddress().getPort())))",
            "                .build();");

    private static final String MAIN = String.join("\n",
            "package demo.app;",
            "",
            "import com.sun.net.httpserver.HttpServer;",
            "import io.github.lb4j.core.Backend;",
            "import io.github.lb4j.core.LoadBalancer;",
            "import io.github.lb4j.dns.DnsBackendSource;",
            "import io.github.lb4j.jdkhttp.LoadBalancedHttpClient;",
            "import io.github.lb4j.okhttp.LoadBalancingInterceptor;",
            "import java.net.URI;",
            "import java.net.http.HttpClient;",
            "import java.net.http.HttpRequest;",
            "import java.net.http.HttpResponse;",
            "import java.net.InetSocketAddress;",
            "import java.nio.charset.StandardCharsets;",
            "import java.time.Duration;",
            "import java.util.List;",
            "import okhttp3.OkHttpClient;",
            "import okhttp3.Request;",
            "import okhttp3.Response;",
            "",
            "public final class Main {",
            SERVER_AND_POOL,
            "        OkHttpClient client = new OkHttpClient.Builder()",
            "                .addInterceptor(LoadBalancingInterceptor.builder().route(\"orders\", orders).build())",
            "                .build();",
            "        try (Response response = client.newCall(new Request.Builder().url(\"http://orders/x\").build())",
            "                .execute()) {",
            "            System.out.println(\"status \" + response.code() + \" \" + response.body().string());",
            "        }",
            "        LoadBalancedHttpClient jdk = LoadBalancedHttpClient.builder(HttpClient.newHttpClient())",
            "                .route(\"orders\", orders).build();",
            "        HttpResponse<String> viaJdk = jdk.send(HttpRequest.newBuilder(URI.create(\"http://orders/x\")).build(),",
            "                HttpResponse.BodyHandlers.ofString());",
            "        System.out.println(\"jdk status \" + viaJdk.statusCode() + \" \" + viaJdk.body());",
            "        // Nothing answers on port 1: the source starts, fails its first query and keeps the pool empty.",
            "        DnsBackendSource dns = DnsBackendSource.addresses(\"orders.test\", 8080)",
            "                .resolver(\"127.0.0.1\", 1).queryTimeout(Duration.ofMillis(200)).build();",
            "        LoadBalancer fromDns = LoadBalancer.builder(\"orders-dns\").source(dns).build();",
            "        System.out.println(\"dns pool \" + fromDns.name() + \" \" + fromDns.backends().size());",
            "        fromDns.close();",
            "        orders.close();",
            "        client.dispatcher().executorService().shutdown();",
            "        client.connectionPool().evictAll();",
            "        server.stop(0);",
            "        System.out.println(\"done\");",
            "    }",
            "}");

    /** Entries for the second application: the Apache, Spring and Micrometer modules and what they need. */
    private static final Pattern ADAPTER_MODULES = Pattern.compile(
            ".*/(lb-core|lb-http|lb-httpclient5|lb-spring|lb-micrometer)/target/(classes|lb-[a-z0-9]+-[^/]*(?<!-tests)\\.jar)"
                    + "|.*/(slf4j-api|slf4j-simple|resilience4j-[a-z]+|HdrHistogram|LatencyUtils|httpclient5|httpcore5"
                    + "|httpcore5-h2|spring-(web|core|beans|jcl)|micrometer-(core|commons|observation))-[0-9][^/]*\\.jar");

    private static final String ADAPTERS_MODULE_INFO = String.join("\n",
            "module demo.adapters {",
            "    requires io.github.lb4j.core;",
            "    requires io.github.lb4j.httpclient5;",
            "    requires io.github.lb4j.spring;",
            "    requires io.github.lb4j.micrometer;",
            "    requires spring.web;",
            "    requires java.net.http;",
            "    requires jdk.httpserver;",
            "}");

    private static final String ADAPTERS_MAIN = String.join("\n",
            "package demo.adapters;",
            "",
            "import com.sun.net.httpserver.HttpServer;",
            "import io.github.lb4j.core.Backend;",
            "import io.github.lb4j.core.LoadBalancer;",
            "import io.github.lb4j.httpclient5.LoadBalancingExec;",
            "import io.github.lb4j.micrometer.LoadBalancerMetrics;",
            "import io.github.lb4j.spring.LoadBalancingClientHttpRequestInterceptor;",
            "import io.micrometer.core.instrument.simple.SimpleMeterRegistry;",
            "import java.net.InetSocketAddress;",
            "import java.nio.charset.StandardCharsets;",
            "import java.util.List;",
            "import org.apache.hc.client5.http.classic.methods.HttpGet;",
            "import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;",
            "import org.apache.hc.client5.http.impl.classic.HttpClients;",
            "import org.apache.hc.core5.http.io.entity.EntityUtils;",
            "import org.springframework.http.client.JdkClientHttpRequestFactory;",
            "import org.springframework.web.client.RestClient;",
            "",
            "public final class Main {",
            SERVER_AND_POOL,
            "        SimpleMeterRegistry registry = new SimpleMeterRegistry();",
            "        new LoadBalancerMetrics(orders).bindTo(registry);",
            "        try (CloseableHttpClient apache = HttpClients.custom()",
            "                .addExecInterceptorFirst(\"lb4j\", LoadBalancingExec.builder().route(\"orders\", orders).build())",
            "                .build()) {",
            "            String body = apache.execute(new HttpGet(\"http://orders/x\"),",
            "                    response -> response.getCode() + \" \" + EntityUtils.toString(response.getEntity()));",
            "            System.out.println(\"apache status \" + body);",
            "        }",
            "        RestClient rest = RestClient.builder().requestFactory(new JdkClientHttpRequestFactory())",
            "                .requestInterceptor(LoadBalancingClientHttpRequestInterceptor.builder()",
            "                        .route(\"orders\", orders).build())",
            "                .build();",
            "        System.out.println(\"spring body \" + rest.get().uri(\"http://orders/x\").retrieve().body(String.class));",
            "        System.out.println(\"meters healthy \" + registry.get(\"lb4j.pool.backends\").tag(\"state\", \"healthy\")",
            "                .gauge().value());",
            "        orders.close();",
            "        server.stop(0);",
            "        System.out.println(\"done\");",
            "    }",
            "}");

    @Test
    void theApacheSpringAndMicrometerModulesWorkOnTheModulePath(@TempDir Path dir) throws Exception {
        List<String> modulePath = modulePath(ADAPTER_MODULES);
        assertThat(modulePath).as("module path taken from the test class path")
                .anyMatch(e -> e.contains("/lb-httpclient5/")).anyMatch(e -> e.contains("/lb-spring/"))
                .anyMatch(e -> e.contains("/lb-micrometer/")).anyMatch(e -> e.contains("spring-web-"))
                .anyMatch(e -> e.contains("httpclient5-")).anyMatch(e -> e.contains("micrometer-core-"));
        String output = compileAndRun(dir, modulePath, "demo.adapters", ADAPTERS_MODULE_INFO, ADAPTERS_MAIN, List.of());
        assertThat(output).contains("apache status 200 hello", "spring body hello", "meters healthy 1.0", "done")
                .doesNotContain("NoClassDefFoundError", "ResolutionException", "IllegalAccess");
    }

    @Test
    void anApplicationOnTheModulePathCompilesAndRuns(@TempDir Path dir) throws Exception {
        List<String> modulePath = modulePath();
        assertThat(modulePath).as("module path taken from the test class path")
                .anyMatch(e -> e.contains("/lb-core/")).anyMatch(e -> e.contains("/lb-okhttp/"))
                .anyMatch(e -> e.contains("/lb-jdk-http/"))
                .anyMatch(e -> e.contains("/lb-dns/")).anyMatch(e -> e.contains("/lb-simulator/"));
        String output = compileAndRun(dir, modulePath, "demo.app", MODULE_INFO, MAIN,
                // lb-simulator is resolved too: no module may put a class into another module's package.
                List.of("--add-modules", "io.github.lb4j.simulator"));
        assertThat(output).contains("status 200 hello", "jdk status 200 hello", "dns pool orders-dns 0", "done")
                .doesNotContain("NoClassDefFoundError", "ResolutionException");
    }

    /** Compiles the application against {@code modulePath}, runs it as {@code module/module.Main}, returns its output. */
    private static String compileAndRun(Path dir, List<String> modulePath, String module, String moduleInfo,
                                        String main, List<String> javaOptions) throws Exception {
        String mp = String.join(File.pathSeparator, modulePath);
        Path src = dir.resolve("src");
        Path out = dir.resolve("out");
        Path pkg = src.resolve(module.replace('.', '/'));
        Files.createDirectories(pkg);
        Files.writeString(src.resolve("module-info.java"), moduleInfo);
        Files.writeString(pkg.resolve("Main.java"), main);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        boolean compiled = javac.getTask(diagnostics, null, null,
                List.of("--release", "17", "--module-path", mp, "-d", out.toString()), null,
                javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(
                        src.resolve("module-info.java").toFile(), pkg.resolve("Main.java").toFile()))
                .call();
        assertThat(compiled).as("javac: %s", diagnostics).isTrue();

        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        Path log = dir.resolve("run.log");
        List<String> command = new ArrayList<>(List.of(java.toString(), "--module-path", out + File.pathSeparator + mp));
        command.addAll(javaOptions);
        command.addAll(List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-m", module + "/" + module + ".Main"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean exited = p.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        String output = read(log);
        assertThat(exited).as("the application exits; output:%n%s", output).isTrue();
        assertThat(p.exitValue()).as("exit code; output:%n%s", output).isZero();
        return output;
    }

    private static List<String> modulePath() {
        return modulePath(MODULES);
    }

    private static List<String> modulePath(Pattern modules) {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> out = new ArrayList<>();
        for (String entry : cp.split(Pattern.quote(File.pathSeparator))) {
            String normalized = entry.replace('\\', '/');
            if (modules.matcher(normalized).matches()) {
                out.add(entry);
            }
        }
        return out;
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }
}
