package io.github.lb4j.okhttp;

import io.github.lb4j.http.HttpRequestView;
import io.github.lb4j.http.HttpResponseView;
import java.net.URI;
import java.util.List;
import okhttp3.Request;
import okhttp3.Response;

/** OkHttp's request and response as lb-http's client-neutral views; nothing is copied until asked for. */
final class OkHttpViews {

    private OkHttpViews() {
    }

    static final class RequestView implements HttpRequestView {
        private final Request request;

        RequestView(Request request) {
            this.request = request;
        }

        @Override
        public String method() {
            return request.method();
        }

        @Override
        public URI uri() {
            return request.url().uri();
        }

        @Override
        public String header(String name) {
            return request.header(name);
        }

        @Override
        public List<String> headers(String name) {
            return request.headers(name);
        }

        @Override
        public String queryParameter(String name) {
            return request.url().queryParameter(name); // already parsed by HttpUrl: cheaper than via uri()
        }

        @Override
        public String toString() {
            return "RequestView{" + request.method() + ' ' + request.url().host() + '}';
        }
    }

    static final class ResponseView implements HttpResponseView {
        private final Response response;

        ResponseView(Response response) {
            this.response = response;
        }

        @Override
        public int status() {
            return response.code();
        }

        @Override
        public String header(String name) {
            return response.header(name);
        }

        @Override
        public List<String> headers(String name) {
            return response.headers(name);
        }

        @Override
        public String toString() {
            return "ResponseView{" + response.code() + '}';
        }
    }
}
