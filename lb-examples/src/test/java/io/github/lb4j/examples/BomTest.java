package io.github.lb4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * lb-bom manages what the README says it does: every published library module of the build (a module whose pom does
 * not set {@code maven.deploy.skip}), at the build's version, and nothing else; and the README's quick start imports
 * it with the right coordinates and declares only modules it manages.
 */
class BomTest {

    private static final Path ROOT = ReadmeSnippetsTest.readme().getParent();

    @Test
    void theBomManagesEveryPublishedLibraryModuleAtTheBuildsVersion() throws Exception {
        Document root = parse(ROOT.resolve("pom.xml"));
        String version = child(root.getDocumentElement(), "version");
        Set<String> published = new TreeSet<>();
        for (Element module : children(childElement(root.getDocumentElement(), "modules"), "module")) {
            String name = module.getTextContent().trim();
            Document pom = parse(ROOT.resolve(name).resolve("pom.xml"));
            Element properties = childElement(pom.getDocumentElement(), "properties");
            boolean skipped = properties != null && "true".equals(child(properties, "maven.deploy.skip"));
            String packaging = child(pom.getDocumentElement(), "packaging");
            if (!skipped && (packaging == null || packaging.equals("jar"))) {
                published.add(child(pom.getDocumentElement(), "artifactId"));
            }
        }
        assertThat(published).as("published library modules").contains("lb-core", "lb-okhttp", "lb-dns");

        Document bom = parse(ROOT.resolve("lb-bom").resolve("pom.xml"));
        assertThat(child(bom.getDocumentElement(), "version")).as("the BOM's own version").isEqualTo(version);
        Map<String, String> managed = managed(bom);
        assertThat(managed.keySet()).as("modules lb-bom manages").containsExactlyInAnyOrderElementsOf(published);
        assertThat(managed.values()).as("their versions").allMatch(v -> v.equals("${project.version}"));
    }

    @Test
    void theReadmeImportsTheBomAndDeclaresOnlyModulesItManagesWithoutVersions() throws Exception {
        String readme = Files.readString(ReadmeSnippetsTest.readme());
        String version = child(parse(ROOT.resolve("pom.xml")).getDocumentElement(), "version");
        Matcher xml = Pattern.compile("```xml\n(.*?)```", Pattern.DOTALL).matcher(readme);
        String quickStart = null;
        while (xml.find()) {
            if (xml.group(1).contains("<artifactId>lb-bom</artifactId>")) {
                quickStart = xml.group(1);
                break;
            }
        }
        assertThat(quickStart).as("an xml block importing lb-bom in README.md").isNotNull();
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(
                ("<project>" + quickStart + "</project>").getBytes(StandardCharsets.UTF_8)));
        Element management = childElement(doc.getDocumentElement(), "dependencyManagement");
        List<Element> imports = children(childElement(management, "dependencies"), "dependency");
        assertThat(imports).hasSize(1);
        Element bom = imports.get(0);
        assertThat(List.of(child(bom, "groupId"), child(bom, "artifactId"), child(bom, "version"), child(bom, "type"),
                child(bom, "scope"))).containsExactly("io.github.lb4j", "lb-bom", version, "pom", "import");
        Map<String, String> managed = managed(parse(ROOT.resolve("lb-bom").resolve("pom.xml")));
        List<Element> deps = children(childElement(doc.getDocumentElement(), "dependencies"), "dependency");
        assertThat(deps).as("dependencies in the quick start").isNotEmpty();
        for (Element d : deps) {
            assertThat(child(d, "groupId")).isEqualTo("io.github.lb4j");
            assertThat(managed).as("managed by lb-bom").containsKey(child(d, "artifactId"));
            assertThat(child(d, "version")).as("version of " + child(d, "artifactId") + " (the BOM's)").isNull();
        }
        // The install command the quick start gives covers what the BOM manages, and the parent they inherit.
        assertThat(readme).contains("mvn -B -q install -DskipTests -pl lb-bom," + String.join(",", managed.keySet())
                + " -am");
    }

    private static Map<String, String> managed(Document bom) {
        Map<String, String> managed = new LinkedHashMap<>();
        Element management = childElement(bom.getDocumentElement(), "dependencyManagement");
        for (Element d : children(childElement(management, "dependencies"), "dependency")) {
            assertThat(child(d, "groupId")).isEqualTo("io.github.lb4j");
            managed.put(child(d, "artifactId"), child(d, "version"));
        }
        return managed;
    }

    private static Document parse(Path pom) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        if (parent == null) {
            return out;
        }
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node n = nodes.item(i);
            if (n instanceof Element e && e.getTagName().equals(name)) {
                out.add(e);
            }
        }
        return out;
    }

    private static Element childElement(Element parent, String name) {
        List<Element> c = children(parent, name);
        return c.isEmpty() ? null : c.get(0);
    }

    /** @return the text of the direct child {@code name}, or null when there is none */
    private static String child(Element parent, String name) {
        Element e = childElement(parent, name);
        return e == null ? null : e.getTextContent().trim();
    }
}
