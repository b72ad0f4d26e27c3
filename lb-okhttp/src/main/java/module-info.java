/**
 * The OkHttp adapter of lb4j: {@link io.github.lb4j.okhttp.LoadBalancingInterceptor} and
 * {@link io.github.lb4j.okhttp.OkHttpHealthChecker}. OkHttp itself (5.x {@code okhttp-jvm} or 4.12, both the module
 * {@code okhttp3}) is the application's dependency.
 */
@SuppressWarnings("requires-automatic")
module io.github.lb4j.okhttp {
    requires transitive io.github.lb4j.http;
    requires transitive okhttp3;
    requires okio;
    requires org.slf4j;

    exports io.github.lb4j.okhttp;
}
