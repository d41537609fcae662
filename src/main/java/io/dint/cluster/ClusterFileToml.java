package io.dint.cluster;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.dint.net.Ipv4;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link ClusterFile} as TOML, both ways: read (jackson-dataformat-toml), with an error for every
 * unknown key, missing key and wrong type that names the file and the table; and written in the same
 * layout, which reads back the same. What the values mean is checked by {@link ClusterFile} itself.
 */
final class ClusterFileToml {
    private static final Set<String> TOP_KEYS = Set.of("service", "host");
    private static final Set<String> SERVICE_KEYS = Set.of("name", "backend", "options");
    private static final Set<String> HOST_KEYS = Set.of("name", "role", "address", "iface", "mac", "cpus", "control", "netns");
    private static final String DEFAULT_IFACE = "eth0";

    private ClusterFileToml() {}

    /** Reads and checks a cluster file; every error names the file and what is wrong where. */
    static ClusterFile read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read cluster file " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /** Parses a cluster file's text; {@code origin} names it in messages. */
    static ClusterFile parse(String toml, String origin) {
        JsonNode root;
        try {
            root = new TomlMapper().readTree(toml);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("cluster file " + origin + " is not valid TOML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), e);
        }
        Reader r = new Reader(origin);
        r.only(root, "the top level", TOP_KEYS);
        JsonNode svc = root.get("service");
        if (svc == null || !svc.isObject()) {
            throw r.error("no [service] table: it names the service and backend every server runs");
        }
        r.only(svc, "[service]", SERVICE_KEYS);
        ClusterFile.Service service = new ClusterFile.Service(r.text(svc, "[service]", "name", true),
                r.text(svc, "[service]", "backend", true), options(r, svc.get("options")));
        JsonNode list = root.get("host");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw r.error("no [[host]] entries: list every server and client host");
        }
        List<ClusterFile.Entry> hosts = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            hosts.add(host(r, list.get(i), "[[host]] #" + (i + 1)));
        }
        return new ClusterFile(origin, service, hosts);
    }

    private static Map<String, Object> options(Reader r, JsonNode opts) {
        Map<String, Object> options = new LinkedHashMap<>();
        if (opts == null) {
            return options;
        }
        if (!opts.isObject()) {
            throw r.error("[service] options must be a table ([service.options])");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = opts.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> o = it.next();
            JsonNode v = o.getValue();
            Object value = v.isBoolean() ? (Object) v.booleanValue() : v.isIntegralNumber() ? (Object) v.longValue()
                    : v.isNumber() ? (Object) v.doubleValue() : v.isTextual() ? v.textValue() : null;
            if (value == null) {
                throw r.error("[service.options] " + o.getKey() + " must be a string, number or boolean, got " + v);
            }
            options.put(o.getKey(), value);
        }
        return options;
    }

    private static ClusterFile.Entry host(Reader r, JsonNode h, String where) {
        if (!h.isObject()) {
            throw r.error(where + " must be a table");
        }
        String name = r.text(h, where, "name", true);
        where += " (" + name + ")";
        r.only(h, where, HOST_KEYS);
        String role = r.text(h, where, "role", true);
        ClusterFile.Role parsed = switch (role) {
            case "server" -> ClusterFile.Role.SERVER;
            case "client" -> ClusterFile.Role.CLIENT;
            default -> throw r.error(where + ": role must be server or client, got '" + role + "'");
        };
        String address = r.text(h, where, "address", true);
        int ipv4;
        try {
            ipv4 = Ipv4.parse(address);
        } catch (IllegalArgumentException e) {
            throw r.error(where + ": address " + e.getMessage());
        }
        String iface = r.text(h, where, "iface", false);
        String control = r.text(h, where, "control", false);
        if (control != null && parsed == ClusterFile.Role.CLIENT) {
            throw r.error(where + ": control is the endpoint of a server; a client host has none");
        }
        return new ClusterFile.Entry(name, parsed, ipv4, iface == null ? DEFAULT_IFACE : iface, r.text(h, where, "mac", false),
                r.text(h, where, "cpus", false),
                parsed == ClusterFile.Role.SERVER ? r.endpoint(where, control, ipv4) : null, r.text(h, where, "netns", false));
    }

    /** The file's text: TOML in the layout {@link ClusterFile} documents, which {@link #parse} reads back. */
    static String render(ClusterFile file) {
        ClusterFile.Service service = file.service();
        StringBuilder b = new StringBuilder("# DINT cluster file (dint serve --cluster FILE --host NAME; dint bench|example --cluster FILE)\n");
        b.append("[service]\n");
        key(b, "name", service.name());
        key(b, "backend", service.backend());
        if (!service.options().isEmpty()) {
            b.append("\n[service.options]\n");
            service.options().forEach((k, v) -> b.append(k).append(" = ").append(v instanceof String s ? quote(s) : v).append('\n'));
        }
        for (ClusterFile.Entry e : file.hosts()) {
            b.append("\n[[host]]\n");
            key(b, "name", e.name());
            key(b, "role", e.role().id());
            key(b, "address", e.address());
            key(b, "iface", e.iface());
            key(b, "mac", e.mac());
            key(b, "cpus", e.cpus());
            key(b, "control", e.control() == null ? null : e.control().getHostString() + ":" + e.control().getPort());
            key(b, "netns", e.netns());
        }
        return b.toString();
    }

    /** {@code key = "value"}, or nothing when the value is null (the key is optional). */
    private static void key(StringBuilder b, String key, String value) {
        if (value != null) {
            b.append(key).append(" = ").append(quote(value)).append('\n');
        }
    }

    /** Writes {@link #render} of {@code file} to {@code path} (replaced atomically). */
    static void write(ClusterFile file, Path path) {
        try {
            Path dir = path.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".cluster", ".toml");
            Files.writeString(tmp, render(file), StandardCharsets.UTF_8);
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write cluster file " + path, e);
        }
    }

    /** A TOML basic string. */
    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7F) {
                        b.append(String.format("\\u%04X", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** Reads typed values out of the parsed tree, every error naming the file. */
    private record Reader(String origin) {
        IllegalArgumentException error(String what) {
            return ClusterFile.error(origin, what);
        }

        void only(JsonNode node, String where, Set<String> known) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!known.contains(k)) {
                    throw error(where + ": unknown key '" + k + "' (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
                }
            }
        }

        String text(JsonNode node, String where, String key, boolean required) {
            JsonNode v = node.get(key);
            if (v == null) {
                if (required) {
                    throw error(where + " has no " + key);
                }
                return null;
            }
            if (!v.isTextual() || v.textValue().isBlank()) {
                throw error(where + ": " + key + " must be a non-empty string, got " + v);
            }
            return v.textValue().trim();
        }

        InetSocketAddress endpoint(String where, String control, int hostIpv4) {
            if (control == null) {
                return new InetSocketAddress(Ipv4.format(hostIpv4), ClusterFile.CONTROL_PORT);
            }
            try {
                return ClusterFile.parseEndpoint(control);
            } catch (IllegalArgumentException e) {
                throw error(where + ": control " + e.getMessage());
            }
        }
    }
}
