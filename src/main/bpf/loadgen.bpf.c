// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * In-kernel closed-loop load generator, attached to the client host's interface.
 *
 * Each reply of a service is matched to its slot by seq, advances the slot's transaction exactly as
 * the Java clients do (io.dint.lock.LockClient, io.dint.occ.OccClient, one request per log or KV
 * "transaction"), and is rewritten in place into the slot's next request, which goes straight back
 * out (XDP_TX). Frames sent this way reach the server's veth as xdp_frames, the cheapest way in,
 * and a reply costs the client a few hundred nanoseconds: the server, not the generator, is the
 * wall. Java starts and restarts slots with kicks (see struct lg_control) and reads the counters
 * and histograms.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "dint_wire.h"
#include "loadgen.h"

/* Anchors the boundary types in the object's BTF, where the layout test reads them. */
struct lg_txn lg_btf_txn __attribute__((unused));
struct lg_slot lg_btf_slot __attribute__((unused));
struct lg_control lg_btf_control __attribute__((unused));
enum lg_stat lg_btf_stat __attribute__((unused));
enum lg_service lg_btf_service __attribute__((unused));

const volatile struct lg_config lg_cfg = {};

/* The trace, filled by Java; resized by the loader to lg_cfg.trace_len. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lg_txn);
} trace SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, LG_MAX_SLOTS);
	__type(key, __u32);
	__type(value, struct lg_slot);
} slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lg_control);
} control SEC(".maps");

struct lg_counters {
	__u64 c[LG_STAT_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lg_counters);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2 * LG_HIST_BUCKETS);
	__type(key, __u32);
	__type(value, __u64);
} latency SEC(".maps");

/* Phases of a slot's transaction. */
enum {
	LG_PH_ACQUIRE = 0,   /* 2PL: acquiring key step */
	LG_PH_RELEASE = 1,   /* 2PL: releasing key step after commit */
	LG_PH_UNDO = 2,      /* 2PL: releasing key step after a REJECT */
	LG_PH_READ = 3,      /* OCC phases, in the order a transaction walks them */
	LG_PH_LOCK = 4,
	LG_PH_VALIDATE = 5,
	LG_PH_COMMIT = 6,
	LG_PH_ABORT = 7,
	LG_PH_SINGLE = 8,    /* log and KV: the one request */
};

static __always_inline __u32 lg_log2(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1) { r += 1; }
	return r;
}

static __always_inline void lg_record(__u32 base, __u64 ns)
{
	__u32 idx, e;
	__u64 *c;

	if (ns < 32) {
		idx = ns;
	} else {
		e = lg_log2(ns);
		if (e > LG_HIST_MAX_EXP)
			e = LG_HIST_MAX_EXP;
		idx = 32 + (e - 5) * 16 + ((ns >> (e - 4)) & 15);
	}
	idx += base;
	c = bpf_map_lookup_elem(&latency, &idx);
	if (c)
		*c += 1;
}

static __always_inline int lg_exclusive(const struct lg_txn *t, __u32 i)
{
	return (t->exclusive >> (i & 31)) & 1;
}

/* The slot's request in the payload (the frame already holds the right addresses). */
static __always_inline void lg_encode(void *payload, struct lg_slot *s, const struct lg_txn *t)
{
	struct dint_hdr *h = payload;
	__u32 i = s->step;
	__u64 key;

	if (i >= LG_MAX_KEYS)
		i = 0;
	key = t->key[i];
	h->status = DINT_ST_REQUEST;
	h->client_id = lg_cfg.client_id;
	h->seq = s->seq;
	if (lg_cfg.service == LG_LOCK2PL) {
		struct dint_lock_msg *m = payload;
		int excl = lg_exclusive(t, i);

		if (s->phase == LG_PH_ACQUIRE)
			h->op = excl ? DINT_OP_LOCK_ACQUIRE_EXCLUSIVE : DINT_OP_LOCK_ACQUIRE_SHARED;
		else
			h->op = excl ? DINT_OP_LOCK_RELEASE_EXCLUSIVE : DINT_OP_LOCK_RELEASE_SHARED;
		m->lock_id = key;
		m->txn_id = s->txn_id;
	} else if (lg_cfg.service == LG_OCC) {
		struct dint_occ_msg *m = payload;

		switch (s->phase) {
		case LG_PH_LOCK: h->op = DINT_OP_OCC_ACQUIRE; break;
		case LG_PH_COMMIT: h->op = DINT_OP_OCC_COMMIT; break;
		case LG_PH_ABORT: h->op = DINT_OP_OCC_ABORT; break;
		default: h->op = DINT_OP_OCC_READ; break;
		}
		m->key = key;
		m->txn_id = s->txn_id;
		m->version = 0;
		m->locked = 0;
		m->mine = 0;
	} else if (lg_cfg.service == LG_LOG) {
		struct dint_log_msg *m = payload;

		h->op = DINT_OP_LOG_APPEND;
		m->key = key;
		m->version = s->seq;
	} else {
		struct dint_kv_msg *m = payload;
		int set = lg_exclusive(t, 0);

		h->op = set ? DINT_OP_KV_SET : DINT_OP_KV_GET;
		m->obj.key = key;
		m->obj.version = 0;
		if (set) /* the data set's values hold their key in the first word (KvDataSet) */
			__builtin_memcpy(m->obj.value, &key, sizeof(key));
	}
}

/* A new seq for the slot's next request: the generation above the slot bits goes up by one. */
static __always_inline void lg_next_seq(struct lg_slot *s, __u32 slot)
{
	__u32 gen = (__u32)s->seq >> LG_SLOT_BITS;

	s->seq = ((__u64)lg_cfg.incarnation << 32) | ((__u32)(gen + 1) << LG_SLOT_BITS) | slot;
}

/* A fresh attempt of the slot's transaction: a new txn_id, from its first key. */
static __always_inline void lg_begin_attempt(struct lg_slot *s, __u32 slot)
{
	s->attempts++;
	s->txn_id = ((__u64)lg_cfg.client_id << 48) | ((__u64)slot << 32) | s->attempts;
	s->step = 0;
	s->held = 0;
	s->requests = 0;
	if (lg_cfg.service == LG_LOCK2PL)
		s->phase = LG_PH_ACQUIRE;
	else if (lg_cfg.service == LG_OCC)
		s->phase = LG_PH_READ;
	else
		s->phase = LG_PH_SINGLE;
}

/*
 * OCC: moves to the first key of phase ph's set at or after index from, going on to the next
 * phases while a set is empty. Returns 0 when nothing is left to send: the transaction commits.
 */
static __always_inline int lg_occ_enter(struct lg_slot *s, const struct lg_txn *t, __u32 ph, __u32 from)
{
	__u32 k, i, n = t->n;

#pragma unroll
	for (k = 0; k < 4; k++) {
		int writes = ph == LG_PH_LOCK || ph == LG_PH_COMMIT;

		for (i = 0; i < LG_MAX_KEYS; i++) {
			if (i < from)
				continue;
			if (i >= n)
				break;
			if (lg_exclusive(t, i) == writes) {
				s->phase = ph;
				s->step = i;
				return 1;
			}
		}
		if (ph == LG_PH_COMMIT)
			return 0;
		ph++;
		from = 0;
	}
	return 0;
}

/* OCC: ABORTs the highest held write-set key at or below index from; 0 when none is left. */
static __always_inline int lg_occ_release_from(struct lg_slot *s, const struct lg_txn *t, int from)
{
	int i;

	for (i = LG_MAX_KEYS - 1; i >= 0; i--) {
		if (i > from)
			continue;
		if (lg_exclusive(t, i)) {
			s->phase = LG_PH_ABORT;
			s->step = i;
			return 1;
		}
	}
	return 0;
}

/* Outcome of a reply for the slot: what to do next. */
enum { LG_SEND, LG_RESTART, LG_COMMIT };

static __always_inline int lg_lock2pl(struct lg_slot *s, const struct lg_txn *t, __u8 status, struct lg_counters *c)
{
	if (status == DINT_ST_RETRY) {
		c->c[LG_STAT_RETRIES]++;
		return LG_SEND;
	}
	if (s->phase == LG_PH_ACQUIRE) {
		if (status == DINT_ST_GRANT) {
			if (++s->step == t->n) {
				s->phase = LG_PH_RELEASE;
				s->step = t->n - 1;
			}
			return LG_SEND;
		}
		if (status == DINT_ST_REJECT) {
			c->c[LG_STAT_ABORTED]++;
			if (s->step == 0)
				return LG_RESTART;
			s->phase = LG_PH_UNDO;
			s->step--;
			return LG_SEND;
		}
		c->c[LG_STAT_PROTOCOL]++;
		return LG_SEND;
	}
	if (status != DINT_ST_OK)
		c->c[LG_STAT_PROTOCOL]++;
	if (s->step > 0) {
		s->step--;
		return LG_SEND;
	}
	return s->phase == LG_PH_UNDO ? LG_RESTART : LG_COMMIT;
}

static __always_inline int lg_occ_abort(struct lg_slot *s, const struct lg_txn *t, struct lg_counters *c)
{
	c->c[LG_STAT_ABORTED]++;
	return lg_occ_release_from(s, t, (int)s->held - 1) ? LG_SEND : LG_RESTART;
}

static __always_inline int lg_occ(struct lg_slot *s, const struct lg_txn *t, const struct dint_occ_msg *m,
				  struct lg_counters *c)
{
	__u8 status = m->hdr.status;
	__u32 i = s->step;
	int locked_by_other = m->locked && !m->mine;

	if (status == DINT_ST_RETRY) {
		c->c[LG_STAT_RETRIES]++;
		return LG_SEND;
	}
	if (i >= LG_MAX_KEYS)
		return LG_RESTART; /* unreachable: steps stay below n */
	switch (s->phase) {
	case LG_PH_READ:
		if (status != DINT_ST_OK)
			break;
		if (locked_by_other)
			return lg_occ_abort(s, t, c);
		s->version[i] = m->version;
		return lg_occ_enter(s, t, LG_PH_READ, i + 1) ? LG_SEND : LG_COMMIT;
	case LG_PH_LOCK:
		if (status == DINT_ST_REJECT)
			return lg_occ_abort(s, t, c);
		if (status != DINT_ST_GRANT)
			break;
		s->held = i + 1;
		return lg_occ_enter(s, t, LG_PH_LOCK, i + 1) ? LG_SEND : LG_COMMIT;
	case LG_PH_VALIDATE:
		if (status != DINT_ST_OK)
			break;
		if (locked_by_other || m->version != s->version[i])
			return lg_occ_abort(s, t, c);
		return lg_occ_enter(s, t, LG_PH_VALIDATE, i + 1) ? LG_SEND : LG_COMMIT;
	case LG_PH_COMMIT:
		/* NOT_HELD: an earlier key of this write set shares the entry and committed it */
		if (status != DINT_ST_OK && status != DINT_ST_NOT_HELD)
			break;
		return lg_occ_enter(s, t, LG_PH_COMMIT, i + 1) ? LG_SEND : LG_COMMIT;
	default:
		if (status != DINT_ST_OK && status != DINT_ST_NOT_HELD)
			break;
		return lg_occ_release_from(s, t, (int)i - 1) ? LG_SEND : LG_RESTART;
	}
	c->c[LG_STAT_PROTOCOL]++;
	return LG_SEND;
}

/*
 * Stopping: a transaction that would go on taking locks or reading gives back what it holds
 * instead, so that a stopped generator leaves every lock free. Returns LG_SEND while there is
 * something to release, else LG_RESTART (the slot parks).
 */
static __always_inline int lg_drain(struct lg_slot *s, const struct lg_txn *t)
{
	if (lg_cfg.service == LG_LOCK2PL) {
		if (s->phase != LG_PH_ACQUIRE)
			return LG_SEND;
		if (s->step == 0)
			return LG_RESTART;
		s->phase = LG_PH_UNDO;
		s->step--;
		return LG_SEND;
	}
	if (lg_cfg.service == LG_OCC) {
		if (s->phase == LG_PH_COMMIT || s->phase == LG_PH_ABORT)
			return LG_SEND;
		return lg_occ_release_from(s, t, (int)s->held - 1) ? LG_SEND : LG_RESTART;
	}
	return LG_RESTART;
}

/*
 * A log append is answered OK; a KV GET or SET OK or NOT_EXIST (the key is not in the store), a
 * GET's value holding its key in the first word, as the data set's values do (KvClient's rule).
 */
static __always_inline int lg_single(const struct dint_kv_msg *m, struct lg_counters *c)
{
	__u8 status = m->hdr.status;
	__u64 word;

	if (status == DINT_ST_RETRY) {
		c->c[LG_STAT_RETRIES]++;
		return LG_SEND;
	}
	if (lg_cfg.service == LG_LOG) {
		if (status != DINT_ST_OK)
			c->c[LG_STAT_PROTOCOL]++;
		return LG_COMMIT;
	}
	__builtin_memcpy(&word, m->obj.value, sizeof(word));
	if (!(status == DINT_ST_KV_OK || status == DINT_ST_KV_NOT_EXIST) ||
	    (status == DINT_ST_KV_OK && m->hdr.op == DINT_OP_KV_GET && word != m->obj.key))
		c->c[LG_STAT_PROTOCOL]++;
	return LG_COMMIT;
}

static __always_inline __u32 lg_msg_size(void)
{
	switch (lg_cfg.service) {
	case LG_LOCK2PL: return sizeof(struct dint_lock_msg);
	case LG_OCC: return sizeof(struct dint_occ_msg);
	case LG_LOG: return sizeof(struct dint_log_msg);
	default: return sizeof(struct dint_kv_msg);
	}
}

/* Starts the slot's next transaction (the trace entry slots further on) and its first attempt. */
static __always_inline const struct lg_txn *lg_next_txn(struct lg_slot *s, __u32 slot, __u64 now)
{
	__u32 next = s->txn + lg_cfg.slots;

	if (lg_cfg.trace_len && next >= lg_cfg.trace_len)
		next %= lg_cfg.trace_len;
	s->txn = next;
	s->txn_start_ns = now;
	lg_begin_attempt(s, slot);
	return bpf_map_lookup_elem(&trace, &s->txn);
}

SEC("xdp")
int loadgen_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	struct dint_hdr *h = (void *)(udp + 1);
	unsigned char mac[ETH_ALEN];
	const struct lg_txn *t;
	struct lg_counters *c;
	struct lg_control *ctl;
	struct lg_slot *s;
	__u32 zero = 0, slot, size = lg_msg_size();
	__u64 now;
	__be32 addr;
	int next;

	c = bpf_map_lookup_elem(&counters, &zero);
	ctl = bpf_map_lookup_elem(&control, &zero);
	if (!c || !ctl)
		return XDP_PASS;
	if ((void *)(h + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 ||
	    ip->protocol != IPPROTO_UDP || udp->dest != lg_cfg.client_port || udp->source != bpf_htons(DINT_PORT) ||
	    (void *)udp + bpf_ntohs(udp->len) != data_end || bpf_ntohs(udp->len) != sizeof(*udp) + size) {
		c->c[LG_STAT_NOT_OURS]++;
		return XDP_PASS;
	}
	if (size > DINT_MAX_PAYLOAD || (void *)h + size > data_end)
		return XDP_PASS; /* unreachable: the UDP length was checked */
	if (ctl->stop > 1) {
		c->c[LG_STAT_STOPPED]++;
		return XDP_DROP;
	}
	now = bpf_ktime_get_ns();

	if (h->op == DINT_OP_NONE && h->status == LG_KICK) {
		__u32 k = __sync_fetch_and_add(&ctl->kick_next, 1);

		if (k >= LG_MAX_SLOTS)
			return XDP_DROP;
		slot = ctl->kick[k];
		s = bpf_map_lookup_elem(&slots, &slot);
		if (!s || slot >= lg_cfg.slots)
			return XDP_DROP;
		if (s->seq == 0) {
			/* the slot's first transaction: trace entry slot, reached as "slot - slots + slots" */
			s->txn = slot - lg_cfg.slots;
			t = lg_next_txn(s, slot, now);
			lg_next_seq(s, slot);
			c->c[LG_STAT_KICKS]++;
		} else {
			if (s->phase == LG_PH_PARKED || now - s->sent_ns < lg_cfg.resend_ns)
				return XDP_DROP; /* answered since Java looked: nothing to resend */
			t = bpf_map_lookup_elem(&trace, &s->txn);
			c->c[LG_STAT_RESENT]++;
		}
		if (!t)
			return XDP_DROP;
		goto send; /* a kick frame is addressed like a reply: turned around like one */
	}

	slot = (__u32)h->seq & ((1u << LG_SLOT_BITS) - 1);
	s = bpf_map_lookup_elem(&slots, &slot);
	if (!s || h->seq != s->seq || h->status == DINT_ST_REQUEST) {
		c->c[LG_STAT_STALE]++;
		return XDP_DROP;
	}
	t = bpf_map_lookup_elem(&trace, &s->txn);
	if (!t)
		return XDP_DROP;
	c->c[LG_STAT_REPLIES]++;
	s->requests++;
	lg_record(0, now - s->sent_ns);

	if (lg_cfg.service == LG_LOCK2PL)
		next = lg_lock2pl(s, t, h->status, c);
	else if (lg_cfg.service == LG_OCC)
		next = lg_occ(s, t, (void *)h, c);
	else
		next = lg_single((void *)h, c);

	if (next == LG_SEND && ctl->stop)
		next = lg_drain(s, t);
	if (next == LG_COMMIT) {
		c->c[LG_STAT_COMMITTED]++;
		c->c[LG_STAT_GOOD] += s->requests;
		lg_record(LG_HIST_BUCKETS, now - s->txn_start_ns);
	}
	if (next != LG_SEND && ctl->stop) {
		s->phase = LG_PH_PARKED;
		c->c[LG_STAT_STOPPED]++;
		return XDP_DROP;
	}
	if (next == LG_COMMIT) {
		t = lg_next_txn(s, slot, now);
		if (!t)
			return XDP_DROP;
	} else if (next == LG_RESTART) {
		lg_begin_attempt(s, slot);
	}
	lg_next_seq(s, slot);
send:
	lg_encode(h, s, t);
	s->sent_ns = now;

	/* The reply becomes the request: back to the address it came from. */
	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
	addr = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = addr;
	udp->source = udp->dest;
	udp->dest = bpf_htons(DINT_PORT);
	udp->check = 0;
	c->c[LG_STAT_SENT]++;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
