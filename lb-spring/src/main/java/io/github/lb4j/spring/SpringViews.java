package io.github.lb4j.spring;

import io.github.lb4j.http.HttpRequestView;
import io.github.lb4j.http.HttpResponseView;
import java.net.URI;
import java.util.List;
import org.springframework.http.HttpHeaders;

/** Spring's method, URI and headers as lb-http's client-neutral views; nothing is copied. */
final class SpringViews {

    private SpringViews() {
    }

    static final class RequestView implements HttpRequestView {
        private final String method;
        private final URI uri;
        private final HttpHeaders headers;

        RequestView(String method, URI uri, HttpHeaders headers) {
            this.method = method;
            this.uri = uri;
            this.headers = headers;
        }

        @Override
        public String method() {
            return method;
        }

        @Override
        public URI uri() {
            return uri;
        }

        @Override
        public String header(String name) {
            return headers.getFirst(name);
        }

        @Override
        public List<String> headers(String name) {
            List<String> values = headers.get(name);
            return values == null ? List.of() : values;
        }

        @Override
        public String toString() {
            return "RequestView{" + method + ' ' + uri.getHost() + '}';
        }
    }

    static final class ResponseView implements HttpResponseView {
        private final int status;
        private final HttpHeaders headers;

        ResponseView(int status, HttpHeaders headers) {
            this.status = status;
            this.headers = headers;
        }

        @Override
        public int status() {
            return status;
        }

        @Override
        public String header(String name) {
            return headers.getFirst(name);
        }

        @Override
        public List<String> headers(String name) {
            List<String> values = headers.get(name);
            return values == null ? List.of() : values;
        }

        @Override
        public String toString() {
            return "ResponseView{" + status + '}';
        }
    }
}
