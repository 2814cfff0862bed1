package org.electrolab.protocol.config;

import java.io.IOException;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import org.electrolab.protocol.Check;
import org.electrolab.protocol.MessageCodec;
import org.electrolab.protocol.Wire;

/**
 * What a replica and a client read from cluster.yaml (docs/config.md). {@link #load} rejects every bad
 * input with a {@link ConfigException} whose one-line message names the field and the fix.
 *
 * @param clusterId u32 carried in every packet (0 .. 4294967295)
 * @param f failures tolerated; the cluster has 2f+1 members
 * @param app the replicated app: {@code null} or {@code kv}
 * @param port the UDP port every member listens on
 * @param members member addresses; a member's index is its position
 * @param tickMillis length of the core's logical tick, in milliseconds
 */
public record ClusterConfig(long clusterId, int f, String app, int port, List<Inet4Address> members, int tickMillis) {

    public static final List<String> APPS = List.of("null", "kv");
    public static final int F_MAX = (Wire.REPLICAS_MAX - 1) / 2;
    public static final long CLUSTER_ID_MAX = 0xffff_ffffL;
    public static final int TICK_MILLIS_DEFAULT = 10;
    public static final int TICK_MILLIS_MAX = 1000;

    /** Every key cluster.yaml may hold, with the hint shown when a required one is missing. */
    private static final Map<String, String> KEYS = new LinkedHashMap<>();
    private static final Set<String> OPTIONAL_KEYS = Set.of("tick-millis");

    static {
        KEYS.put("cluster-id", "the u32 carried in every packet, e.g. cluster-id: 1");
        KEYS.put("f", "the failures to tolerate, e.g. f: 1 for 3 members");
        KEYS.put("app", "null or kv");
        KEYS.put("port", "the UDP port every member listens on, e.g. port: 7000");
        KEYS.put("members", "a list of 2f+1 IPv4 addresses");
        KEYS.put("tick-millis", "");
    }

    public ClusterConfig {
        members = List.copyOf(members);
        Check.that(clusterId >= 0 && clusterId <= CLUSTER_ID_MAX, "cluster id is a u32");
        Check.that(f >= 0 && f <= F_MAX && members.size() == 2 * f + 1, "2f+1 members, f <= F_MAX");
        Check.that(APPS.contains(app), "known app");
        Check.that(port >= 1 && port <= 65535, "port in 1..65535");
        Check.that(tickMillis >= 1 && tickMillis <= TICK_MILLIS_MAX, "tick in 1..TICK_MILLIS_MAX");
    }

    public int memberCount() {
        return members.size();
    }

    /** Where member {@code index} listens. */
    public InetSocketAddress member(int index) {
        return new InetSocketAddress(members.get(index), port);
    }

    /** A codec for this cluster's packets. */
    public MessageCodec codec() {
        return new MessageCodec((int) clusterId);
    }

    /** This config as cluster.yaml text; {@link #parse} reads it back unchanged. */
    public String toYaml() {
        StringBuilder yaml = new StringBuilder()
                .append("cluster-id: ").append(clusterId).append('\n')
                .append("f: ").append(f).append('\n')
                .append("app: ").append(app).append('\n')
                .append("port: ").append(port).append('\n')
                .append("tick-millis: ").append(tickMillis).append('\n')
                .append("members:\n");
        for (Inet4Address member : members) yaml.append("  - ").append(member.getHostAddress()).append('\n');
        return yaml.toString();
    }

    /** Reads and validates the cluster file at {@code path}. */
    public static ClusterConfig load(Path path) throws ConfigException {
        String source = path.toString();
        if (Files.isDirectory(path)) {
            throw new ConfigException(source + ": is a directory; pass --config the path of a cluster.yaml file");
        }
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(source + ": file not found; pass --config the path of an existing cluster.yaml");
        } catch (AccessDeniedException e) {
            throw new ConfigException(source + ": cannot read: permission denied; make the file readable by this user");
        } catch (CharacterCodingException e) {
            throw new ConfigException(source + ": cannot read: not UTF-8 text; save the file as UTF-8");
        } catch (IOException e) {
            throw new ConfigException(source + ": cannot read: " + YamlFields.oneLine(String.valueOf(e.getMessage()))
                    + "; check the file");
        }
        return parse(text, source);
    }

    /** Validates cluster.yaml text; {@code source} names it in messages (usually its path). */
    public static ClusterConfig parse(String yaml, String source) throws ConfigException {
        JsonNode root = YamlFields.read(yaml, source);
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new ConfigException(source + ": is empty; it needs the keys " + String.join(", ", requiredKeys()));
        }
        if (!root.isObject()) {
            throw new ConfigException(source + ": must be a mapping of keys (" + String.join(", ", requiredKeys())
                    + "), not a " + kind(root));
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!KEYS.containsKey(name)) {
                throw new ConfigException(source + ": unknown key '" + name + "'; the keys are "
                        + String.join(", ", KEYS.keySet()));
            }
        }
        for (String key : requiredKeys()) {
            if (!root.has(key)) {
                throw new ConfigException(source + ": missing key '" + key + "' (" + KEYS.get(key) + ")");
            }
        }
        Fields fields = new Fields(source);
        long clusterId = fields.integer(root, "cluster-id", 0, CLUSTER_ID_MAX, "a u32");
        int f = (int) fields.integer(root, "f", 0, F_MAX,
                "0.." + F_MAX + " so that 2f+1 members <= " + Wire.REPLICAS_MAX);
        String app = fields.app(root.get("app"));
        int port = (int) fields.integer(root, "port", 1, 65535, "a UDP port");
        int tickMillis = root.has("tick-millis")
                ? (int) fields.integer(root, "tick-millis", 1, TICK_MILLIS_MAX, "milliseconds per tick")
                : TICK_MILLIS_DEFAULT;
        List<Inet4Address> members = fields.members(root.get("members"), f);
        return new ClusterConfig(clusterId, f, app, port, members, tickMillis);
    }

    private static List<String> requiredKeys() {
        return KEYS.keySet().stream().filter(k -> !OPTIONAL_KEYS.contains(k)).toList();
    }

    private static String kind(JsonNode node) {
        if (node.isArray()) return "list";
        if (node.isObject()) return "mapping";
        if (node.isIntegralNumber()) return "integer";
        if (node.isNumber()) return "number";
        if (node.isBoolean()) return "boolean";
        if (node.isNull()) return "empty value";
        return "string";
    }

    /** Field checks; each throws with a message naming {@code source} and the field. */
    private record Fields(String source) {

        long integer(JsonNode root, String key, long min, long max, String what) throws ConfigException {
            JsonNode node = root.get(key);
            if (!node.isIntegralNumber()) {
                throw new ConfigException(source + ": " + key + " must be an integer (" + what + "), got "
                        + kind(node) + " '" + node.asText() + "'");
            }
            BigInteger value = node.bigIntegerValue();
            if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
                throw new ConfigException(source + ": " + key + " is " + value + " but must be in " + min + ".." + max
                        + " (" + what + ")");
            }
            return value.longValue();
        }

        String app(JsonNode node) throws ConfigException {
            // YAML reads a bare `null` as the null value, which here names the null app.
            String name = node.isNull() ? "null" : node.isTextual() ? node.asText() : null;
            if (name == null || !APPS.contains(name)) {
                throw new ConfigException(source + ": app '" + node.asText() + "' is unknown; use one of "
                        + String.join(", ", APPS));
            }
            return name;
        }

        List<Inet4Address> members(JsonNode node, int f) throws ConfigException {
            if (!node.isArray()) {
                throw new ConfigException(source + ": members must be a list of IPv4 addresses (one '- address' line each), got "
                        + kind(node));
            }
            if (node.size() != 2 * f + 1) {
                throw new ConfigException(source + ": members has " + node.size() + " entries but f=" + f
                        + " needs 2f+1 = " + (2 * f + 1) + "; list " + (2 * f + 1) + " addresses or change f");
            }
            List<Inet4Address> members = new ArrayList<>(node.size());
            Map<Inet4Address, Integer> seen = new HashMap<>();
            for (int i = 0; i < node.size(); i++) {
                Inet4Address address = ipv4(node.get(i), "members[" + i + "]");
                Integer earlier = seen.putIfAbsent(address, i);
                if (earlier != null) {
                    throw new ConfigException(source + ": members[" + i + "] " + address.getHostAddress()
                            + " duplicates members[" + earlier + "]; every member needs its own address");
                }
                members.add(address);
            }
            return members;
        }

        /** A dotted-quad literal; names are not resolved, so a config means the same on every host. */
        private Inet4Address ipv4(JsonNode node, String field) throws ConfigException {
            String text = node.isValueNode() ? node.asText() : kind(node);
            String[] parts = text.split("\\.", -1);
            byte[] bytes = new byte[4];
            boolean valid = node.isTextual() && parts.length == 4;
            for (int i = 0; valid && i < 4; i++) {
                valid = parts[i].matches("[0-9]{1,3}") && Integer.parseInt(parts[i]) <= 255;
                if (valid) bytes[i] = (byte) Integer.parseInt(parts[i]);
            }
            if (!valid) {
                throw new ConfigException(source + ": " + field + " '" + text
                        + "' is not an IPv4 address; write it as four numbers 0..255, e.g. 10.0.0.1");
            }
            Inet4Address address;
            try {
                address = (Inet4Address) InetAddress.getByAddress(bytes);
            } catch (UnknownHostException e) {
                throw new IllegalStateException("four bytes are always an address", e);
            }
            if (address.isAnyLocalAddress() || address.isMulticastAddress() || text.equals("255.255.255.255")) {
                throw new ConfigException(source + ": " + field + " " + text
                        + " cannot be a member address; use the unicast address the replica binds to");
            }
            return address;
        }
    }
}
