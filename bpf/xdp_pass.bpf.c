// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xdp_pass: passes every frame. A veth delivers the frames its peer sends with XDP_TX (fast_reply's
 * PrepareOKs) only when it runs an XDP program itself, so the netns lab puts this one on the
 * bridge side of every replica's veth.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}
