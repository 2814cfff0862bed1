package org.electrolab.replica.core;

import java.util.ArrayList;
import java.util.List;

import org.electrolab.protocol.Message;
import org.electrolab.protocol.Message.Reply;
import org.electrolab.protocol.Message.Request;

/**
 * What one step of the core asks its adapters to do, in this order: mirror {@link #kernelState}
 * into the kernel (when not null), then send {@link #sends} and {@link #replies}.
 * {@link #executed} reports what the app executed, for checkers and tests.
 */
public final class Effects {

    /** Destination of {@link Send} meaning every member but the sender. */
    public static final int BROADCAST = -1;

    /** A message to member {@code to}, or to every other member when {@code to == BROADCAST}. */
    public record Send(int to, Message message) {}

    public record ClientReply(long clientId, Reply reply) {}

    /** The app executed {@code request} as part of op {@code op} and returned {@code result}. */
    public record Executed(long op, Request request, byte[] result) {}

    /** What the kernel fast path must know before the replica acts in a new state. */
    public record KernelState(long view, Status status, int leader, int myIndex, long op, long commit) {}

    public final List<Send> sends = new ArrayList<>();
    public final List<ClientReply> replies = new ArrayList<>();
    public final List<Executed> executed = new ArrayList<>();
    public KernelState kernelState;

    public boolean isEmpty() {
        return sends.isEmpty() && replies.isEmpty() && executed.isEmpty() && kernelState == null;
    }

    @Override
    public String toString() {
        return "Effects[sends=" + sends + ", replies=" + replies + ", executed=" + executed.size()
                + ", kernel=" + kernelState + "]";
    }
}
