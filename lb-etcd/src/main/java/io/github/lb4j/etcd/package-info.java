/**
 * etcd discovery for lb4j: {@link io.github.lb4j.etcd.EtcdBackendSource} watches the layout of etcd's naming API
 * ({@code target/<key>} holding {@code {"Addr":"host:port","Metadata":...}}), {@link io.github.lb4j.etcd.EtcdRegistration}
 * announces this process in it under a lease.
 *
 * <p>jetcd and its gRPC and Vert.x transport ship without module descriptors, so this module has none either: its
 * jar names itself {@code io.github.lb4j.etcd} ({@code Automatic-Module-Name}).
 */
package io.github.lb4j.etcd;
