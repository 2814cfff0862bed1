/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What fault_inject.bpf.c shares with user space (org.electrolab.lab.netns.LinkFaults, through the
 * Java mirrors org.electrolab.replica.offload.FaultConfig and FaultCounter; OffloadLayoutTest fails
 * when the two disagree). Map names (at most 15 chars):
 *   fault_config    1 x struct fault_config
 *   fault_blocked   IPv4 source (network order) -> 1, the sources this port does not deliver
 *   fault_counters  FAULT_COUNTERS x __u64, indexed by enum fault_counter
 */
#ifndef ELECTROLAB_FAULT_INJECT_H
#define ELECTROLAB_FAULT_INJECT_H

#include <linux/types.h>

#define FAULT_PPM 1000000u
#define FAULT_BLOCKED_MAX 64

struct fault_config {
	__u32 loss_ppm;
	__u32 duplicate_ppm;
	__u32 slow_ppm;
	__u32 slow_classid; /* HTB class (major << 16 | minor) for slow frames; 0: no slow class */
};

_Static_assert(sizeof(struct fault_config) == 16, "fault_config size");

enum fault_counter {
	FAULT_SEEN,              /* IPv4 UDP frames examined (duplicates not included) */
	FAULT_DROPPED_LOSS,
	FAULT_DROPPED_PARTITION,
	FAULT_DUPLICATED,        /* duplicates sent */
	FAULT_SLOWED,            /* frames (and their duplicates, once) put in the slow class */
	FAULT_COUNTERS,
};

#endif
