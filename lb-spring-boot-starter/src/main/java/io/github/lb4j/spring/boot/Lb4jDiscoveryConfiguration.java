package io.github.lb4j.spring.boot;

import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.github.lb4j.core.Backend;
import io.github.lb4j.core.BackendSource;
import io.github.lb4j.dns.DnsBackendSource;
import io.github.lb4j.etcd.EtcdBackendSource;
import io.github.lb4j.kubernetes.KubernetesBackendSource;
import io.github.lb4j.zookeeper.ZooKeeperBackendSource;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * One {@link DiscoveryFactory} per discovery module on the class path. Each nested configuration is read only when
 * its module's classes are present, so none of them is loaded otherwise.
 */
final class Lb4jDiscoveryConfiguration {

    private Lb4jDiscoveryConfiguration() {
    }

    /**
     * Builds a source; a client the starter opened for it ({@code ownedClient} not null) is closed with the source,
     * or at once if the source cannot be built. A client that is the application's bean is never closed here.
     */
    static BackendSource withClient(Runnable ownedClient, java.util.function.Supplier<BackendSource> build) {
        BackendSource source;
        try {
            source = build.get();
        } catch (RuntimeException e) {
            if (ownedClient != null) {
                ownedClient.run();
            }
            throw e;
        }
        return ownedClient == null ? source : new OwningSource(source, ownedClient);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(DnsBackendSource.class)
    static class Dns {
        @Bean
        DiscoveryFactory lb4jDnsDiscovery() {
            return new DiscoveryFactory() {
                @Override
                public String kind() {
                    return "dns";
                }

                @Override
                public BackendSource create(String property, String pool, DiscoveryProperties d) {
                    DiscoveryProperties.Dns dns = d.getDns();
                    if (dns.getSrv() != null && dns.getA() != null) {
                        throw new Lb4jPropertyException(property, null, "has both srv and a; set one of them");
                    }
                    DnsBackendSource.Builder b = dns.getSrv() != null
                            ? PoolAssembler.guard(property + ".srv", dns.getSrv(), () -> DnsBackendSource.srv(dns.getSrv()))
                            : addresses(property + ".a", dns.getA());
                    if (dns.getResolver() != null) {
                        Backend r = BackendList.hostAndPort(property + ".resolver", dns.getResolver(), dns.getResolver());
                        PoolAssembler.guard(property + ".resolver", dns.getResolver(), () -> b.resolver(r.host(), r.port()));
                    }
                    return PoolAssembler.guard(property, null, b::build);
                }
            };
        }

        private static DnsBackendSource.Builder addresses(String property, String a) {
            Backend name = BackendList.hostAndPort(property, a, a);
            return PoolAssembler.guard(property, a, () -> DnsBackendSource.addresses(name.host(), name.port()));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({ZooKeeperBackendSource.class, CuratorFramework.class})
    static class ZooKeeper {
        @Bean
        DiscoveryFactory lb4jZooKeeperDiscovery(ObjectProvider<CuratorFramework> clients) {
            return new DiscoveryFactory() {
                @Override
                public String kind() {
                    return "zookeeper";
                }

                @Override
                public BackendSource create(String property, String pool, DiscoveryProperties d) {
                    DiscoveryProperties.ZooKeeper zk = d.getZookeeper();
                    String service = zk.getServiceName() != null ? zk.getServiceName() : pool;
                    CuratorFramework client;
                    boolean owned = zk.getConnectString() != null;
                    if (owned) {
                        // Capped backoff with jitter: 100 ms doubling up to 10 s, 29 tries (Curator's maximum).
                        client = PoolAssembler.guard(property + ".connect-string", zk.getConnectString(),
                                () -> CuratorFrameworkFactory.newClient(zk.getConnectString(),
                                        new BoundedExponentialBackoffRetry(100, 10_000, 29)));
                        client.start();
                    } else {
                        client = clients.getIfUnique();
                        if (client == null) {
                            throw new Lb4jPropertyException(property + ".connect-string", null, "must be set: the"
                                    + " application has no single CuratorFramework bean to use");
                        }
                    }
                    return withClient(owned ? client::close : null, () -> PoolAssembler.guard(property, service,
                            () -> ZooKeeperBackendSource.builder(client, zk.getBasePath(), service)
                                    .useSslPort(zk.isUseSslPort()).build()));
                }
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({EtcdBackendSource.class, Client.class})
    static class Etcd {
        @Bean
        DiscoveryFactory lb4jEtcdDiscovery(ObjectProvider<Client> clients) {
            return new DiscoveryFactory() {
                @Override
                public String kind() {
                    return "etcd";
                }

                @Override
                public BackendSource create(String property, String pool, DiscoveryProperties d) {
                    DiscoveryProperties.Etcd etcd = d.getEtcd();
                    if (etcd.getTarget() == null) {
                        throw new Lb4jPropertyException(property + ".target", null, "must be set: the key prefix"
                                + " of the service, such as my-service");
                    }
                    boolean owned = !etcd.getEndpoints().isEmpty();
                    Client client = owned
                            ? PoolAssembler.guard(property + ".endpoints", etcd.getEndpoints(),
                                    () -> Client.builder().endpoints(etcd.getEndpoints().toArray(new String[0])).build())
                            : clients.getIfUnique();
                    if (client == null) {
                        throw new Lb4jPropertyException(property + ".endpoints", null, "must be set: the"
                                + " application has no single jetcd Client bean to use");
                    }
                    return withClient(owned ? client::close : null, () -> PoolAssembler.guard(property + ".target",
                            etcd.getTarget(), () -> EtcdBackendSource.builder(client, etcd.getTarget()).build()));
                }
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({KubernetesBackendSource.class, KubernetesClient.class})
    static class Kubernetes {
        @Bean
        DiscoveryFactory lb4jKubernetesDiscovery(ObjectProvider<KubernetesClient> clients) {
            return new DiscoveryFactory() {
                @Override
                public String kind() {
                    return "kubernetes";
                }

                @Override
                public BackendSource create(String property, String pool, DiscoveryProperties d) {
                    DiscoveryProperties.Kubernetes k8s = d.getKubernetes();
                    if (k8s.getNamespace() == null) {
                        throw new Lb4jPropertyException(property + ".namespace", null, "must be set");
                    }
                    String service = k8s.getService() != null ? k8s.getService() : pool;
                    KubernetesClient bean = clients.getIfUnique();
                    // Without a bean: fabric8's own configuration (in-cluster service account or ~/.kube/config).
                    KubernetesClient client = bean != null ? bean : new KubernetesClientBuilder().build();
                    return withClient(bean == null ? client::close : null, () -> {
                        KubernetesBackendSource.Builder b = PoolAssembler.guard(property, service,
                                () -> KubernetesBackendSource.builder(client, k8s.getNamespace(), service));
                        String port = k8s.getPort();
                        if (port != null && !port.isEmpty() && port.chars().allMatch(Character::isDigit)) {
                            PoolAssembler.guard(property + ".port", port, () -> b.portNumber(Integer.parseInt(port)));
                        } else if (port != null) {
                            PoolAssembler.guard(property + ".port", port, () -> b.port(port));
                        }
                        return PoolAssembler.guard(property, service, b::build);
                    });
                }
            };
        }
    }
}
