/**
 * DNS discovery for lb4j: {@link io.github.lb4j.dns.DnsBackendSource} follows A/AAAA or SRV records with dnsjava.
 */
module io.github.lb4j.dns {
    requires transitive io.github.lb4j.core;
    requires org.slf4j;
    requires org.dnsjava;

    exports io.github.lb4j.dns;
}
