package io.github.lb4j.spring.boot;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code lb4j.pools.<name>.discovery.*}: at most one source per pool. Each needs its lb4j module on the class path
 * (lb-dns, lb-zookeeper, lb-etcd, lb-kubernetes); a source configured without its module fails the start.
 *
 * <p>Thread-safety: a mutable bean filled by Spring's binder at start-up.
 */
public class DiscoveryProperties {

    /** DNS discovery (lb-dns): SRV records or the A records of a name. */
    private final Dns dns = new Dns();

    /** ZooKeeper discovery (lb-zookeeper), in Curator service discovery's layout. */
    private final ZooKeeper zookeeper = new ZooKeeper();

    /** etcd discovery (lb-etcd), in etcd's naming layout. */
    private final Etcd etcd = new Etcd();

    /** Kubernetes discovery (lb-kubernetes): a Service's EndpointSlices. */
    private final Kubernetes kubernetes = new Kubernetes();

    /** @return the names of the configured sources (dns, zookeeper, etcd, kubernetes), in that order */
    List<String> configuredKinds() {
        List<String> kinds = new ArrayList<>();
        if (dns.configured()) {
            kinds.add("dns");
        }
        if (zookeeper.configured()) {
            kinds.add("zookeeper");
        }
        if (etcd.configured()) {
            kinds.add("etcd");
        }
        if (kubernetes.configured()) {
            kinds.add("kubernetes");
        }
        return kinds;
    }

    /** @return DNS discovery */
    public Dns getDns() {
        return dns;
    }

    /** @return ZooKeeper discovery */
    public ZooKeeper getZookeeper() {
        return zookeeper;
    }

    /** @return etcd discovery */
    public Etcd getEtcd() {
        return etcd;
    }

    /** @return Kubernetes discovery */
    public Kubernetes getKubernetes() {
        return kubernetes;
    }

    /** {@code discovery.dns.*}: set srv or a, not both. */
    public static class Dns {

        /** A fully qualified SRV name, such as _http._tcp.users.svc.cluster.local; ports and weights from the records. */
        private String srv;

        /** A fully qualified host name and the port of every address, such as web.internal:8080 (A records). */
        private String a;

        /** The DNS server to ask, an IP literal and port such as 127.0.0.1:53. Default: the system's resolvers. */
        private String resolver;

        boolean configured() {
            return srv != null || a != null;
        }

        /** @return the SRV name, or null */
        public String getSrv() {
            return srv;
        }

        /** @param srv the SRV name */
        public void setSrv(String srv) {
            this.srv = srv;
        }

        /** @return the host name and port, or null */
        public String getA() {
            return a;
        }

        /** @param a the host name and port */
        public void setA(String a) {
            this.a = a;
        }

        /** @return the resolver, or null */
        public String getResolver() {
            return resolver;
        }

        /** @param resolver the resolver */
        public void setResolver(String resolver) {
            this.resolver = resolver;
        }
    }

    /** {@code discovery.zookeeper.*}. */
    public static class ZooKeeper {

        /**
         * The ensemble, such as zk1:2181,zk2:2181. Unset: the application's CuratorFramework bean is used (it must
         * have one); set: the starter opens its own client and closes it with the pool.
         */
        private String connectString;

        /** The discovery base path. */
        private String basePath = "/services";

        /** The service's name under the base path. Default: the pool's name. */
        private String serviceName;

        /** Whether to connect to each instance's sslPort instead of its port. */
        private boolean useSslPort;

        /** Whether ZooKeeper discovery is configured for this pool: set to true, or set connect-string. */
        private boolean enabled;

        /** @return the connect string, or null */
        public String getConnectString() {
            return connectString;
        }

        /** @param connectString the connect string */
        public void setConnectString(String connectString) {
            this.connectString = connectString;
        }

        /** @return the base path */
        public String getBasePath() {
            return basePath;
        }

        /** @param basePath the base path */
        public void setBasePath(String basePath) {
            this.basePath = basePath;
        }

        /** @return the service name, or null for the pool's name */
        public String getServiceName() {
            return serviceName;
        }

        /** @param serviceName the service name */
        public void setServiceName(String serviceName) {
            this.serviceName = serviceName;
        }

        /** @return whether sslPort is used */
        public boolean isUseSslPort() {
            return useSslPort;
        }

        /** @param useSslPort whether sslPort is used */
        public void setUseSslPort(boolean useSslPort) {
            this.useSslPort = useSslPort;
        }

        /** @return whether configured explicitly */
        public boolean isEnabled() {
            return enabled;
        }

        /** @param enabled whether configured explicitly */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        boolean configured() {
            return enabled || connectString != null;
        }
    }

    /** {@code discovery.etcd.*}. */
    public static class Etcd {

        /**
         * The etcd endpoints, such as http://etcd1:2379. Empty: the application's jetcd Client bean is used (it must
         * have one); set: the starter opens its own client and closes it with the pool.
         */
        private List<String> endpoints = new ArrayList<>();

        /** The service's key prefix without the trailing '/', such as my-service. */
        private String target;

        /** @return the endpoints */
        public List<String> getEndpoints() {
            return endpoints;
        }

        /** @param endpoints the endpoints */
        public void setEndpoints(List<String> endpoints) {
            this.endpoints = endpoints;
        }

        /** @return the key prefix, or null */
        public String getTarget() {
            return target;
        }

        /** @param target the key prefix */
        public void setTarget(String target) {
            this.target = target;
        }

        boolean configured() {
            return target != null || !endpoints.isEmpty();
        }
    }

    /** {@code discovery.kubernetes.*}: uses the application's KubernetesClient bean, else fabric8's default client. */
    public static class Kubernetes {

        /** The Service's namespace. */
        private String namespace;

        /** The Service's name. Default: the pool's name. */
        private String service;

        /** The port: a Service port name (http) or an endpoint port number (8080). Unset: the only TCP port. */
        private String port;

        /** @return the namespace, or null */
        public String getNamespace() {
            return namespace;
        }

        /** @param namespace the namespace */
        public void setNamespace(String namespace) {
            this.namespace = namespace;
        }

        /** @return the service, or null for the pool's name */
        public String getService() {
            return service;
        }

        /** @param service the service */
        public void setService(String service) {
            this.service = service;
        }

        /** @return the port name or number, or null */
        public String getPort() {
            return port;
        }

        /** @param port the port name or number */
        public void setPort(String port) {
            this.port = port;
        }

        boolean configured() {
            return namespace != null || service != null;
        }
    }
}
