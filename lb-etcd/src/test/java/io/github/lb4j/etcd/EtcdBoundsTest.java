package io.github.lb4j.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.core.internal.RecordLimits;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile etcd values stay bounded (issue 19, item 6): a value is refused by its size before it is parsed, by its
 * count of metadata entries before they are copied, and a malformed value is remembered by a digest, not kept.
 * No etcd needed: this is the parsing every read and watch event goes through.
 */
class EtcdBoundsTest {

    /** An endpoint document whose Metadata object has {@code entries} distinct entries of {@code valueChars}. */
    private static byte[] document(int entries, int valueChars) {
        StringBuilder sb = new StringBuilder("{\"Addr\":\"10.0.0.1:8080\",\"Metadata\":{");
        String value = "v".repeat(valueChars);
        for (int i = 0; i < entries; i++) {
            sb.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"").append(value).append('"');
        }
        return sb.append("}}").toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @Timeout(10)
    void aMillionMetadataEntriesAreRefusedByTheirSizeBeforeParsing() {
        byte[] huge = document(1_000_000, 1);
        long start = System.nanoTime();
        EndpointJson.Read read = EndpointJson.read("e1", huge, "zone", "weight");
        assertThat(read.backend()).isNull();
        assertThat(read.problem()).isEqualTo("is " + huge.length + " bytes, more than the "
                + RecordLimits.MAX_RECORD_BYTES + " a record may have");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void metadataIsBoundedInEntriesAndCharactersAndTakenUpToTheLimits() {
        EndpointJson.Read many = EndpointJson.read("e1", document(RecordLimits.MAX_METADATA_ENTRIES + 1, 1), "z", "w");
        assertThat(many.problem()).isEqualTo("has " + (RecordLimits.MAX_METADATA_ENTRIES + 1)
                + " metadata entries, more than the " + RecordLimits.MAX_METADATA_ENTRIES + " a record may have");

        EndpointJson.Read wide = EndpointJson.read("e1", document(1, RecordLimits.MAX_METADATA_CHARS), "z", "w");
        assertThat(wide.problem()).isEqualTo("has " + (RecordLimits.MAX_METADATA_CHARS + 2)
                + " characters of metadata, more than the " + RecordLimits.MAX_METADATA_CHARS + " a record may have");

        int perEntry = RecordLimits.MAX_METADATA_CHARS / RecordLimits.MAX_METADATA_ENTRIES - 3; // "k63" + value
        EndpointJson.Read full = EndpointJson.read("e1", document(RecordLimits.MAX_METADATA_ENTRIES, perEntry),
                "z", "w");
        assertThat(full.problem()).isNull();
        assertThat(full.backend().metadata()).hasSize(RecordLimits.MAX_METADATA_ENTRIES);
    }

    @Test
    void aMalformedValueIsRememberedByAFixedSizeDigestNotCopied() {
        byte[] large = new byte[1 << 20]; // etcd's default request limit is 1.5 MiB: a value may be this big
        assertThat(RecordLimits.digest(large)).hasSize(32);
        large[0] = 1;
        assertThat(RecordLimits.digest(large)).hasSize(32)
                .isNotEqualTo(RecordLimits.digest(new byte[1 << 20]));
    }
}
