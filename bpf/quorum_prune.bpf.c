// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * quorum_prune: XDP on the leader (Electrode, section 4.3). PrepareOKs of the current view are
 * counted per op in el_quorum; only the one that completes a quorum (f followers) reaches user
 * space, carrying in header.acks the bitmap of the followers that acknowledged and EL_FLAG_QUORUM.
 * The others are dropped and counted: pruned before the quorum, a member's repeat before it
 * (duplicate), a first PrepareOK after it (late). A member's repeat after the quorum goes up again
 * like the completing one: see count_ack. Other traffic is untouched, except malformed or foreign
 * electrolab packets, which are dropped.
 */
#include "electrolab_bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, EL_QUORUM_WINDOW);
	__type(key, __u32);
	__type(value, struct el_quorum_slot);
} el_quorum SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct el_quorum_prune_counters);
} el_qp_counters SEC(".maps");

enum quorum {
	QUORUM_PRUNED,
	QUORUM_COMPLETE,
	QUORUM_DUPLICATE,
	QUORUM_LATE,
};

static __always_inline __u32 popcount(__u64 x)
{
	return __builtin_popcountll(x);
}

/*
 * Counts sender's PrepareOK for (view, op) in its slot; *acks gets the bitmap after counting.
 *
 * A member repeats its PrepareOK for an op when the leader sent the Prepare again, which it does
 * only while the op does not commit: the completing PrepareOK this program passed up may have been
 * lost after XDP_PASS (a full socket buffer). Dropping every later one, as a duplicate, would leave
 * the op uncommitted for good (with one client, or a pipeline of one, nothing else commits it, and
 * the leader's heartbeats keep the followers from changing view). So once the quorum is complete,
 * a repeat completes it again: it goes up with the bitmap, as in Electrode's HandlePrepareOK, where
 * an ack that leaves the count at the quorum passes again.
 */
static __always_inline enum quorum count_ack(__u64 view, __u64 op, __u32 sender, __u32 f, __u64 *acks)
{
	__u32 key = op % EL_QUORUM_WINDOW;
	struct el_quorum_slot *slot = bpf_map_lookup_elem(&el_quorum, &key);
	__u64 bit = 1ULL << (sender & 63);
	enum quorum result;

	if (!slot)
		return QUORUM_LATE;
	bpf_spin_lock(&slot->lock);
	if (slot->view != view || slot->op < op) {
		slot->view = view;
		slot->op = op;
		slot->acks = 0;
		slot->done = 0;
	}
	if (slot->op != op) {
		result = QUORUM_LATE;
	} else if (slot->acks & bit) {
		result = slot->done ? QUORUM_COMPLETE : QUORUM_DUPLICATE;
	} else {
		slot->acks |= bit;
		if (slot->done) {
			result = QUORUM_LATE;
		} else if (popcount(slot->acks) >= f) {
			slot->done = 1;
			result = QUORUM_COMPLETE;
		} else {
			result = QUORUM_PRUNED;
		}
	}
	*acks = slot->acks;
	bpf_spin_unlock(&slot->lock);
	return result;
}

/* Sets EL_FLAG_QUORUM and header.acks, updating the UDP checksum (when there is one) for both. */
static __always_inline int mark_quorum(struct el_xdp_packet *p, __u64 acks)
{
	/* The 4 bytes holding flags and the 8 of acks start at even offsets from the UDP header. */
	__u32 from[3], to[3];
	__u16 check = p->udp->check;
	__s64 diff;

	__builtin_memcpy(&from[0], (__u8 *)p->hdr + 4, 4);
	__builtin_memcpy(&from[1], &p->hdr->acks, 8);
	p->hdr->flags |= EL_FLAG_QUORUM;
	p->hdr->acks = acks;
	__builtin_memcpy(&to[0], (__u8 *)p->hdr + 4, 4);
	__builtin_memcpy(&to[1], &p->hdr->acks, 8);
	if (!check)
		return 0;
	diff = bpf_csum_diff(from, sizeof(from), to, sizeof(to), (__u16)~check);
	if (diff < 0)
		return -1;
	check = ~el_csum_fold(diff);
	p->udp->check = check ? check : 0xffff;
	return 0;
}

SEC("xdp")
int quorum_prune(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct el_quorum_prune_counters *c = bpf_map_lookup_elem(&el_qp_counters, &zero);
	struct el_xdp_packet p = {};
	struct el_snapshot snap;
	__u64 acks = 0;

	if (!c)
		return XDP_PASS;
	switch (el_parse_xdp(ctx, &p)) {
	case EL_PARSE_OTHER:
		c->other_traffic++;
		return XDP_PASS;
	case EL_PARSE_INVALID:
		c->dropped_invalid++;
		return XDP_DROP;
	case EL_PARSE_FOREIGN:
		c->dropped_foreign++;
		return XDP_DROP;
	case EL_PARSE_OK:
		break;
	}
	if (p.hdr->type != EL_PREPARE_OK || el_read_state(&snap) ||
	    !(snap.offloads & EL_OFFLOAD_QUORUM_PRUNE) || snap.status != EL_STATUS_NORMAL ||
	    snap.leader != snap.my_index || p.hdr->view != snap.view || p.hdr->sender == snap.my_index ||
	    p.hdr->sender >= snap.members || snap.f == 0 || snap.f >= snap.members) {
		c->passed_up++;
		return XDP_PASS;
	}
	switch (count_ack(p.hdr->view, p.hdr->op, p.hdr->sender, snap.f, &acks)) {
	case QUORUM_PRUNED:
		c->pruned++;
		return XDP_DROP;
	case QUORUM_DUPLICATE:
		c->dropped_duplicate++;
		return XDP_DROP;
	case QUORUM_LATE:
		c->dropped_late++;
		return XDP_DROP;
	case QUORUM_COMPLETE:
		break;
	}
	if (mark_quorum(&p, acks)) {
		c->dropped_invalid++;
		return XDP_DROP;
	}
	c->quorum_passed++;
	return XDP_PASS;
}
