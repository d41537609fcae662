package io.dint.txn;

import io.dint.client.UdpTransport;
import io.dint.net.Ipv4;
import io.dint.server.UdpServer;
import io.dint.shard.ShardLog;
import io.dint.shard.ShardStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Three shard servers of the udp backend in this process, on 127.0.0.1-3, for coordinator tests. */
final class LoopbackShards implements AutoCloseable {
    final int[] addrs = {Ipv4.parse("127.0.0.1"), Ipv4.parse("127.0.0.2"), Ipv4.parse("127.0.0.3")};
    final int port;
    private final List<UdpServer> servers = new ArrayList<>();

    LoopbackShards(int port, long records) {
        this.port = port;
        for (int addr : addrs) {
            servers.add(new UdpServer(new ShardStore(records, new ShardLog(records)), addr, port, 1));
        }
    }

    TxnDriver.Target target() {
        return new TxnDriver.Target(addrs, port, 50_000_000L, null, t -> new UdpTransport(addrs[0], 64, 256));
    }

    List<Map<String, Object>> checks() {
        return servers.stream().map(UdpServer::check).toList();
    }

    @Override
    public void close() {
        servers.forEach(UdpServer::close);
    }
}
