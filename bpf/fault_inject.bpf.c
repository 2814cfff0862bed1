// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fault_inject: link faults for the netns lab (docs/lab.md, "Link faults"). The kernel here has no
 * netem, so the lab impairs links with this program at TC egress of a bridge port in the lab's
 * switch namespace: it sees every frame the bridge delivers to one host, and may
 *   - drop it because its IPv4 source is in fault_blocked (a partition),
 *   - drop it with probability loss_ppm / 10^6 (loss),
 *   - send it twice with probability duplicate_ppm / 10^6 (duplication),
 *   - put it in the HTB class slow_classid with probability slow_ppm / 10^6: a rate-limited class
 *     whose queue delays it behind earlier slow frames while the rest overtake it (delay, reordering).
 * Only IPv4 UDP is impaired (the lab's protocol, every fragment included); ARP, ICMP and the rest
 * always pass, so a partition keeps neighbour entries fresh and heals without a new ARP exchange.
 *
 * User space (org.electrolab.lab.netns.LinkFaults) loads one copy per port and attaches it as a
 * cls_bpf filter on the port's clsact qdisc through libbpf, so each port has its own maps, and
 * writes them by map id. The maps and the struct they hold are in fault_inject.h.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "fault_inject.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * A duplicate redirected to this port's egress passes this program again; it carries this mark and
 * passes untouched. Nothing else in the switch namespace marks packets: a veth clears skb->mark when
 * a frame crosses into another namespace.
 */
#define FAULT_CLONE_MARK 0xe1fa017u

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fault_config);
} fault_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FAULT_BLOCKED_MAX);
	__type(key, __u32);
	__type(value, __u8);
} fault_blocked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FAULT_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} fault_counters SEC(".maps");

static __always_inline void count(__u32 counter)
{
	__u64 *value = bpf_map_lookup_elem(&fault_counters, &counter);

	if (value)
		__sync_fetch_and_add(value, 1);
}

/* True with probability ppm / 10^6. */
static __always_inline int chance(__u32 ppm)
{
	return ppm != 0 && ((__u64)bpf_get_prandom_u32() * FAULT_PPM >> 32) < ppm;
}

SEC("tc")
int fault_inject(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct fault_config *config;
	__u32 zero = 0, mark;
	__be32 saddr;

	if (skb->mark == FAULT_CLONE_MARK)
		return TC_ACT_OK;
	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->protocol != IPPROTO_UDP)
		return TC_ACT_OK;
	config = bpf_map_lookup_elem(&fault_config, &zero);
	if (!config)
		return TC_ACT_OK;
	count(FAULT_SEEN);

	saddr = ip->saddr;
	if (bpf_map_lookup_elem(&fault_blocked, &saddr)) {
		count(FAULT_DROPPED_PARTITION);
		return TC_ACT_SHOT;
	}
	if (chance(config->loss_ppm)) {
		count(FAULT_DROPPED_LOSS);
		return TC_ACT_SHOT;
	}
	/* Before the duplicate is made, so that it shares its original's class. */
	if (config->slow_classid != 0 && chance(config->slow_ppm)) {
		skb->priority = config->slow_classid;
		count(FAULT_SLOWED);
	}
	if (chance(config->duplicate_ppm)) {
		mark = skb->mark;
		skb->mark = FAULT_CLONE_MARK;
		if (bpf_clone_redirect(skb, skb->ifindex, 0) == 0)
			count(FAULT_DUPLICATED);
		skb->mark = mark;
	}
	return TC_ACT_OK;
}
