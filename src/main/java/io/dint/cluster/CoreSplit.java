package io.dint.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Which CPUs play the server hosts and which the client hosts of a local cluster. With a split,
 * every host interface and bridge port receives in a NAPI kernel thread (threaded NAPI): the server
 * interfaces' threads and the server processes run on the server CPUs, the client interfaces', the
 * bridge ports' (the wire) and the load generator on the client CPUs. Without one, an XDP server's
 * work runs in the softirq of whichever CPU sent the request — the client's.
 */
public record CoreSplit(List<Integer> serverCpus, List<Integer> clientCpus) {
    public CoreSplit {
        serverCpus = List.copyOf(serverCpus);
        clientCpus = List.copyOf(clientCpus);
        if (serverCpus.isEmpty() || clientCpus.isEmpty()) {
            throw new IllegalArgumentException("a core split needs at least one server CPU and one client CPU, got server "
                    + serverCpus + " and client " + clientCpus);
        }
        for (int c : serverCpus) {
            if (clientCpus.contains(c)) {
                throw new IllegalArgumentException("CPU " + c + " is both a server and a client CPU: the split must be disjoint");
            }
        }
        int online = onlineCpus();
        for (int c : concat(serverCpus, clientCpus)) {
            if (c < 0 || c >= online) {
                throw new IllegalArgumentException("CPU " + c + " is not online (this machine has CPUs 0-" + (online - 1) + ")");
            }
        }
    }

    /**
     * The default for this machine: the upper half of the CPUs serve, the lower half (the larger
     * half when odd) are the clients and the wire; on 2 CPUs, CPU 1 serves and CPU 0 is the client.
     * Null on a single CPU: nothing to split.
     */
    public static CoreSplit defaults() {
        int n = onlineCpus();
        if (n < 2) {
            return null;
        }
        List<Integer> client = new ArrayList<>();
        List<Integer> server = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            (c < n - n / 2 ? client : server).add(c);
        }
        return new CoreSplit(server, client);
    }

    /** Parses {@code --server-cpus} and {@code --client-cpus} lists such as {@code 1} or {@code 2,3}. */
    public static CoreSplit parse(String server, String client) {
        return new CoreSplit(cpus(server, "--server-cpus"), cpus(client, "--client-cpus"));
    }

    /** Parses a CPU list ({@code 1}, {@code 2,3}, {@code 2-7}); errors name {@code option}. */
    static List<Integer> cpus(String list, String option) {
        List<Integer> out = new ArrayList<>();
        for (String p : list.split(",")) {
            try {
                String[] r = p.trim().split("-");
                int lo = Integer.parseInt(r[0]);
                int hi = r.length == 2 ? Integer.parseInt(r[1]) : lo;
                for (int c = lo; c <= hi; c++) {
                    out.add(c);
                }
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                throw new IllegalArgumentException(option + " takes CPU numbers such as 1 or 2,3 or 2-3, got '" + list + "'");
            }
        }
        return out;
    }

    /** {@code 1} or {@code 2,3}: the form taskset takes. */
    public static String list(List<Integer> cpus) {
        return cpus.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    public String serverList() {
        return list(serverCpus);
    }

    public String clientList() {
        return list(clientCpus);
    }

    /** {@link #serverList()} for the servers' side, else {@link #clientList()}. */
    String list(boolean server) {
        return server ? serverList() : clientList();
    }

    /** The split as results record it. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("server_cpus", serverCpus);
        m.put("client_cpus", clientCpus);
        m.put("napi", "threaded: server interfaces on the server CPUs; client interfaces and bridge ports on the client CPUs");
        return m;
    }

    /**
     * Pins every thread of this process to the client CPUs (threads made later inherit it) and
     * returns what undoes it: the affinity the process had.
     */
    public AutoCloseable pinThisProcessToClients() {
        return pinThisProcess(clientList());
    }

    /**
     * Pins every thread of this process to {@code cpus} (a list such as {@code 2-7}; threads made
     * later inherit it) and returns what undoes it.
     */
    public static AutoCloseable pinThisProcess(String cpus) {
        cpus(cpus, "the CPU list");
        String pid = Long.toString(ProcessHandle.current().pid());
        String before = IpCommand.run(List.of("taskset", "-p", "-c", pid), null).trim();
        String was = before.substring(before.lastIndexOf(':') + 1).trim(); // "pid 123's current affinity list: 0,1"
        IpCommand.run(List.of("taskset", "-a", "-p", "-c", cpus, pid), null);
        return () -> IpCommand.run(List.of("taskset", "-a", "-p", "-c", was, pid), null);
    }

    /** CPUs online, from {@code /sys/devices/system/cpu/online} (e.g. {@code 0-1}). */
    public static int onlineCpus() {
        try {
            String s = Files.readString(Path.of("/sys/devices/system/cpu/online")).trim();
            int max = 0;
            for (String p : s.split(",")) {
                String[] r = p.split("-");
                max = Math.max(max, Integer.parseInt(r[r.length - 1]));
            }
            return max + 1;
        } catch (IOException | RuntimeException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    private static List<Integer> concat(List<Integer> a, List<Integer> b) {
        List<Integer> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
