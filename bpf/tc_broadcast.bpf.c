// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * tc_broadcast: TC egress on the leader (Electrode, section 4.1). User space sends a Prepare or
 * Commit with EL_FLAG_BROADCAST once, to one follower; this program clears the flag and clones the
 * datagram to every other member, rewriting the destination IPv4 address (IP and UDP checksums
 * follow) and the Ethernet addresses from the kernel's FIB and neighbour table (bpf_fib_lookup).
 *
 * A clone redirected to this device's egress passes this program again: clones carry
 * el_config.clone_mark in skb->mark and marked packets pass untouched.
 *
 * bpf_fib_lookup answers BPF_FIB_LKUP_RET_FWD_DISABLED unless IPv4 forwarding is on for the
 * interface, and BPF_FIB_LKUP_RET_NO_NEIGH until the follower's address is resolved; such a
 * follower gets no clone (counted) and catches up through the protocol (GetState).
 */
#include <linux/pkt_cls.h>

#include "electrolab_bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define AF_INET 2
#define IP_OFFSET ETH_HLEN
#define IP_CHECK_OFFSET (IP_OFFSET + 10)
#define IP_DADDR_OFFSET (IP_OFFSET + 16)
#define UDP_OFFSET (IP_OFFSET + 20)
#define UDP_CHECK_OFFSET (UDP_OFFSET + 6)
#define FLAGS_WORD_OFFSET (EL_MSG_OFFSET + 6) /* sender and flags: a 16-bit word of the UDP checksum */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct el_tc_broadcast_counters);
} el_tc_counters SEC(".maps");

/* Rewrites the destination IPv4 address, keeping the IP and UDP checksums right. */
static __always_inline int set_daddr(struct __sk_buff *skb, __be32 from, __be32 to)
{
	if (bpf_l3_csum_replace(skb, IP_CHECK_OFFSET, from, to, sizeof(to)))
		return -1;
	if (bpf_l4_csum_replace(skb, UDP_CHECK_OFFSET, from, to,
				BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0 | sizeof(to)))
		return -1;
	return bpf_skb_store_bytes(skb, IP_DADDR_OFFSET, &to, sizeof(to), 0);
}

/* Clears EL_FLAG_BROADCAST in the datagram that goes out (and so in every clone of it). */
static __always_inline int clear_broadcast(struct __sk_buff *skb, const struct el_header *hdr)
{
	__u8 word[2] = { hdr->sender, hdr->flags & ~EL_FLAG_BROADCAST };
	__u16 from, to;

	__builtin_memcpy(&from, &hdr->sender, 2);
	__builtin_memcpy(&to, word, 2);
	if (bpf_l4_csum_replace(skb, UDP_CHECK_OFFSET, from, to, BPF_F_MARK_MANGLED_0 | sizeof(to)))
		return -1;
	return bpf_skb_store_bytes(skb, FLAGS_WORD_OFFSET, word, sizeof(word), 0);
}

/* Sends a copy to member address to (already the packet's destination); returns 0 when it went. */
static __always_inline int clone_to(struct __sk_buff *skb, struct el_tc_broadcast_counters *c,
				    const struct iphdr *ip, const struct udphdr *udp, __be32 to)
{
	struct bpf_fib_lookup fib = {};
	int rc;

	fib.family = AF_INET;
	fib.l4_protocol = IPPROTO_UDP;
	fib.sport = udp->source;
	fib.dport = udp->dest;
	fib.tot_len = bpf_ntohs(ip->tot_len);
	fib.ifindex = skb->ifindex;
	fib.ipv4_src = ip->saddr;
	fib.ipv4_dst = to;
	rc = bpf_fib_lookup(skb, &fib, sizeof(fib), BPF_FIB_LOOKUP_OUTPUT);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS) {
		c->no_route++;
		if (rc == BPF_FIB_LKUP_RET_FWD_DISABLED)
			c->fib_fwd_disabled++;
		else if (rc == BPF_FIB_LKUP_RET_NO_NEIGH)
			c->fib_no_neigh++;
		return -1;
	}
	if (bpf_skb_store_bytes(skb, 0, fib.dmac, ETH_ALEN, 0) ||
	    bpf_skb_store_bytes(skb, ETH_ALEN, fib.smac, ETH_ALEN, 0))
		return -1;
	if (bpf_clone_redirect(skb, fib.ifindex, 0)) {
		c->clone_failed++;
		return -1;
	}
	c->cloned++;
	return 0;
}

SEC("tc")
int tc_broadcast(struct __sk_buff *skb)
{
	__u32 zero = 0, mark = el_config.clone_mark, original_mark = skb->mark, dst = EL_REPLICAS_MAX, i;
	struct el_tc_broadcast_counters *c = bpf_map_lookup_elem(&el_tc_counters, &zero);
	unsigned char macs[2 * ETH_ALEN];
	struct el_snapshot snap;
	struct el_header hdr;
	struct udphdr udp;
	struct iphdr ip;
	__be32 current;
	__u32 *member;

	if (!c)
		return TC_ACT_OK;
	if (mark && skb->mark == mark) {
		c->clones_seen++;
		return TC_ACT_OK;
	}
	if (skb->protocol != bpf_htons(ETH_P_IP) || bpf_skb_load_bytes(skb, IP_OFFSET, &ip, sizeof(ip)) ||
	    ip.version != 4 || ip.ihl != 5 || ip.protocol != IPPROTO_UDP ||
	    (ip.frag_off & bpf_htons(EL_IP_MF | EL_IP_OFFSET)) ||
	    bpf_skb_load_bytes(skb, UDP_OFFSET, &udp, sizeof(udp)) || udp.dest != bpf_htons(el_config.port)) {
		c->other_traffic++;
		return TC_ACT_OK;
	}
	if (bpf_skb_load_bytes(skb, EL_MSG_OFFSET, &hdr, sizeof(hdr)) || hdr.magic != EL_MAGIC ||
	    hdr.version != EL_VERSION || hdr.cluster_id != el_config.cluster_id ||
	    !(hdr.flags & EL_FLAG_BROADCAST) || (hdr.type != EL_PREPARE && hdr.type != EL_COMMIT) ||
	    el_read_state(&snap)) {
		c->passed++;
		return TC_ACT_OK;
	}
	for (i = 0; i < EL_REPLICAS_MAX; i++) {
		__u32 key = i;

		if (i >= snap.members)
			break;
		member = bpf_map_lookup_elem(&el_members, &key);
		if (member && *member && *member == ip.daddr) {
			dst = i;
			break;
		}
	}
	if (dst == EL_REPLICAS_MAX) {
		c->not_member++;
		return TC_ACT_OK;
	}
	if (clear_broadcast(skb, &hdr) || bpf_skb_load_bytes(skb, 0, macs, sizeof(macs)))
		return TC_ACT_SHOT;
	c->broadcasts++;

	current = ip.daddr;
	skb->mark = mark;
	for (i = 0; i < EL_REPLICAS_MAX; i++) {
		__u32 key = i;

		if (i >= snap.members)
			break;
		if (i == dst || i == snap.my_index)
			continue;
		member = bpf_map_lookup_elem(&el_members, &key);
		if (!member || !*member)
			continue;
		if (set_daddr(skb, current, *member)) {
			skb->mark = original_mark;
			return TC_ACT_SHOT;
		}
		current = *member;
		clone_to(skb, c, &ip, &udp, current);
	}
	skb->mark = original_mark;
	/* The original goes where user space sent it. */
	if (current != ip.daddr && set_daddr(skb, current, ip.daddr))
		return TC_ACT_SHOT;
	if (bpf_skb_store_bytes(skb, 0, macs, sizeof(macs), 0))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}
