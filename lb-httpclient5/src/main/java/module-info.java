/**
 * The Apache HttpClient 5 adapter of lb4j: {@link io.github.lb4j.httpclient5.LoadBalancingExec} for the classic
 * client and {@link io.github.lb4j.httpclient5.LoadBalancingAsyncExec} for the async one. HttpClient 5.6 (the
 * automatic module {@code org.apache.httpcomponents.client5.httpclient5}) is read transitively: the handlers'
 * signatures are its types.
 */
@SuppressWarnings("requires-automatic")
module io.github.lb4j.httpclient5 {
    requires transitive io.github.lb4j.http;
    requires transitive org.apache.httpcomponents.client5.httpclient5;
    requires transitive org.apache.httpcomponents.core5.httpcore5;
    requires org.slf4j;
    // HttpClient's connection operator sets socket options through jdk.net.Sockets. As an automatic module it
    // cannot say so, and without this an application on the module path fails on its first client build with
    // NoClassDefFoundError: jdk/net/Sockets (ModulePathTest).
    requires jdk.net;

    exports io.github.lb4j.httpclient5;
}
