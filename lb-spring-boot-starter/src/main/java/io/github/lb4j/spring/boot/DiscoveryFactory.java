package io.github.lb4j.spring.boot;

import io.github.lb4j.core.BackendSource;

/**
 * Turns one kind of {@code lb4j.pools.<name>.discovery.<kind>} into a {@link BackendSource}. One bean per kind,
 * registered only when that kind's lb4j module is on the class path; a pool that configures a kind with no factory
 * fails the start naming the module it needs.
 */
interface DiscoveryFactory {

    /** @return the kind, as in the property name: dns, zookeeper, etcd or kubernetes */
    String kind();

    /**
     * @param property the full property prefix of this source, such as {@code lb4j.pools.users.discovery.dns}
     * @param poolName the pool's name
     * @param discovery the pool's discovery properties
     * @return a new source for that one pool, closed by the pool
     * @throws Lb4jPropertyException if a value is missing or malformed
     */
    BackendSource create(String property, String poolName, DiscoveryProperties discovery);
}
