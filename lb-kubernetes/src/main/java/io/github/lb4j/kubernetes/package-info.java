/**
 * Kubernetes discovery for lb4j: {@link io.github.lb4j.kubernetes.KubernetesBackendSource} follows a Service through
 * its EndpointSlices ({@code discovery.k8s.io/v1}) with the fabric8 kubernetes-client, merging all of the Service's
 * slices into the full set of ready endpoints and pushing it to a pool on every change.
 *
 * <pre>{@code
 * KubernetesClient k8s = new KubernetesClientBuilder().build();   // the application owns and closes it
 * LoadBalancer orders = LoadBalancer.builder("orders")
 *         .source(KubernetesBackendSource.builder(k8s, "shop", "orders").port("http").build())
 *         .build();
 * }</pre>
 *
 * <p>Module: the fabric8 jars name no module (no descriptor, no {@code Automatic-Module-Name}), so this jar has no
 * module descriptor either; its manifest names it {@code io.github.lb4j.kubernetes} for the module path.
 */
package io.github.lb4j.kubernetes;
