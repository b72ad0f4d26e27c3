package io.github.lb4j.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lb4j.core.LoadBalancer;
import java.io.IOException;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.ResponseBody;
import org.junit.jupiter.api.Test;
import retrofit2.Call;
import retrofit2.Retrofit;
import retrofit2.http.GET;
import retrofit2.http.Path;

/**
 * Retrofit 2.12 over the interceptor with {@code baseUrl("http://orders/")}, as the README documents it: Retrofit's
 * own okhttp 3.14.9 excluded, so it runs on the OkHttp the application chose (5.x here, 4.12 in the second surefire
 * execution).
 */
class RetrofitTest extends LbTestSupport {

    interface Orders {
        @GET("api/items/{id}")
        Call<ResponseBody> item(@Path("id") int id);
    }

    @Override
    Duration readTimeout() {
        return Duration.ofSeconds(20);
    }

    @Test
    void retrofitCallsAreBalancedOverThePool() throws IOException {
        TestServer a = server("a");
        TestServer b = server("b");
        LoadBalancer orders = pool("orders", a.backend(), b.backend());
        OkHttpClient client = client(lb().route(route("orders", orders).build()).build());
        Orders api = new Retrofit.Builder().baseUrl("http://orders/").client(client).build().create(Orders.class);

        for (int i = 0; i < 10; i++) {
            retrofit2.Response<ResponseBody> response = api.item(i).execute();
            try (ResponseBody body = response.body()) {
                assertThat(response.code()).isEqualTo(200);
                assertThat(body.string()).isIn("a", "b");
            }
        }
        assertThat(a.requests.get()).isEqualTo(5);
        assertThat(b.requests.get()).isEqualTo(5);
        assertThat(a.recorded).allMatch(r -> r.pathAndQuery.startsWith("/api/items/"));
    }
}
