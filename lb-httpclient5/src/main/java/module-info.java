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

    exports io.github.lb4j.httpclient5;
}
