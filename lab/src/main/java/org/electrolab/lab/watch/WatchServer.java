package org.electrolab.lab.watch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;

/**
 * The live page of {@code electrolab lab watch} (docs/lab.md, "Watching a lab"): one page on a
 * loopback address of the root namespace, its script and style from the jar, a server-sent event
 * with a fresh {@link Snapshot} every {@link #SAMPLE_MILLIS}, and {@code /status.json} and
 * {@code /metrics} (Prometheus) of the same snapshot. Samples are read on a worker thread (file
 * I/O), served from the verticle's event loop.
 * <pre>
 *   WatchServer server = WatchServer.start(LabWatch.of(paths, "lab"), "127.0.0.1", 8080);
 *   server.url();   // http://127.0.0.1:8080/
 *   server.close();
 * </pre>
 */
public final class WatchServer implements AutoCloseable {
    /** Twice as often as the page must update: the replicas write their stats files four times a second. */
    public static final long SAMPLE_MILLIS = 250;
    /** The page is for this machine only: it names the lab's addresses and processes. */
    public static final String LOOPBACK = "127.0.0.1";
    private static final long START_WAIT_SECONDS = 30;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> ASSETS = Map.of(
            "/", "index.html", "/watch.js", "watch.js", "/watch.css", "watch.css");

    private final Vertx vertx;
    private final Page page;

    private WatchServer(Vertx vertx, Page page) {
        this.vertx = vertx;
        this.page = page;
    }

    /**
     * Serves {@code watch} on {@code host:port} ({@code port} 0: any free port); fails with one
     * line when the port is taken.
     */
    public static WatchServer start(LabWatch watch, String host, int port) {
        Vertx vertx = Vertx.vertx();
        Page page = new Page(watch, host, port);
        try {
            vertx.deployVerticle(page).await(START_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            if (reason.contains("Address already in use")) {
                throw new IllegalArgumentException("--port " + port + ": " + host + ":" + port + " is in use; choose another --port (0: any free one)");
            }
            throw new IllegalArgumentException("cannot serve on " + host + ":" + port + ": " + reason);
        }
        return new WatchServer(vertx, page);
    }

    public String url() {
        return "http://" + page.host + ":" + page.server.actualPort() + "/";
    }

    /** The snapshot the page showed last (null before the first sample). */
    public Snapshot latest() {
        return page.latest;
    }

    @Override
    public void close() {
        try {
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Closing a page nobody needs any more: nothing to keep if it takes longer.
        }
    }

    private static final class Page extends VerticleBase {
        private final LabWatch watch;
        private final String host;
        private final int port;
        private final List<HttpServerResponse> subscribers = new ArrayList<>();
        private HttpServer server;
        private volatile Snapshot latest;
        private boolean sampling;

        Page(LabWatch watch, String host, int port) {
            this.watch = watch;
            this.host = host;
            this.port = port;
        }

        @Override
        public Future<?> start() {
            Router router = Router.router(vertx);
            ASSETS.forEach((path, resource) -> {
                Buffer body = Buffer.buffer(asset(resource));
                String type = resource.endsWith(".js") ? "text/javascript; charset=utf-8"
                        : resource.endsWith(".css") ? "text/css; charset=utf-8" : "text/html; charset=utf-8";
                router.get(path).handler(ctx -> ctx.response().putHeader("Content-Type", type).end(body));
            });
            router.get("/events").handler(ctx -> subscribe(ctx.response()));
            router.get("/status.json").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
                    .end(latest == null ? "{}" : json(latest)));
            router.get("/metrics").handler(ctx -> ctx.response().putHeader("Content-Type", Metrics.CONTENT_TYPE)
                    .end(latest == null ? "" : Metrics.text(latest)));
            sample();
            vertx.setPeriodic(SAMPLE_MILLIS, id -> sample());
            return vertx.createHttpServer().requestHandler(router).listen(port, host).onSuccess(s -> server = s);
        }

        private void subscribe(HttpServerResponse response) {
            response.setChunked(true).putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache");
            // Reconnect after a second when the stream breaks (the page's server restarted).
            response.write("retry: 1000\n\n");
            if (latest != null) response.write(event(latest));
            subscribers.add(response);
            response.closeHandler(v -> subscribers.remove(response));
        }

        /** One sample at a time, read on a worker; a slow disk makes samples rarer, never overlapping. */
        private void sample() {
            if (sampling) return;
            sampling = true;
            vertx.executeBlocking(watch::sample).onComplete(result -> {
                sampling = false;
                if (result.failed()) return;
                latest = result.result();
                String event = event(latest);
                for (HttpServerResponse subscriber : List.copyOf(subscribers)) {
                    // A page that stopped reading gets no more until it catches up.
                    if (!subscriber.writeQueueFull()) subscriber.write(event);
                }
            });
        }

        private static String event(Snapshot snapshot) {
            return "data: " + json(snapshot) + "\n\n";
        }

        private static String json(Snapshot snapshot) {
            try {
                return JSON.writeValueAsString(snapshot);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a snapshot is always JSON", e);
            }
        }

        private static byte[] asset(String name) {
            try (InputStream in = WatchServer.class.getResourceAsStream("/watch/" + name)) {
                if (in == null) throw new IllegalStateException("/watch/" + name + " is missing from the jar: rebuild");
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
