package io.github.lb4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BackendTest {

    @Test
    void defaultsAndId() {
        Backend b = Backend.of("10.0.0.1", 8080);
        assertThat(b.id()).isEqualTo("10.0.0.1:8080");
        assertThat(b.host()).isEqualTo("10.0.0.1");
        assertThat(b.port()).isEqualTo(8080);
        assertThat(b.weight()).isEqualTo(1);
        assertThat(b.zone()).isNull();
        assertThat(b.isBackup()).isFalse();
        assertThat(b.metadata()).isEmpty();
    }

    @Test
    void ipv6LiteralGetsBracketedId() {
        assertThat(Backend.of("::1", 80).id()).isEqualTo("[::1]:80");
        assertThat(Backend.of("[::1]", 80).host()).isEqualTo("::1");
    }

    @Test
    void valueSemanticsOverAllFields() {
        Backend a = Backend.of("h", 1).withWeight(2).withZone("z").withMetadata("k", "v");
        Backend b = Backend.of("h", 1).withWeight(2).withZone("z").withMetadata("k", "v");
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(b.withWeight(3));
        assertThat(a).isNotEqualTo(b.withZone("y"));
        assertThat(a).isNotEqualTo(b.withMetadata("k", "w"));
        assertThat(a).isNotEqualTo(b.asBackup());
        assertThat(a.withWeight(3).id()).isEqualTo(a.id());
        assertThat(a.withId("pod-7").id()).isEqualTo("pod-7");
    }

    @Test
    void withMethodsReturnCopies() {
        Backend a = Backend.of("h", 1);
        Backend b = a.withWeight(5);
        assertThat(a.weight()).isEqualTo(1);
        assertThat(b.weight()).isEqualTo(5);
        assertThat(a.asBackup().asPrimary()).isEqualTo(a);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 65536, Integer.MAX_VALUE})
    void rejectsBadPort(int port) {
        assertThatThrownBy(() -> Backend.of("h", port))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port").hasMessageContaining(String.valueOf(port));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "a b", "h/x", "user@h", "h\n", "[]", "](", "a]b", "[[::1]]", "[::1", "h\\x"})
    void rejectsBadHost(String host) {
        assertThatThrownBy(() -> Backend.of(host, 80))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("host");
    }

    @Test
    void rejectsNullHost() {
        assertThatThrownBy(() -> Backend.of(null, 80)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("host");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -5, Backend.MAX_WEIGHT + 1})
    void rejectsBadWeight(int weight) {
        assertThatThrownBy(() -> Backend.of("h", 80).withWeight(weight))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("weight").hasMessageContaining(String.valueOf(weight));
    }

    @Test
    void rejectsBlankZoneIdAndMetadataKey() {
        assertThatThrownBy(() -> Backend.of("h", 80).withZone(" ")).hasMessageContaining("zone");
        assertThatThrownBy(() -> Backend.of("h", 80).withId("")).hasMessageContaining("id");
        assertThatThrownBy(() -> Backend.of("h", 80).withMetadata("", "v")).hasMessageContaining("metadata key");
    }

    /** Issue 12, item 1: a host:port was taken for an IPv6 literal and became "[127.0.0.1:8080]:8080". */
    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:8080", "example.com:80", "[::1]:80", "localhost:1"})
    void rejectsHostWithPortNamingTheValueAndTheFix(String host) {
        assertThatThrownBy(() -> Backend.of(host, 8080))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("host").hasMessageContaining("'" + host + "'")
                .hasMessageContaining("pass the port separately");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1:2:3", ":::", "::1::", "1::2::3", "12345::1", "g::1", "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7", "::1%", "[10.0.0.1]", "[example.com]", "::256.0.0.1", "::1.2.3", "1.2.3.4::",
            ":1::", "1::2:", "::01.2.3.4"})
    void rejectsColonHostThatIsNotAnIpv6Literal(String host) {
        assertThatThrownBy(() -> Backend.of(host, 80))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("host").hasMessageContaining("'" + host + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"::1", "[::1]", "::", "1::", "2001:db8::1", "2001:DB8:0:0:8:800:200C:417A",
            "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "::ffff:10.0.0.1", "64:ff9b::192.0.2.33",
            "1:2:3:4:5:6:1.2.3.4", "fe80::1%eth0", "[fe80::1%25eth0]"})
    void acceptsIpv6Literals(String host) {
        Backend b = Backend.of(host, 80);
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        assertThat(b.host()).isEqualTo(bare);
        assertThat(b.id()).isEqualTo("[" + bare + "]:80");
    }

    @Test
    void hostNamesAndIpv4StayUnbracketed() {
        assertThat(Backend.of("127.0.0.1", 8080).id()).isEqualTo("127.0.0.1:8080");
        assertThat(Backend.of("orders.internal", 80).id()).isEqualTo("orders.internal:80");
    }
}
