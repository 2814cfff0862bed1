package org.electrolab.replica.core;

import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * The latest executed request and its result per client (VR Revisited, section 4.1), so a retried
 * request is answered without a second execution. Every replica builds it from the committed log in
 * op order, so a new leader has the same table. Bounded: the client whose latest request executed
 * longest ago is forgotten first; only executions move a client, so every replica forgets the same.
 */
final class ClientTable {

    record Record(long requestNumber, byte[] result) {}

    private final int capacity;
    private final LinkedHashMap<Long, Record> records = new LinkedHashMap<>();

    ClientTable(int capacity) {
        this.capacity = capacity;
    }

    Record get(long clientId) {
        return records.get(clientId);
    }

    void put(long clientId, long requestNumber, byte[] result) {
        records.remove(clientId);
        records.put(clientId, new Record(requestNumber, result));
        if (records.size() > capacity) {
            Iterator<Long> eldest = records.keySet().iterator();
            eldest.next();
            eldest.remove();
        }
    }
}
