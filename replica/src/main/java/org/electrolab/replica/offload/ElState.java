package org.electrolab.replica.offload;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.electrolab.replica.core.Status;

/**
 * struct el_state: the replica's state as the kernel programs see it.
 *
 * @param view the replica's view
 * @param status its status
 * @param leader member index of the leader of view
 * @param myIndex this replica's member index
 * @param memberCount members, 2f + 1
 * @param f tolerated failures
 * @param lastOp the highest op this replica holds in order (fast_reply accepts lastOp + 1 and advances it)
 * @param offloads {@link Offload#stateBit}s of the programs allowed to act
 */
public record ElState(long view, Status status, int leader, int myIndex, int memberCount, int f, long lastOp,
                          int offloads) {

    static final int SIZE = 48;

    public boolean isLeader() {
        return leader == myIndex;
    }

    public ElState withOffloads(int bits) {
        return new ElState(view, status, leader, myIndex, memberCount, f, lastOp, bits);
    }

    byte[] toBytes() {
        return ByteBuffer.allocate(SIZE).order(ByteOrder.nativeOrder())
                .putInt(0) // struct bpf_spin_lock: the kernel skips it on BPF_F_LOCK updates
                .putInt(status.code).putLong(view).putLong(lastOp)
                .putInt(leader).putInt(myIndex).putInt(memberCount).putInt(f).putInt(offloads).putInt(0)
                .array();
    }

    static ElState fromBytes(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        b.getInt();
        int statusCode = b.getInt();
        long view = b.getLong(), lastOp = b.getLong();
        int leader = b.getInt(), myIndex = b.getInt(), members = b.getInt(), f = b.getInt(), offloads = b.getInt();
        Status status = null;
        for (Status s : Status.values()) {
            if (s.code == statusCode) status = s;
        }
        if (status == null) throw new IllegalStateException("el_state holds unknown status " + statusCode);
        return new ElState(view, status, leader, myIndex, members, f, lastOp, offloads);
    }
}
