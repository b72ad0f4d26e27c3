package io.github.lb4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpringBootExampleTest {

    @Test
    void everyCallIsServedAndTheStoppedBackendIsEjected() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Map<String, Integer> servedBy = SpringBootExample.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(servedBy).containsKeys("before / orders-a", "before / orders-b", "before / orders-c",
                "after / orders-a", "after / orders-c").doesNotContainKey("after / orders-b");
        assertThat(servedBy.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(SpringBootExample.CALLS);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("EJECTED");
    }
}
