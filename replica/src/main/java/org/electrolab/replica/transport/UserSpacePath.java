package org.electrolab.replica.transport;

import java.util.List;
import java.util.Map;

import org.electrolab.protocol.Message;
import org.electrolab.replica.core.Effects;

/** Plain VR: nothing in the kernel, every message goes through the socket. */
public final class UserSpacePath implements PacketPath {

    @Override
    public String name() {
        return "user-space";
    }

    @Override
    public void start(Runnable recordedReady) {}

    @Override
    public void mirror(Effects.KernelState state) {}

    @Override
    public List<Message> drainRecorded(boolean beforeLogDecision) {
        return List.of();
    }

    @Override
    public int broadcastCarrier(Message message) {
        return EACH_MEMBER;
    }

    @Override
    public boolean sentByKernel(Effects.Send send) {
        return false;
    }

    @Override
    public Map<String, Long> counters() {
        return Map.of();
    }

    @Override
    public void close() {}
}
