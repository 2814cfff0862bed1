package org.electrolab.replica.transport;

import java.util.LinkedHashMap;
import java.util.Map;

import org.electrolab.protocol.Check;

/** Where each client's latest Request came from, so its Reply goes back there; least recently heard forgotten. */
final class ClientAddresses {

    record Address(String host, int port) {}

    private final Map<Long, Address> byClient;

    ClientAddresses(int max) {
        Check.that(max >= 1, "room for a client");
        this.byClient = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Address> eldest) {
                return size() > max;
            }
        };
    }

    void heard(long clientId, String host, int port) {
        Address known = byClient.get(clientId);
        if (known == null || known.port() != port || !known.host().equals(host)) {
            byClient.put(clientId, new Address(host, port));
        }
    }

    /** The client's address, or null when it was never heard or was forgotten. */
    Address of(long clientId) {
        return byClient.get(clientId);
    }

    int size() {
        return byClient.size();
    }
}
