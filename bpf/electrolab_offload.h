/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the three offload programs share with user space: the read-only configuration, the kernel
 * state map, the ring-buffer record, the quorum slots and the counters. Java mirrors these
 * layouts (org.electrolab.replica.offload) and OffloadLayoutTest fails when the two disagree.
 *
 * Map names (at most 15 characters, stable: `bpftool map dump name <map>` reads them):
 *   el_state        1 x struct el_state        written by user space on every view/status change
 *   el_members      EL_REPLICAS_MAX x __u32     member IPv4 address (network order) by member index
 *   el_prepares     ring buffer of struct el_prepare_record (fast_reply -> user space)
 *   el_quorum       EL_QUORUM_WINDOW x struct el_quorum_slot (quorum_prune)
 *   el_fr_counters  per-CPU struct el_fast_reply_counters
 *   el_qp_counters  per-CPU struct el_quorum_prune_counters
 *   el_tc_counters  per-CPU struct el_tc_broadcast_counters
 */
#ifndef ELECTROLAB_OFFLOAD_H
#define ELECTROLAB_OFFLOAD_H

#ifndef __VMLINUX_H__
#include <linux/bpf.h>
#endif
#include "electrolab_wire.h"

/*
 * Ops a PrepareOK may trail the newest op before its quorum slot is reused. The leader prepares op
 * n only when n - commit <= EL_PIPELINE_MAX, so an op more than a pipeline behind the op that took
 * its slot is committed already and a late PrepareOK for it can be dropped.
 */
#define EL_QUORUM_WINDOW (2 * EL_PIPELINE_MAX)

/* struct el_state.status: the codes of org.electrolab.replica.core.Status. */
enum el_status {
	EL_STATUS_NORMAL = 0,
	EL_STATUS_VIEW_CHANGE = 1,
	EL_STATUS_RECOVERING = 2,
};

/* struct el_state.offloads: which programs act; a cleared bit makes its program pass everything. */
#define EL_OFFLOAD_TC_BROADCAST 0x1
#define EL_OFFLOAD_FAST_REPLY 0x2
#define EL_OFFLOAD_QUORUM_PRUNE 0x4

/* Read-only values of every program (const volatile el_config), set between open and load. */
struct el_config {
	__u32 cluster_id;   /* packets of another cluster are dropped */
	__u32 port;         /* UDP port every member listens on, host byte order */
	__u32 clone_mark;   /* tc_broadcast: skb->mark of its clones, which it then passes */
	__u32 reserved;
};

/*
 * The replica's state as the kernel sees it. User space writes it whole with BPF_F_LOCK and the
 * programs read it under the same lock, so a program never acts on half of an update; fast_reply
 * advances last_op under the lock (see fast_reply.bpf.c for the protocol with user space).
 */
struct el_state {
	struct bpf_spin_lock lock;
	__u32 status;       /* enum el_status */
	__u64 view;
	__u64 last_op;      /* highest op this replica holds; fast_reply accepts last_op + 1 */
	__u32 leader;       /* member index of the leader of view */
	__u32 my_index;     /* member index of this replica */
	__u32 members;      /* member count, 2f + 1 */
	__u32 f;
	__u32 offloads;     /* EL_OFFLOAD_* */
	__u32 reserved;
};

/* One Prepare that fast_reply acknowledged: the whole message (header and body) as received. */
struct el_prepare_record {
	__u32 size;         /* bytes of msg that hold the message */
	__u32 reserved;
	__u8 msg[EL_MESSAGE_SIZE_MAX];
};

/* PrepareOKs seen for op (in view); a slot is reset when a newer op or view takes it. */
struct el_quorum_slot {
	struct bpf_spin_lock lock;
	__u32 done;         /* 1 once the quorum-completing PrepareOK was passed up */
	__u64 view;
	__u64 op;
	__u64 acks;         /* bitmap of the members whose PrepareOK arrived */
};

/*
 * Counters. Every electrolab packet to the cluster port adds one to exactly one of fast_replied /
 * quorum_passed / pruned / dropped_* / passed_up; the reason counters detail the passed-up Prepares.
 */
struct el_fast_reply_counters {
	__u64 fast_replied;      /* answered with PrepareOK by XDP_TX, recorded in el_prepares */
	__u64 passed_up;         /* electrolab packets left to user space */
	__u64 dropped_invalid;   /* malformed electrolab packets to the cluster port */
	__u64 dropped_foreign;   /* another cluster, or a member index not from that member's address and port */
	__u64 other_traffic;     /* not IPv4 (no options, valid header) UDP to the cluster port: untouched */
	__u64 not_normal;        /* Prepare passed up: offload off, not a normal follower, not from the leader */
	__u64 wrong_view;        /* Prepare passed up: view differs from the kernel view */
	__u64 out_of_order;      /* Prepare passed up: op != last_op + 1 */
	__u64 ring_full;         /* Prepare passed up: no room in el_prepares */
};

struct el_quorum_prune_counters {
	__u64 quorum_passed;     /* PrepareOK completing a quorum (or a member's repeat after it), passed up with EL_FLAG_QUORUM */
	__u64 pruned;            /* PrepareOK counted toward a quorum not yet complete, dropped */
	__u64 dropped_duplicate; /* a member's second PrepareOK for the same op, before its quorum */
	__u64 dropped_late;      /* PrepareOK after its op's quorum, or for an op whose slot was reused */
	__u64 passed_up;         /* other electrolab packets (other types, other views, not leader) */
	__u64 dropped_invalid;
	__u64 dropped_foreign;
	__u64 other_traffic;
};

struct el_tc_broadcast_counters {
	__u64 broadcasts;        /* datagrams with EL_FLAG_BROADCAST sent out */
	__u64 cloned;            /* copies redirected to other followers */
	__u64 no_route;          /* follower skipped: no FIB route or neighbour (see fib_* counters) */
	__u64 fib_fwd_disabled;  /* bpf_fib_lookup: forwarding is off on the interface */
	__u64 fib_no_neigh;      /* bpf_fib_lookup: no neighbour entry for the follower yet */
	__u64 clone_failed;      /* bpf_clone_redirect failed */
	__u64 clones_seen;       /* own clones passing egress again */
	__u64 passed;            /* cluster-port packets without EL_FLAG_BROADCAST, or not Prepare/Commit */
	__u64 not_member;        /* broadcast whose destination is not a member: sent unchanged */
	__u64 other_traffic;
};

_Static_assert(sizeof(struct el_config) == 16, "el_config size");
_Static_assert(sizeof(struct el_state) == 48, "el_state size");
_Static_assert(__builtin_offsetof(struct el_state, view) == 8, "el_state.view offset");
_Static_assert(__builtin_offsetof(struct el_state, offloads) == 40, "el_state.offloads offset");
_Static_assert(sizeof(struct el_prepare_record) == 8 + EL_MESSAGE_SIZE_MAX, "record size");
_Static_assert(sizeof(struct el_quorum_slot) == 32, "el_quorum_slot size");
_Static_assert(EL_QUORUM_WINDOW > EL_PIPELINE_MAX, "a slot outlives every uncommitted op");

#endif /* ELECTROLAB_OFFLOAD_H */
