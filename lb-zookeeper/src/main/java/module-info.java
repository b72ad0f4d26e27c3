/**
 * ZooKeeper discovery for lb4j: {@link io.github.lb4j.zookeeper.ZooKeeperBackendSource} watches Curator service
 * discovery's layout, {@link io.github.lb4j.zookeeper.ZooKeeperRegistration} announces this process in it.
 *
 * <p>Curator 5 and ZooKeeper ship no module descriptors, so their modules are automatic and named after their jars
 * ({@code curator.framework}, {@code curator.recipes}, {@code curator.client}, {@code zookeeper}). On the module path,
 * put {@code zookeeper-jute} on the class path: it shares two server-side packages with the {@code zookeeper} jar, and
 * two modules of one layer may not hold one package. Warnings suppressed on purpose for those automatic modules.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.github.lb4j.zookeeper {
    requires transitive io.github.lb4j.core;
    // CuratorFramework is a parameter of both builders.
    requires transitive curator.framework;
    requires curator.client;
    requires curator.recipes;
    requires zookeeper;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;

    exports io.github.lb4j.zookeeper;
}
