package org.electrolab.replica.offload;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.electrolab.protocol.Message;
import org.electrolab.protocol.MessageCodec;
import org.electrolab.protocol.config.Offload;
import org.electrolab.replica.core.Status;

/** A cluster for program tests: members 10.9.0.1.., MACs 02:..:01.., port 7000, cluster id 7. */
final class TestCluster {

    static final int CLUSTER_ID = 7;
    static final int PORT = 7000;
    static final MessageCodec CODEC = new MessageCodec(CLUSTER_ID);

    final int f;
    final List<Inet4Address> members = new ArrayList<>();

    TestCluster(int f) {
        this.f = f;
        for (int i = 0; i < 2 * f + 1; i++) members.add(Frames.ip("10.9.0." + (i + 1)));
    }

    ElConfig config(int myIndex) {
        return new ElConfig(CLUSTER_ID, PORT, members, f, myIndex);
    }

    LoadedPrograms load(int myIndex, Offload offload) {
        return LoadedPrograms.load(config(myIndex), Set.of(offload));
    }

    ElState state(long view, Status status, int leader, int myIndex, long lastOp, int offloads) {
        return new ElState(view, status, leader, myIndex, members.size(), f, lastOp, offloads);
    }

    /** A frame carrying {@code message} from member {@code from} to member {@code to}. */
    byte[] frame(int from, int to, byte[] message) {
        return Frames.udp(Frames.mac(from + 1), Frames.mac(to + 1), members.get(from), members.get(to), PORT, PORT, message);
    }

    static Message.Prepare prepare(long view, int leader, long op, int requests, int payloadBytes) {
        List<Message.Request> batch = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            byte[] payload = new byte[payloadBytes];
            for (int j = 0; j < payloadBytes; j++) payload[j] = (byte) (op * 31 + i * 7 + j);
            batch.add(new Message.Request(100 + i, op, payload));
        }
        return new Message.Prepare(view, leader, op, op - 1, new Message.Entry(batch));
    }
}
