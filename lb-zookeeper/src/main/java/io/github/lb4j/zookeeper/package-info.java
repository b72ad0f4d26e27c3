/**
 * ZooKeeper discovery for lb4j, in the layout of Apache Curator's service discovery ({@code curator-x-discovery}),
 * which Spring Cloud Zookeeper uses too: one node per instance at {@code basePath/serviceName/instanceId}, holding a
 * {@code ServiceInstance} JSON document.
 *
 * <ul>
 *   <li>{@link io.github.lb4j.zookeeper.ZooKeeperBackendSource}: a {@link io.github.lb4j.core.BackendSource} that
 *       watches a service's nodes with Curator's {@code CuratorCache} and pushes the full set of instances to a
 *       pool on every change and after every reconnect.</li>
 *   <li>{@link io.github.lb4j.zookeeper.ZooKeeperRegistration}: announces this process's own instance as an ephemeral
 *       node in the same format, re-created after a session loss and removed on close, so Curator's
 *       {@code ServiceDiscovery}, Spring Cloud Zookeeper and lb4j clients all see it.</li>
 * </ul>
 *
 * <pre>{@code
 * CuratorFramework zk = CuratorFrameworkFactory.newClient("zk1:2181,zk2:2181,zk3:2181",
 *         new BoundedExponentialBackoffRetry(100, 10_000, 29));        // capped backoff with jitter
 * zk.start();
 *
 * // in each instance of the orders service:
 * ZooKeeperRegistration me = ZooKeeperRegistration.builder(zk, "/services", "orders")
 *         .id("orders-7f3a").address("10.0.0.5").port(8080)
 *         .zone("eu-west-1a").weight(2)
 *         .build()
 *         .start();
 *
 * // in its clients:
 * LoadBalancer orders = LoadBalancer.builder("orders")
 *         .source(ZooKeeperBackendSource.builder(zk, "/services", "orders").build())
 *         .build();
 * }</pre>
 *
 * <p>The application owns the {@code CuratorFramework}: its connection string, ACLs, session timeout and retry policy
 * (which is how this module reconnects). Neither class closes it.
 */
package io.github.lb4j.zookeeper;
