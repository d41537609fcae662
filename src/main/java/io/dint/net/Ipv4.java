package io.dint.net;

/** IPv4 addresses as host-order {@code int}s ({@code 10.0.0.1 == 0x0A000001}), the form the socket API here takes. */
public final class Ipv4 {
    /** {@code 0.0.0.0}: bind to every address. */
    public static final int ANY = 0;
    /** {@code 127.0.0.1}. */
    public static final int LOOPBACK = 0x7F000001;

    private Ipv4() {}

    /** Parses dotted-quad notation ({@code "10.231.0.1"}). */
    public static int parse(String dotted) {
        String[] parts = dotted.trim().split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not a dotted-quad IPv4 address: '" + dotted + "'");
        }
        int addr = 0;
        for (String p : parts) {
            int b;
            try {
                b = p.isEmpty() || p.length() > 3 ? -1 : Integer.parseInt(p);
            } catch (NumberFormatException e) {
                b = -1;
            }
            if (b < 0 || b > 255) {
                throw new IllegalArgumentException("not a dotted-quad IPv4 address: '" + dotted + "'");
            }
            addr = (addr << 8) | b;
        }
        return addr;
    }

    public static String format(int addr) {
        return (addr >>> 24) + "." + ((addr >>> 16) & 0xFF) + "." + ((addr >>> 8) & 0xFF) + "." + (addr & 0xFF);
    }
}
