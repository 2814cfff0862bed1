/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The electrolab wire layout: the one definition that the eBPF programs and the Java codec share.
 *
 * Every datagram is one message: a fixed 48-byte header, then body_size bytes of body.
 * All integers are little-endian (the byte order of every machine we target, so the eBPF
 * programs read fields without swapping). Every field an eBPF program reads sits at a fixed
 * offset, so a program parses with constant bounds checks.
 *
 * Java reads this file (see WireLayoutTest) and fails the build when its offsets differ.
 * Documented in docs/wire-format.md.
 */
#ifndef ELECTROLAB_WIRE_H
#define ELECTROLAB_WIRE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define EL_MAGIC 0x42414c45u /* "ELAB" read as little-endian bytes */
#define EL_VERSION 1

/* Named limits. The relations between them are asserted below and in Java (Limits). */
#define EL_REPLICAS_MAX 15          /* members = 2f+1 with f <= 7 */
#define EL_SENDER_CLIENT 0xff       /* sender index of a client */
#define EL_MESSAGE_SIZE_MAX 8192    /* header + body, one UDP datagram */
#define EL_PIPELINE_MAX 64          /* prepared but uncommitted ops at the leader */
#define EL_BATCH_MAX 32             /* requests in one Prepare */

/* Message types (header.type). */
enum el_type {
	EL_REQUEST = 1,           /* client -> leader */
	EL_REPLY = 2,             /* leader -> client */
	EL_PREPARE = 3,           /* leader -> followers: one op (a batch of requests) */
	EL_PREPARE_OK = 4,        /* follower -> leader: I hold every op up to header.op */
	EL_COMMIT = 5,            /* leader -> followers: ops up to header.commit are committed */
	EL_START_VIEW_CHANGE = 6,
	EL_DO_VIEW_CHANGE = 7,
	EL_START_VIEW = 8,
	EL_GET_STATE = 9,         /* replica behind -> peer: send me ops after header.op */
	EL_NEW_STATE = 10,
	EL_RECOVERY = 11,
	EL_RECOVERY_RESPONSE = 12,
	EL_TYPE_MAX = 12,
};

/* header.flags */
#define EL_FLAG_BROADCAST 0x01      /* leader -> its own TC egress: clone to every follower */
#define EL_FLAG_QUORUM 0x02         /* PrepareOK passed up by quorum-prune: header.acks is a quorum */

struct el_header {
	__u32 magic;        /* EL_MAGIC */
	__u8 version;       /* EL_VERSION */
	__u8 type;          /* enum el_type */
	__u8 sender;        /* member index of the sender, EL_SENDER_CLIENT for a client */
	__u8 flags;         /* EL_FLAG_* */
	__u32 cluster_id;   /* a packet of another cluster is dropped and counted */
	__u32 body_size;    /* bytes after the header; header + body <= EL_MESSAGE_SIZE_MAX */
	__u64 view;
	__u64 op;           /* Prepare/PrepareOK: the op; GetState: last op held; others: see docs */
	__u64 commit;       /* the sender's commit number */
	__u64 acks;         /* PrepareOK: bitmap of members known to hold header.op; 0 = only sender */
};

#define EL_HEADER_SIZE 48

_Static_assert(sizeof(struct el_header) == EL_HEADER_SIZE, "header size");
_Static_assert(__builtin_offsetof(struct el_header, magic) == 0, "magic offset");
_Static_assert(__builtin_offsetof(struct el_header, version) == 4, "version offset");
_Static_assert(__builtin_offsetof(struct el_header, type) == 5, "type offset");
_Static_assert(__builtin_offsetof(struct el_header, sender) == 6, "sender offset");
_Static_assert(__builtin_offsetof(struct el_header, flags) == 7, "flags offset");
_Static_assert(__builtin_offsetof(struct el_header, cluster_id) == 8, "cluster_id offset");
_Static_assert(__builtin_offsetof(struct el_header, body_size) == 12, "body_size offset");
_Static_assert(__builtin_offsetof(struct el_header, view) == 16, "view offset");
_Static_assert(__builtin_offsetof(struct el_header, op) == 24, "op offset");
_Static_assert(__builtin_offsetof(struct el_header, commit) == 32, "commit offset");
_Static_assert(__builtin_offsetof(struct el_header, acks) == 40, "acks offset");
_Static_assert(EL_REPLICAS_MAX < 64, "acks is a 64-bit bitmap of members");
_Static_assert(EL_REPLICAS_MAX < EL_SENDER_CLIENT, "sender index must not collide with client");
_Static_assert(EL_MESSAGE_SIZE_MAX <= 65507, "one UDP datagram over IPv4");

#endif /* ELECTROLAB_WIRE_H */
