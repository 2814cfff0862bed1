package org.electrolab.lab.kernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

import com.fasterxml.jackson.databind.JsonNode;

import org.electrolab.lab.cli.UserError;
import org.electrolab.protocol.config.YamlFields;

/**
 * {@code vagrant/pins.yml}: the kernels the programs are proven on (those with {@code matrix: true}
 * make the kernel matrix) and the Vagrant boxes, each with the kernel it boots.
 *
 * @param kernels by key, in file order
 * @param boxes by key, in file order
 * @param vmBox the key of the box {@code vagrant up} uses
 */
public record KernelPins(SequencedMap<String, Pin> kernels, SequencedMap<String, Box> boxes, String vmBox) {

    public static final String FILE = "vagrant/pins.yml";

    /**
     * A pinned kernel package.
     *
     * @param archive one apt sources line without {@code deb}: URI, suite, component
     * @param version the exact package version; empty where the ABI in the package name is the pin
     * @param matrix whether the kernel matrix boots it (it needs {@code archive} and {@code version})
     */
    public record Pin(String key, String distribution, String archive, String packageName, String version,
                      List<String> extraPackages, boolean matrix) {

        /** The release {@code uname -r} prints: the package name without {@code linux-image-}. */
        public String release() {
            return packageName.substring(IMAGE_PREFIX.length());
        }
    }

    /** A box, its version per provider (empty: the newest) and the key of the kernel it boots. */
    public record Box(String key, String box, Map<String, String> versions, String kernel) {}

    private static final String IMAGE_PREFIX = "linux-image-";
    private static final SequencedMap<String, String> TOP = YamlFields.keys(
            "kernels", "kernels: {debian13: {distribution: ..., archive: ..., package: ..., version: ..., matrix: true}}",
            "vm_box", "vm_box: debian13",
            "boxes", "boxes: {debian13: {box: debian/trixie64, kernel: debian13}}");

    /** The kernels the matrix boots, in file order. */
    public List<Pin> matrix() {
        return kernels.values().stream().filter(Pin::matrix).toList();
    }

    /** The box {@code vagrant up} uses. */
    public Box vm() {
        return boxes.get(vmBox);
    }

    /** Reads {@code <repo>/vagrant/pins.yml}; every mistake in it is one line of the error. */
    public static KernelPins load(Path repo) {
        Path file = repo.resolve(FILE);
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + e.getMessage() + "); it holds the kernel pins: restore it (git checkout " + FILE + ")");
        }
    }

    public static KernelPins parse(String yaml, String source) {
        YamlFields fields = new YamlFields(source);
        JsonNode root = fields.mapping(yaml, TOP, FILE);
        if (root == null) throw new UserError(String.join("\n", fields.problems()));
        SequencedMap<String, Pin> kernels = new LinkedHashMap<>();
        forEachEntry(root.path("kernels"), "kernels", fields, (key, node) -> kernels.put(key, pin(key, node, fields)));
        SequencedMap<String, Box> boxes = new LinkedHashMap<>();
        forEachEntry(root.path("boxes"), "boxes", fields, (key, node) -> boxes.put(key, box(key, node, fields, kernels)));
        String vmBox = root.path("vm_box").asText("");
        if (root.has("vm_box") && !boxes.containsKey(vmBox)) {
            fields.add("vm_box", "'" + vmBox + "' is not a key of boxes; use one of " + String.join(", ", boxes.keySet()));
        }
        if (boxes.containsKey(vmBox)) {
            Pin pinned = kernels.get(boxes.get(vmBox).kernel());
            if (pinned != null && !pinned.matrix()) {
                fields.add("vm_box", "box " + vmBox + " boots kernel " + pinned.key() + ", which the kernel matrix does not boot"
                        + " (matrix: false); the default VMs must run a proven kernel: pick a box whose kernel has matrix: true");
            }
        }
        if (!fields.problems().isEmpty()) throw new UserError(String.join("\n", fields.problems()));
        return new KernelPins(kernels, boxes, vmBox);
    }

    private interface EntryReader {
        void read(String key, JsonNode node);
    }

    private static void forEachEntry(JsonNode node, String field, YamlFields fields, EntryReader reader) {
        if (node.isMissingNode()) return;
        if (!node.isObject() || node.isEmpty()) {
            fields.add(field, "must be a non-empty mapping of names to entries; see " + FILE);
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            reader.read(e.getKey(), e.getValue());
        }
    }

    private static Pin pin(String key, JsonNode node, YamlFields fields) {
        String at = "kernels." + key;
        String packageName = text(node, "package", at, fields, true);
        if (!packageName.isEmpty() && !packageName.startsWith(IMAGE_PREFIX)) {
            fields.add(at + ".package", "'" + packageName + "' is not a kernel image package; name one like linux-image-6.12.117+deb13-amd64");
        }
        boolean matrix = node.path("matrix").asBoolean(false);
        String archive = text(node, "archive", at, fields, matrix);
        String version = text(node, "version", at, fields, matrix);
        if (matrix && !archive.isEmpty() && archive.strip().split("\\s+").length < 3) {
            fields.add(at + ".archive", "'" + archive + "' is not URI, suite and component; e.g. http://deb.debian.org/debian trixie main");
        }
        List<String> extra = new ArrayList<>();
        node.path("extra_packages").forEach(p -> extra.add(p.asText()));
        return new Pin(key, text(node, "distribution", at, fields, true), archive, packageName, version, extra, matrix);
    }

    private static Box box(String key, JsonNode node, YamlFields fields, Map<String, Pin> kernels) {
        String at = "boxes." + key;
        String kernel = text(node, "kernel", at, fields, true);
        if (!kernel.isEmpty() && !kernels.containsKey(kernel)) {
            fields.add(at + ".kernel", "'" + kernel + "' is not a key of kernels; use one of " + String.join(", ", kernels.keySet()));
        }
        Map<String, String> versions = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.path("box_version").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            versions.put(e.getKey(), e.getValue().asText());
        }
        return new Box(key, text(node, "box", at, fields, true), versions, kernel);
    }

    private static String text(JsonNode node, String name, String at, YamlFields fields, boolean required) {
        JsonNode value = node.path(name);
        if (value.isMissingNode() || value.isNull() || value.asText().isBlank()) {
            if (required) fields.add(at + "." + name, "missing; see the other entries of " + FILE);
            return "";
        }
        return value.asText().strip();
    }
}
