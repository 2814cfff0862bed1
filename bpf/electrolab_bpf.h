/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Kernel-side pieces the three offload programs share: the configuration, the kernel state and
 * member maps, the state snapshot and the parser of an electrolab datagram in XDP.
 */
#ifndef ELECTROLAB_BPF_H
#define ELECTROLAB_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "electrolab_offload.h"

#define EL_IP_MF 0x2000
#define EL_IP_OFFSET 0x1fff
#define EL_UDP_HEADER_SIZE 8
/* Offset of the electrolab header in a frame without IP options: Ethernet, IPv4, UDP. */
#define EL_MSG_OFFSET (ETH_HLEN + 20 + EL_UDP_HEADER_SIZE)
/* The longest IPv4 datagram of a message: IPv4 and UDP headers, then at most EL_MESSAGE_SIZE_MAX. */
#define EL_IP_LENGTH_MAX (20 + EL_UDP_HEADER_SIZE + EL_MESSAGE_SIZE_MAX)

/* Set by user space between open and load. */
const volatile struct el_config el_config = {};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct el_state);
} el_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, EL_REPLICAS_MAX);
	__type(key, __u32);
	__type(value, __u32);
} el_members SEC(".maps");

/* A consistent copy of struct el_state, read under its lock. */
struct el_snapshot {
	__u64 view;
	__u64 last_op;
	__u32 status;
	__u32 leader;
	__u32 my_index;
	__u32 members;
	__u32 f;
	__u32 offloads;
};

static __always_inline int el_read_state(struct el_snapshot *snap)
{
	__u32 zero = 0;
	struct el_state *s = bpf_map_lookup_elem(&el_state, &zero);

	if (!s)
		return -1;
	bpf_spin_lock(&s->lock);
	snap->view = s->view;
	snap->last_op = s->last_op;
	snap->status = s->status;
	snap->leader = s->leader;
	snap->my_index = s->my_index;
	snap->members = s->members;
	snap->f = s->f;
	snap->offloads = s->offloads;
	bpf_spin_unlock(&s->lock);
	return 0;
}

/* Whether addr (network order) is the address of member index; user space zeroes unused slots. */
static __always_inline int el_is_member_address(__u32 index, __be32 addr)
{
	__u32 *member;

	if (index >= EL_REPLICAS_MAX)
		return 0;
	member = bpf_map_lookup_elem(&el_members, &index);
	return member && *member != 0 && *member == addr;
}

enum el_parse {
	EL_PARSE_OTHER,    /* not ours: not IPv4/UDP to the cluster port, a fragment, IP options, bad IP checksum */
	EL_PARSE_INVALID,  /* to the cluster port but malformed */
	EL_PARSE_FOREIGN,  /* another cluster, or a member index not from that member's address and port */
	EL_PARSE_OK,       /* a well-formed electrolab message of this cluster */
};

struct el_xdp_packet {
	struct ethhdr *eth;
	struct iphdr *ip;
	struct udphdr *udp;
	struct el_header *hdr;
	__u32 msg_size;    /* header + body */
};

/*
 * A 16-bit length field in host order, as a 64-bit value the verifier knows to be at most 0xffff.
 * Verifiers before 6.13 (seen on Debian's 6.1 and 6.12) forget a register's bounds across the byte
 * swap of bpf_ntohs, and then refuse pointer arithmetic with it ("math between pkt pointer and
 * register with unbounded min value"). The mask runs in a 64-bit register after the swap, where the
 * compiler, which knows the swap's result fits 16 bits, cannot drop it.
 */
static __always_inline __u64 el_length(__be16 field)
{
	__u64 length = bpf_ntohs(field);

	asm volatile("%0 &= 0xffff" : "+r"(length));
	return length;
}

/* Folds a 32-bit one's complement sum to 16 bits. */
static __always_inline __u16 el_csum_fold(__u64 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/*
 * MessageCodec's "one encoding per message": the header fields a type does not use are zero, and
 * the types with a fixed body have exactly that body size.
 */
static __always_inline int el_header_is_canonical(const struct el_header *hdr)
{
	switch (hdr->type) {
	case EL_REQUEST:
		return (hdr->view | hdr->op | hdr->commit | hdr->acks) == 0 && hdr->body_size >= 16;
	case EL_RECOVERY:
		return (hdr->view | hdr->op | hdr->commit | hdr->acks) == 0 && hdr->body_size == 8;
	case EL_REPLY:
		return (hdr->op | hdr->commit | hdr->acks) == 0 && hdr->body_size >= 16;
	case EL_START_VIEW_CHANGE:
		return (hdr->op | hdr->commit | hdr->acks) == 0 && hdr->body_size == 0;
	case EL_COMMIT:
		return (hdr->op | hdr->acks) == 0 && hdr->body_size == 0;
	case EL_PREPARE_OK:
		return hdr->commit == 0 && hdr->body_size == 0;
	case EL_GET_STATE:
		return (hdr->commit | hdr->acks) == 0 && hdr->body_size == 0;
	case EL_DO_VIEW_CHANGE:
	case EL_START_VIEW:
		return hdr->acks == 0 && hdr->body_size == 8;
	case EL_RECOVERY_RESPONSE:
		return hdr->acks == 0 && hdr->body_size == 9;
	default: /* EL_PREPARE, EL_NEW_STATE: bodies of any size */
		return hdr->acks == 0;
	}
}

/*
 * Checks what MessageCodec.decode checks in the header: magic, version, cluster, body_size against
 * the UDP length, the type code, the sender index and the canonical encoding; adds the source
 * check of SourceCheck (the sender's member address and the cluster port). So a program drops (as
 * invalid or foreign) only what user space would drop. IPv4 headers
 * with options or a bad checksum are left to the kernel stack (EL_PARSE_OTHER), which drops the
 * latter; the UDP checksum cannot be checked here (a local sender leaves only the pseudo-header
 * sum in it), so the fast path trusts the link layer's frame check, as the NIC does.
 */
static __always_inline enum el_parse el_parse_xdp(struct xdp_md *ctx, struct el_xdp_packet *p)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct udphdr *udp;
	struct el_header *hdr;
	__u64 tot_len, udp_len;
	__u32 msg_size;
	__s64 sum;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return EL_PARSE_OTHER;
	ip = (void *)(eth + 1);
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > end || ip->version != 4 || ip->ihl != 5 || ip->protocol != IPPROTO_UDP)
		return EL_PARSE_OTHER;
	if ((ip->frag_off & bpf_htons(EL_IP_MF | EL_IP_OFFSET)) || udp->dest != bpf_htons(el_config.port))
		return EL_PARSE_OTHER;
	sum = bpf_csum_diff(0, 0, (__be32 *)ip, sizeof(*ip), 0);
	if (sum < 0 || el_csum_fold(sum) != 0xffff)
		return EL_PARSE_OTHER;

	tot_len = el_length(ip->tot_len);
	udp_len = el_length(udp->len);
	if (tot_len < sizeof(*ip) + EL_UDP_HEADER_SIZE || tot_len > EL_IP_LENGTH_MAX ||
	    (void *)ip + tot_len > end || udp_len != tot_len - sizeof(*ip))
		return EL_PARSE_INVALID;
	msg_size = udp_len - EL_UDP_HEADER_SIZE;
	if (msg_size < EL_HEADER_SIZE || msg_size > EL_MESSAGE_SIZE_MAX)
		return EL_PARSE_INVALID;
	hdr = (void *)(udp + 1);
	if ((void *)(hdr + 1) > end)
		return EL_PARSE_INVALID;
	if (hdr->magic != EL_MAGIC || hdr->version != EL_VERSION)
		return EL_PARSE_INVALID;
	if (hdr->cluster_id != el_config.cluster_id)
		return EL_PARSE_FOREIGN;
	if (hdr->body_size != msg_size - EL_HEADER_SIZE || hdr->type == 0 || hdr->type > EL_TYPE_MAX ||
	    !el_header_is_canonical(hdr))
		return EL_PARSE_INVALID;
	if (hdr->type == EL_REQUEST) {
		if (hdr->sender != EL_SENDER_CLIENT)
			return EL_PARSE_INVALID;
	} else {
		if (hdr->sender >= EL_REPLICAS_MAX)
			return EL_PARSE_INVALID;
		/* SourceCheck: members send from their address and the cluster port; the address
		 * alone is also any other process on that host, and what fast_reply records reaches
		 * the core without passing user space's check. */
		if (udp->source != bpf_htons(el_config.port) || !el_is_member_address(hdr->sender, ip->saddr))
			return EL_PARSE_FOREIGN;
	}
	p->eth = eth;
	p->ip = ip;
	p->udp = udp;
	p->hdr = hdr;
	p->msg_size = msg_size;
	return EL_PARSE_OK;
}

#endif /* ELECTROLAB_BPF_H */
