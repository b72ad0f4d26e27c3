package io.github.lb4j.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.core.internal.RecordLimits;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile ZooKeeper nodes stay bounded (issue 19, item 6): a node's data is refused by its size before it is parsed
 * and by its count of payload entries before they are copied. No ZooKeeper needed: this is the parsing every node
 * the cache reports goes through.
 */
class ZooKeeperBoundsTest {

    /** A Curator ServiceInstance whose payload metadata has {@code entries} distinct entries of {@code valueChars}. */
    private static byte[] instance(int entries, int valueChars) {
        StringBuilder sb = new StringBuilder("{\"name\":\"orders\",\"id\":\"i1\",\"address\":\"10.0.0.1\",\"port\":8080,"
                + "\"payload\":{\"@class\":\"" + InstanceJson.SPRING_CLOUD_INSTANCE + "\",\"metadata\":{");
        String value = "v".repeat(valueChars);
        for (int i = 0; i < entries; i++) {
            sb.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"").append(value).append('"');
        }
        return sb.append("}}}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static InstanceJson.Read read(byte[] data) {
        return InstanceJson.read("i1", data, false, "zone", "weight");
    }

    @Test
    @Timeout(10)
    void aMillionPayloadEntriesAreRefusedByTheirSizeBeforeParsing() {
        byte[] huge = instance(1_000_000, 1);
        long start = System.nanoTime();
        InstanceJson.Read read = read(huge);
        assertThat(read.backend()).isNull();
        assertThat(read.problem()).isEqualTo("is " + huge.length + " bytes, more than the "
                + RecordLimits.MAX_RECORD_BYTES + " a record may have");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void payloadMetadataIsBoundedInEntriesAndCharactersAndTakenUpToTheLimits() {
        assertThat(read(instance(RecordLimits.MAX_METADATA_ENTRIES + 1, 1)).problem()).isEqualTo("has "
                + (RecordLimits.MAX_METADATA_ENTRIES + 1) + " metadata entries, more than the "
                + RecordLimits.MAX_METADATA_ENTRIES + " a record may have");
        assertThat(read(instance(1, RecordLimits.MAX_METADATA_CHARS)).problem()).isEqualTo("has "
                + (RecordLimits.MAX_METADATA_CHARS + 2) + " characters of metadata, more than the "
                + RecordLimits.MAX_METADATA_CHARS + " a record may have");
        int perEntry = RecordLimits.MAX_METADATA_CHARS / RecordLimits.MAX_METADATA_ENTRIES - 3; // "k63" + value
        InstanceJson.Read full = read(instance(RecordLimits.MAX_METADATA_ENTRIES, perEntry));
        assertThat(full.problem()).isNull();
        assertThat(full.backend().metadata()).hasSize(RecordLimits.MAX_METADATA_ENTRIES);
    }
}
