package org.electrolab.client;

import java.time.Duration;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.electrolab.protocol.Message.Reply;

/** Waits for a cluster to serve: the condition to await after starting replicas, instead of a sleep. */
public final class ClusterProbe {
    private ClusterProbe() {}

    /**
     * Sends one request with {@code payload} (valid for the cluster's app) from a fresh client and
     * retries it until some leader answers; fails with a TimeoutException after {@code within}.
     */
    public static Future<Reply> firstAnswer(Vertx vertx, ClusterEndpoints cluster, String bindHost, byte[] payload,
                                            Duration timeout, Duration within) {
        return ClientSocket.open(vertx, cluster, bindHost).compose(socket -> {
            Session session = new Session(socket, socket.freshClientId(), timeout);
            return session.submit(payload, within).eventually(() -> {
                session.close();
                return socket.close();
            });
        });
    }
}
