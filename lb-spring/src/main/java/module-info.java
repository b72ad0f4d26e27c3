/**
 * The Spring adapter of lb4j: a {@code ClientHttpRequestInterceptor} for RestClient and RestTemplate and an
 * {@code ExchangeFilterFunction} for WebClient. Spring (the automatic modules {@code spring.web},
 * {@code spring.webflux}, {@code spring.core}) and Reactor are the application's dependencies: an application that
 * uses only RestClient needs no WebFlux.
 */
@SuppressWarnings("requires-automatic")
module io.github.lb4j.spring {
    requires transitive io.github.lb4j.http;
    requires static spring.core;
    requires static spring.web;
    requires static spring.webflux;
    requires static reactor.core;
    requires static org.reactivestreams;

    exports io.github.lb4j.spring;
}
