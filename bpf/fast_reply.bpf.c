// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fast_reply: XDP on a follower (Electrode, section 4.2). A Prepare that the follower would accept
 * in order is recorded for user space in el_prepares and answered with the PrepareOK the Java core
 * would send, straight from the driver (XDP_TX). Everything else goes up unchanged, except
 * malformed or foreign electrolab packets, which are dropped. Every decision is counted.
 *
 * The protocol with user space (which owns every field of el_state except last_op; Java:
 * FastReplyProtocol, EbpfPath):
 *  - The check "status normal, fast reply on, I follow the sender, same view, op == last_op + 1"
 *    and the advance of last_op happen under el_state's spin lock; user space writes el_state
 *    whole with BPF_F_LOCK, so a write and a check never interleave: after a write returns, no
 *    PrepareOK is decided against the state it replaced.
 *  - The ring-buffer record is reserved before that check and submitted before the PrepareOK
 *    leaves. So every op acknowledged under an old state has its record reserved before the
 *    write that replaced the state returned: user space that writes the state (clearing
 *    EL_OFFLOAD_FAST_REPLY to pause) and then consumes the ring up to the producer position it
 *    reads afterwards has seen every Prepare the kernel acknowledged (PrepareRing.drainAll).
 *  - User space does that before every step of a normal follower that may vouch for its log or
 *    leave its view: a tick, a StartViewChange, DoViewChange or StartView, any message of a later
 *    view (PacketPath.isLogDecision). A record of the old view that reached the core after it left
 *    the view would be ignored as old, and a DoViewChange would miss an op acknowledged here.
 *    Other steps consume what is committed without pausing (a prefix of the ring: libbpf stops at
 *    a record still being written).
 *  - Records of first acknowledgements are in op order in the ring: op n is claimed only when
 *    last_op is n - 1, set by user space (the core holds n - 1) or by the claim of n - 1, whose
 *    record was reserved before that claim and so before n's pre-check and reservation. Two CPUs
 *    can reorder only a repeated acknowledgement (below). User space stops the replica if a record
 *    of the current view ever lies beyond the op the core can append, or cannot be read or
 *    decoded: the kernel vouched for an op the core cannot hold.
 *  - A write from user space may move last_op back over an op the kernel just acknowledged (the
 *    record is in the ring): the op can then be acknowledged and recorded twice, which the core
 *    ignores as a duplicate. It never moves last_op past an op the core does not hold.
 *  - A replica that stops (fail-stop) first writes a state in which nothing is acknowledged.
 *
 * Built with -DEL_TEST_ACK_WITHOUT_RECORD, the program answers without recording: a deliberately
 * broken variant that only the fault campaign's mutant test builds (FastReplyMutantCampaignTest).
 */
#include "electrolab_bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 21); /* user space may resize before load */
} el_prepares SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct el_fast_reply_counters);
} el_fr_counters SEC(".maps");

#define EL_PREPARE_OK_FRAME (EL_MSG_OFFSET + EL_HEADER_SIZE)

enum fast_path {
	FAST_PATH_OK,
	FAST_PATH_NOT_NORMAL,
	FAST_PATH_WRONG_VIEW,
	FAST_PATH_OUT_OF_ORDER,
};

static __always_inline enum fast_path fast_path_check(__u32 offloads, __u32 status, __u32 leader,
						      __u32 my_index, __u64 view, __u64 last_op,
						      const struct el_header *hdr)
{
	if (!(offloads & EL_OFFLOAD_FAST_REPLY) || status != EL_STATUS_NORMAL || my_index == leader ||
	    hdr->sender != leader)
		return FAST_PATH_NOT_NORMAL;
	if (hdr->view != view)
		return FAST_PATH_WRONG_VIEW;
	if (hdr->op != last_op + 1)
		return FAST_PATH_OUT_OF_ORDER;
	return FAST_PATH_OK;
}

/* Locked check-and-advance of last_op; returns the check's result. */
static __always_inline enum fast_path fast_path_claim(const struct el_header *hdr, __u64 view, __u64 op,
						      __u32 *my_index)
{
	__u32 zero = 0;
	struct el_state *s = bpf_map_lookup_elem(&el_state, &zero);
	enum fast_path verdict;

	if (!s)
		return FAST_PATH_NOT_NORMAL;
	bpf_spin_lock(&s->lock);
	verdict = FAST_PATH_NOT_NORMAL;
	if ((s->offloads & EL_OFFLOAD_FAST_REPLY) && s->status == EL_STATUS_NORMAL && s->my_index != s->leader &&
	    hdr->sender == s->leader) {
		if (view != s->view)
			verdict = FAST_PATH_WRONG_VIEW;
		else if (op != s->last_op + 1)
			verdict = FAST_PATH_OUT_OF_ORDER;
		else
			verdict = FAST_PATH_OK;
	}
	if (verdict == FAST_PATH_OK)
		s->last_op = op;
	*my_index = s->my_index;
	bpf_spin_unlock(&s->lock);
	return verdict;
}

/*
 * Whether msg holds a Prepare body MessageCodec decodes: a request count of at most EL_BATCH_MAX,
 * then that many requests (client id, request number, payload size, payload) filling it exactly.
 * The kernel must not acknowledge an op that user space would then refuse to hold.
 */
static __always_inline int entry_is_valid(const __u8 *msg, __u64 size)
{
	__u64 off = EL_HEADER_SIZE + 4;
	__u32 count, payload, i;

	if (size < off || size > EL_MESSAGE_SIZE_MAX)
		return 0;
	__builtin_memcpy(&count, msg + EL_HEADER_SIZE, 4);
	if (count > EL_BATCH_MAX)
		return 0;
	for (i = 0; i < EL_BATCH_MAX; i++) {
		if (i >= count)
			break;
		if (off + 20 > size)
			return 0;
		/* Keeps the compiler from re-deriving off from an unchecked copy (the verifier tracks
		 * bounds per register). */
		asm volatile("" : "+r"(off));
		if (off > EL_MESSAGE_SIZE_MAX - 20)
			return 0;
		__builtin_memcpy(&payload, msg + off + 16, 4);
		off += 20;
		if (payload > size - off)
			return 0;
		off += payload;
	}
	return off == size;
}

static __always_inline void count_reason(struct el_fast_reply_counters *c, enum fast_path reason)
{
	c->passed_up++;
	if (reason == FAST_PATH_WRONG_VIEW)
		c->wrong_view++;
	else if (reason == FAST_PATH_OUT_OF_ORDER)
		c->out_of_order++;
	else
		c->not_normal++;
}

/*
 * Turns the Prepare frame into the PrepareOK frame: MessageCodec(cluster).encode(new PrepareOk(view,
 * my_index, op, 0)) from this host's address and port back to the sender's.
 */
static __always_inline int write_prepare_ok(struct xdp_md *ctx, __u32 my_index, __u64 view, __u64 op)
{
	void *data, *end;
	struct ethhdr *eth;
	struct iphdr *ip;
	struct udphdr *udp;
	struct el_header *hdr;
	unsigned char mac[ETH_ALEN];
	__be32 addr;
	__be16 port;
	__u32 pseudo[3];
	__s64 sum;
	/*
	 * The whole frame, fragments included: BPF_PROG_TEST_RUN (and a driver, for a frame beyond a
	 * page) may hand even a non-frags program a multi-buffer frame, whose tail adjust_tail cuts
	 * first; measuring only the linear part left that many bytes of the Prepare behind the reply.
	 */
	int delta = (int)bpf_xdp_get_buff_len(ctx) - EL_PREPARE_OK_FRAME;

	if (delta && bpf_xdp_adjust_tail(ctx, -delta))
		return -1;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if (data + EL_PREPARE_OK_FRAME > end)
		return -1;
	eth = data;
	ip = (void *)(eth + 1);
	udp = (void *)(ip + 1);
	hdr = (void *)(udp + 1);

	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);

	addr = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = addr;
	ip->tot_len = bpf_htons(EL_PREPARE_OK_FRAME - ETH_HLEN);
	ip->ttl = 64;
	ip->check = 0;
	sum = bpf_csum_diff(0, 0, (__be32 *)ip, sizeof(*ip), 0);
	if (sum < 0)
		return -1;
	ip->check = ~el_csum_fold(sum);

	hdr->magic = EL_MAGIC;
	hdr->version = EL_VERSION;
	hdr->type = EL_PREPARE_OK;
	hdr->sender = my_index;
	hdr->flags = 0;
	hdr->cluster_id = el_config.cluster_id;
	hdr->body_size = 0;
	hdr->view = view;
	hdr->op = op;
	hdr->commit = 0;
	hdr->acks = 0;

	port = udp->source;
	udp->source = udp->dest;
	udp->dest = port;
	udp->len = bpf_htons(EL_UDP_HEADER_SIZE + EL_HEADER_SIZE);
	udp->check = 0;
	pseudo[0] = ip->saddr;
	pseudo[1] = ip->daddr;
	pseudo[2] = bpf_htonl((IPPROTO_UDP << 16) | (EL_UDP_HEADER_SIZE + EL_HEADER_SIZE));
	sum = bpf_csum_diff(0, 0, pseudo, sizeof(pseudo), 0);
	if (sum < 0)
		return -1;
	sum = bpf_csum_diff(0, 0, (__be32 *)udp, EL_UDP_HEADER_SIZE + EL_HEADER_SIZE, sum);
	if (sum < 0)
		return -1;
	udp->check = ~el_csum_fold(sum);
	if (udp->check == 0)
		udp->check = 0xffff; /* 0 means "no checksum" in UDP */
	return 0;
}

SEC("xdp")
int fast_reply(struct xdp_md *ctx)
{
	__u32 zero = 0, my_index = 0;
	struct el_fast_reply_counters *c = bpf_map_lookup_elem(&el_fr_counters, &zero);
	struct el_xdp_packet p = {};
	struct el_snapshot snap;
	struct el_prepare_record *rec;
	enum fast_path verdict;
	__u64 view, op, size;

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
	if (p.hdr->type != EL_PREPARE) {
		c->passed_up++;
		return XDP_PASS;
	}
	if (el_read_state(&snap)) {
		count_reason(c, FAST_PATH_NOT_NORMAL);
		return XDP_PASS;
	}
	/* Cheap unlocked pre-check, so that traffic the fast path will refuse does not copy 8 KiB. */
	verdict = fast_path_check(snap.offloads, snap.status, snap.leader, snap.my_index, snap.view,
				  snap.last_op, p.hdr);
	if (verdict != FAST_PATH_OK) {
		count_reason(c, verdict);
		return XDP_PASS;
	}
	view = p.hdr->view;
	op = p.hdr->op;
	size = p.msg_size;
	/*
	 * One 64-bit register for the check and the copy below: a 32-bit size is zero-extended into a
	 * copy for the comparison, and older verifiers (6.1) then pass the helper the unchecked
	 * original, whose minimum 0 bpf_xdp_load_bytes refuses.
	 */
	asm volatile("" : "+r"(size));

	rec = bpf_ringbuf_reserve(&el_prepares, sizeof(*rec), 0);
	if (!rec) {
		c->passed_up++;
		c->ring_full++;
		return XDP_PASS;
	}
	if (size < EL_HEADER_SIZE || size > EL_MESSAGE_SIZE_MAX ||
	    bpf_xdp_load_bytes(ctx, EL_MSG_OFFSET, rec->msg, size)) {
		bpf_ringbuf_discard(rec, 0);
		c->dropped_invalid++;
		return XDP_DROP;
	}
	if (!entry_is_valid(rec->msg, size)) {
		bpf_ringbuf_discard(rec, 0);
		c->dropped_invalid++;
		return XDP_DROP;
	}
	/* The packet pointers are still valid: nothing above changed the packet. */
	verdict = fast_path_claim(p.hdr, view, op, &my_index);
	if (verdict != FAST_PATH_OK) {
		bpf_ringbuf_discard(rec, 0);
		count_reason(c, verdict);
		return XDP_PASS;
	}
#ifdef EL_TEST_ACK_WITHOUT_RECORD
	bpf_ringbuf_discard(rec, 0);
#else
	rec->size = size;
	rec->reserved = 0;
	/*
	 * User space drains the ring at every step it takes anyway (each tick, each message passed
	 * up), so waking it for every record would cost a context switch per op, the very work the
	 * fast path saves. Wake it only when the ring is a quarter full.
	 */
	bpf_ringbuf_submit(rec, bpf_ringbuf_query(&el_prepares, BPF_RB_AVAIL_DATA) >
				bpf_ringbuf_query(&el_prepares, BPF_RB_RING_SIZE) / 4 ?
				BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
#endif
	if (write_prepare_ok(ctx, my_index, view, op)) {
		/*
		 * Cannot happen: a frame that parsed is at least as long as the PrepareOK. The op is
		 * recorded; the leader's retransmission, out of order here by then, goes up and the
		 * core answers it.
		 */
		c->dropped_invalid++;
		return XDP_DROP;
	}
	c->fast_replied++;
	return XDP_TX;
}
