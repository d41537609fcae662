/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The DINT wire format and every layout shared by the in-kernel programs and the Java side: the
 * single source of truth, split by role as the one include every program uses pulls in:
 *   dint_msgs.h      wire messages: port, opcodes, statuses, header, request/reply structs and
 *                    the slow-path trailer
 *   dint_tables.h    entries of the kernel's tables: lock entry, dedup window, log ring record and
 *                    cursor, KV cache bucket/slot, shard state
 *   dint_settings.h  what the loader writes before load: dint_config, the KV and shard settings,
 *                    the allowlist key
 *   dint_counters.h  indices of the per-CPU counters
 * io.dint.wire mirrors them and WireLayoutTest checks the mirror against the BTF of the compiled
 * objects.
 */
#ifndef DINT_WIRE_H
#define DINT_WIRE_H

#include "dint_msgs.h"
#include "dint_tables.h"
#include "dint_settings.h"
#include "dint_counters.h"

#endif /* DINT_WIRE_H */
