// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A program every verifier refuses, for VerifierRefusalTest: it reads the packet at an offset the
 * program never bounds.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp")
int refused(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;

	return data[ctx->rx_queue_index];
}
