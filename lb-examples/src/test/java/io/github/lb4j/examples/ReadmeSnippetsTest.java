package io.github.lb4j.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```java} block of the project's README.md, read from the file at test time, compiled with javac against
 * this module's test classpath; the blocks marked to run are run.
 *
 * <p>A block is a fragment: its statements go into a static method of a generated class that has the imports of
 * {@link #IMPORTS} (and any {@code import} lines the block itself starts with). Variables a block uses without
 * declaring come from an HTML comment on the lines right before the block, which GitHub does not render:
 *
 * <pre>
 * &lt;!-- snippet: List&lt;Backend&gt; backends = List.of(Backend.of("127.0.0.1", 8080)); --&gt;
 * &lt;!-- snippet, run: --&gt;      (no declarations; the block is also run)
 * </pre>
 *
 * A block that does not compile fails {@link #everyJavaBlockOfTheReadmeCompiles} with javac's message and the README
 * line it points at.
 */
class ReadmeSnippetsTest {

    /**
     * The imports every block gets: lb4j's API packages and what the README's fragments use from the JDK and OkHttp.
     * A new lb4j API package goes here. Two star imports that hold the same simple name make that name ambiguous in
     * a block (OkHttp has a {@code okhttp3.Route}): a block that needs one of them names it in an {@code import}
     * line of its own, or a single-type import is added here.
     */
    static final List<String> IMPORTS = List.of(
            "io.github.lb4j.core.*",
            "io.github.lb4j.okhttp.*",
            "io.github.lb4j.httpclient5.*",
            "io.github.lb4j.http.*",
            "io.github.lb4j.http.Route", // wins over okhttp3.Route
            "io.github.lb4j.dns.*",
            "io.github.lb4j.jdkhttp.*",
            "io.github.lb4j.micrometer.*",
            "okhttp3.*",
            "java.io.*",
            "java.time.*",
            "java.util.*",
            "java.util.concurrent.*",
            "org.slf4j.Logger",
            "org.slf4j.LoggerFactory");

    private static final Pattern OPEN = Pattern.compile("^\\s*```java\\s*$");
    private static final Pattern CLOSE = Pattern.compile("^\\s*```\\s*$");
    private static final Pattern MARKER = Pattern.compile("<!--\\s*snippet(,\\s*run)?\\s*:(.*?)-->", Pattern.DOTALL);

    /** One {@code ```java} block: its fence's line, its code lines (first at {@code firstLine}), its declarations. */
    record Block(int fenceLine, int firstLine, List<String> code, String declarations, int declarationsLine,
                 boolean run) {

        String className() {
            return "ReadmeBlockAtLine" + fenceLine;
        }
    }

    /** A generated compilation unit, with the README line of each of its lines (0 for generated ones). */
    record Unit(Block block, String source, int[] readmeLines) {
    }

    @Test
    void everyJavaBlockOfTheReadmeCompiles(@TempDir Path out) throws IOException {
        List<Block> blocks = blocks(Files.readAllLines(readme(), StandardCharsets.UTF_8));
        // The README's quick start, health, OkHttp and DNS sections each have one; a parser bug must not pass as
        // "nothing to check".
        assertThat(blocks).as("java blocks found in README.md").hasSizeGreaterThanOrEqualTo(4);
        assertThat(blocks).as("blocks marked to run").anyMatch(Block::run);

        List<String> errors = compile(blocks, out);

        assertThat(errors).as("README.md java blocks that do not compile").isEmpty();
    }

    @Test
    void theBlocksMarkedToRunRun(@TempDir Path out) throws Exception {
        List<Block> blocks = blocks(Files.readAllLines(readme(), StandardCharsets.UTF_8));
        assertThat(compile(blocks, out)).isEmpty();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {out.toUri().toURL()},
                getClass().getClassLoader())) {
            for (Block b : blocks) {
                if (b.run()) {
                    Method m = loader.loadClass(b.className()).getMethod("run");
                    m.invoke(null); // an exception fails the test, with the block's class name in the trace
                }
            }
        }
    }

    @Test
    void aBlockThatDoesNotCompileIsReportedWithItsReadmeLineAndJavacsMessage(@TempDir Path out) {
        List<String> markdown = List.of(
                "# title",                                                          // 1
                "<!-- snippet: List<Backend> backends = List.of(Backend.of(\"127.0.0.1\", 80)); -->", // 2
                "```java",                                                          // 3
                "LoadBalancer pool = LoadBalancer.builder(\"p\").backends(backends).build();", // 4
                "pool.noSuchMethod();",                                             // 5
                "```",                                                              // 6
                "<!-- snippet: int unused = \"text\"; -->",                         // 7
                "```java",                                                          // 8
                "List<String> fine = List.of();",                                   // 9
                "```");                                                             // 10

        List<Block> blocks = blocks(markdown);
        List<String> errors = compile(blocks, out);

        assertThat(blocks).extracting(Block::fenceLine).containsExactly(3, 8);
        assertThat(errors).hasSize(2);
        assertThat(errors.get(0)).startsWith("README.md:5 (java block at line 3): ").contains("cannot find symbol",
                "noSuchMethod");
        assertThat(errors.get(1)).startsWith("README.md:7 (java block at line 8): ")
                .contains("incompatible types");
    }

    /** @return README.md of the project: this module runs in lb-examples, the README is one level up */
    static Path readme() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path readme = dir.resolve("README.md");
            if (Files.isRegularFile(readme) && Files.isDirectory(dir.resolve("lb-examples"))) {
                return readme;
            }
        }
        throw new IllegalStateException("no README.md above " + Path.of("").toAbsolutePath());
    }

    static List<Block> blocks(List<String> lines) {
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!OPEN.matcher(lines.get(i)).matches()) {
                continue;
            }
            int fence = i + 1; // 1-based
            List<String> code = new ArrayList<>();
            int j = i + 1;
            while (j < lines.size() && !CLOSE.matcher(lines.get(j)).matches()) {
                code.add(lines.get(j));
                j++;
            }
            if (j == lines.size()) {
                throw new IllegalStateException("README.md:" + fence + ": java block never closed");
            }
            // The marker comment ends on the line right before the fence.
            String declarations = "";
            int declarationsLine = 0;
            boolean run = false;
            if (i > 0 && lines.get(i - 1).trim().endsWith("-->")) {
                int start = i - 1;
                while (start > 0 && !lines.get(start).contains("<!--")) {
                    start--;
                }
                Matcher m = MARKER.matcher(String.join("\n", lines.subList(start, i)));
                if (m.find()) {
                    run = m.group(1) != null;
                    declarations = m.group(2); // not trimmed: its lines keep their README line numbers
                    declarationsLine = start + 1;
                }
            }
            blocks.add(new Block(fence, fence + 1, code, declarations, declarationsLine, run));
            i = j;
        }
        return blocks;
    }

    static Unit unit(Block b) {
        List<String> src = new ArrayList<>();
        List<Integer> map = new ArrayList<>();
        for (String imp : IMPORTS) {
            src.add("import " + imp + ";");
            map.add(0);
        }
        List<String> body = new ArrayList<>();
        List<Integer> bodyMap = new ArrayList<>();
        boolean leading = true;
        for (int k = 0; k < b.code().size(); k++) {
            String line = b.code().get(k);
            if (leading && line.trim().startsWith("import ")) {
                src.add(line);
                map.add(b.firstLine() + k);
                continue;
            }
            leading = leading && line.isBlank();
            body.add(line);
            bodyMap.add(b.firstLine() + k);
        }
        src.add("public class " + b.className() + " {");
        map.add(0);
        src.add("    public static void run() throws Exception {");
        map.add(0);
        String[] declarations = b.declarations().split("\n", -1);
        for (int k = 0; k < declarations.length; k++) {
            src.add(declarations[k]);
            map.add(b.declarationsLine() + k);
        }
        src.addAll(body);
        map.addAll(bodyMap);
        src.add("    }");
        map.add(0);
        src.add("}");
        map.add(0);
        return new Unit(b, String.join("\n", src) + "\n", map.stream().mapToInt(Integer::intValue).toArray());
    }

    /** @return one line per javac error, {@code README.md:<line> (java block at line <fence>): <message>} */
    static List<String> compile(List<Block> blocks, Path out) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac).as("a JDK's javac (the tests need a JDK, not a JRE)").isNotNull();
        Map<URI, Unit> units = new HashMap<>();
        List<JavaFileObject> files = new ArrayList<>();
        for (Block b : blocks) {
            Unit u = unit(b);
            JavaFileObject f = new SimpleJavaFileObject(URI.create("string:///" + b.className() + ".java"),
                    JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return u.source();
                }
            };
            units.put(f.toUri(), u);
            files.add(f);
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter javacOutput = new StringWriter();
        // The test classpath: lb4j's modules, OkHttp, SLF4J, as a user's application has them. (Surefire may put a
        // manifest-only jar there; javac follows its Class-Path.)
        List<String> options = List.of("-classpath", System.getProperty("java.class.path"), "-d", out.toString(),
                "-proc:none", "-encoding", "UTF-8");
        Boolean ok = javac.getTask(javacOutput, null, diagnostics, options, null, files).call();
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() != Diagnostic.Kind.ERROR) {
                continue;
            }
            Unit u = d.getSource() == null ? null : units.get(d.getSource().toUri());
            if (u == null) {
                errors.add("javac: " + d.getMessage(Locale.ROOT));
                continue;
            }
            long line = d.getLineNumber();
            int readmeLine = line >= 1 && line <= u.readmeLines().length ? u.readmeLines()[(int) line - 1] : 0;
            String where = readmeLine == 0 ? "generated code of the block" : "README.md:" + readmeLine;
            String text = line >= 1 ? u.source().split("\n", -1)[(int) line - 1].trim() : "";
            errors.add(where + " (java block at line " + u.block().fenceLine() + "): " + d.getMessage(Locale.ROOT)
                    + (text.isEmpty() ? "" : "\n    " + text));
        }
        if (!Boolean.TRUE.equals(ok) && errors.isEmpty()) {
            fail("javac failed without an error diagnostic: " + javacOutput);
        }
        return errors;
    }
}
