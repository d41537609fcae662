package io.dint.bpf;

import java.io.IOException;

/** A veth pair for attach tests, named dintt*, deleted on close. */
final class Veth implements AutoCloseable {

    static final String PREFIX = "dintt";

    final String a;
    final String b;

    private Veth(String a, String b) {
        this.a = a;
        this.b = b;
    }

    static Veth create(String a, String b) throws IOException, InterruptedException {
        Shell.run("ip", "link", "add", a, "type", "veth", "peer", "name", b);
        Veth veth = new Veth(a, b);
        try {
            Shell.run("ip", "link", "set", a, "up");
            Shell.run("ip", "link", "set", b, "up");
        } catch (IOException | InterruptedException e) {
            veth.close();
            throw e;
        }
        return veth;
    }

    /** Deletes every dintt* interface a crashed run may have left. */
    static void removeLeftovers() throws IOException, InterruptedException {
        for (String line : Shell.run("ip", "-o", "link", "show").split("\n")) {
            String[] f = line.split(":\\s+", 3);
            if (f.length < 2) {
                continue;
            }
            String name = f[1].split("@")[0];
            if (name.startsWith(PREFIX)) {
                try {
                    Shell.run("ip", "link", "del", name);
                } catch (IOException alreadyGoneWithItsPeer) {
                    // deleting one end of a veth deletes the other
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            Shell.run("ip", "link", "del", a);
        } catch (IOException e) {
            if (!e.getMessage().contains("Cannot find device")) {
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted deleting " + a, e);
        }
    }
}
