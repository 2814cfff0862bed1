package org.electrolab.protocol;

import java.util.Arrays;
import java.util.List;

/**
 * Every message of the protocol, decoded. Field names follow VR Revisited (Liskov &amp; Cowling 2012);
 * {@link MessageCodec} maps them to the fixed header of bpf/electrolab_wire.h.
 */
public sealed interface Message {

    MessageType type();

    /** Member index of the sender, {@link Wire#SENDER_CLIENT} for a client. */
    int sender();

    /** The sender's view; 0 where the message has none. */
    long view();

    /** A client operation. Requests with the same client id are numbered 1, 2, 3, ... */
    record Request(long clientId, long requestNumber, byte[] payload) implements Message {
        public MessageType type() { return MessageType.REQUEST; }
        public int sender() { return Wire.SENDER_CLIENT; }
        public long view() { return 0; }

        @Override public boolean equals(Object o) {
            return o instanceof Request r && r.clientId == clientId && r.requestNumber == requestNumber
                    && Arrays.equals(r.payload, payload);
        }
        @Override public int hashCode() { return Long.hashCode(clientId) * 31 + Long.hashCode(requestNumber); }
        @Override public String toString() {
            return "Request[client=" + clientId + ", n=" + requestNumber + ", bytes=" + payload.length + "]";
        }
    }

    /** The leader's answer; its view tells the client who leads. */
    record Reply(long view, int sender, long clientId, long requestNumber, byte[] result) implements Message {
        public MessageType type() { return MessageType.REPLY; }

        @Override public boolean equals(Object o) {
            return o instanceof Reply r && r.view == view && r.sender == sender && r.clientId == clientId
                    && r.requestNumber == requestNumber && Arrays.equals(r.result, result);
        }
        @Override public int hashCode() { return Long.hashCode(clientId) * 31 + Long.hashCode(requestNumber); }
        @Override public String toString() {
            return "Reply[view=" + view + ", from=" + sender + ", client=" + clientId + ", n=" + requestNumber
                    + ", bytes=" + result.length + "]";
        }
    }

    /** Leader to followers: op number {@code op} holds {@code entry}; ops up to {@code commit} are committed. */
    record Prepare(long view, int sender, long op, long commit, Entry entry) implements Message {
        public MessageType type() { return MessageType.PREPARE; }
    }

    /**
     * Follower to leader: the sender holds every op up to {@code op} in {@code view}. A PrepareOK that
     * quorum-prune passed up carries in {@code acks} the members known to hold {@code op};
     * {@code acks == 0} means the sender alone.
     */
    record PrepareOk(long view, int sender, long op, long acks) implements Message {
        public MessageType type() { return MessageType.PREPARE_OK; }
    }

    /** Leader to followers, also as the idle heartbeat: ops up to {@code commit} are committed. */
    record Commit(long view, int sender, long commit) implements Message {
        public MessageType type() { return MessageType.COMMIT; }
    }

    record StartViewChange(long view, int sender) implements Message {
        public MessageType type() { return MessageType.START_VIEW_CHANGE; }
    }

    /**
     * To the leader of {@code view}: the sender's log ends at {@code op} and was last normal in
     * {@code lastNormalView}. The log itself is fetched with GetState from the best sender, so the
     * message stays one small datagram whatever the log size.
     */
    record DoViewChange(long view, int sender, long lastNormalView, long op, long commit) implements Message {
        public MessageType type() { return MessageType.DO_VIEW_CHANGE; }
    }

    /**
     * The new leader's log is the one that was last normal in {@code lastNormalView} and ends at
     * {@code op}. A follower whose log was last normal in the same view is a prefix of it and keeps
     * it; any other truncates to its commit number, then fetches the rest with GetState.
     */
    record StartView(long view, int sender, long lastNormalView, long op, long commit) implements Message {
        public MessageType type() { return MessageType.START_VIEW; }
    }

    /** Send me the ops after {@code op} of your log in {@code view}. */
    record GetState(long view, int sender, long op) implements Message {
        public MessageType type() { return MessageType.GET_STATE; }
    }

    /**
     * Ops {@code firstOp .. firstOp + entries.size() - 1} of the sender's log in {@code view}; the
     * sender's log ends at {@code op}. Bounded by {@link Wire#MESSAGE_SIZE_MAX}: fetch again for more.
     */
    record NewState(long view, int sender, long op, long commit, long firstOp, List<Entry> entries)
            implements Message {
        public NewState {
            entries = List.copyOf(entries);
        }
        public MessageType type() { return MessageType.NEW_STATE; }
    }

    /** A restarted replica asks for the current view; {@code nonce} ties the answers to this attempt. */
    record Recovery(int sender, long nonce) implements Message {
        public MessageType type() { return MessageType.RECOVERY; }
        public long view() { return 0; }
    }

    /**
     * Answer to Recovery. {@code normal} false means the sender has itself never been normal (the
     * whole cluster may be starting); then view, op and commit are 0.
     */
    record RecoveryResponse(long view, int sender, long nonce, boolean normal, long op, long commit)
            implements Message {
        public MessageType type() { return MessageType.RECOVERY_RESPONSE; }
    }

    /** One op of the log: the batch of requests the leader prepared together. */
    record Entry(List<Request> requests) {
        public Entry {
            requests = List.copyOf(requests);
        }

        /** Bytes of this entry on the wire. */
        public int size() {
            int size = Wire.ENTRY_OVERHEAD;
            for (Request r : requests) size += Wire.REQUEST_OVERHEAD + r.payload().length;
            return size;
        }
    }
}
