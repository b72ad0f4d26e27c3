package io.github.lb4j.httpclient5;

import io.github.lb4j.http.HttpRequestView;
import io.github.lb4j.http.HttpResponseView;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.MessageHeaders;

/** HttpClient 5's request and response as lb-http's client-neutral views; nothing is copied until asked for. */
final class Hc5Views {

    private Hc5Views() {
    }

    static List<String> values(MessageHeaders message, String name) {
        Header[] headers = message.getHeaders(name);
        if (headers.length == 0) {
            return List.of();
        }
        List<String> out = new ArrayList<>(headers.length);
        for (Header h : headers) {
            out.add(h.getValue());
        }
        return out;
    }

    static final class RequestView implements HttpRequestView {
        private final HttpRequest request;
        private URI uri;

        RequestView(HttpRequest request) {
            this.request = request;
        }

        @Override
        public String method() {
            return request.getMethod();
        }

        @Override
        public URI uri() {
            if (uri == null) {
                try {
                    uri = request.getUri();
                } catch (URISyntaxException e) {
                    // Not reachable for a request HttpClient accepted: it parsed the same parts.
                    throw new IllegalArgumentException("the request's URI does not parse: " + e.getReason(), e);
                }
            }
            return uri;
        }

        @Override
        public String header(String name) {
            Header h = request.getFirstHeader(name);
            return h == null ? null : h.getValue();
        }

        @Override
        public List<String> headers(String name) {
            return values(request, name);
        }

        @Override
        public String toString() {
            return "RequestView{" + request.getMethod() + ' '
                    + (request.getAuthority() == null ? "" : request.getAuthority().getHostName()) + '}';
        }
    }

    static final class ResponseView implements HttpResponseView {
        private final HttpResponse response;

        ResponseView(HttpResponse response) {
            this.response = response;
        }

        @Override
        public int status() {
            return response.getCode();
        }

        @Override
        public String header(String name) {
            Header h = response.getFirstHeader(name);
            return h == null ? null : h.getValue();
        }

        @Override
        public List<String> headers(String name) {
            return values(response, name);
        }

        @Override
        public String toString() {
            return "ResponseView{" + response.getCode() + '}';
        }
    }
}
