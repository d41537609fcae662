/**
 * The KV store with an in-kernel write-back cache: {@code kv.bpf.c} (the XDP fast path, and the TC
 * egress program that installs what the slow path fetched), loaded and checked by {@link
 * io.dint.kv.KvObject}; the slow path {@link io.dint.kv.KvSlowPath} over the full store {@link
 * io.dint.kv.KvStore}; the two served together by {@link io.dint.kv.KvXdpServer}. {@link
 * io.dint.kv.KvService} serves the store whole in Java (the {@code udp} backend); {@link
 * io.dint.kv.MemcachedServer} and {@link io.dint.kv.MemcachedClient} are the memcached baseline;
 * {@link io.dint.kv.KvPolicy} picks the cache policy of the ablation. The workload is the paper's:
 * TATP's CALL_FORWARDING keys ({@link io.dint.kv.KvDataSet}) in a trace of GETs and SETs ({@link
 * io.dint.kv.KvTrace}), run by {@link io.dint.kv.KvClient}.
 *
 * <p>Start with: {@link io.dint.kv.KvStore}, {@link io.dint.kv.KvSlowPath}, {@link
 * io.dint.kv.KvObject}.
 *
 * <p>May use: {@code io.dint.wire}, {@code io.dint.bpf}, {@code io.dint.server}, {@code
 * io.dint.client}; and from {@code io.dint.workload} the key layout of {@link io.dint.workload.Tatp}
 * and {@link io.dint.workload.NuRand}, generators that use nothing of the project.
 */
package io.dint.kv;
