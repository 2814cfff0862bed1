package org.electrolab.lab.pipeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import org.electrolab.protocol.Wire;
import org.electrolab.protocol.config.Offload;
import org.electrolab.protocol.config.YamlFields;

/**
 * What matrix files (experiment/) and campaign files (faults/) share: reading the file, its name,
 * and the keys both have, {@code sizes}, {@code offloads} and the bound on {@code repeats}. Each
 * mistake is one line naming the file, the field and the fix.
 */
public final class PlanKeys {
    public static final int REPEATS_MAX = 1000;

    private PlanKeys() {}

    /** The text of plan file {@code path}, {@code what} (like "a matrix file") with {@code example} its path in the checkout. */
    public static String read(Path path, String what, String example) throws PlanException {
        String source = path.toString();
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new PlanException(List.of(source + ": file not found; pass the path of " + what + ", e.g. " + example));
        } catch (IOException e) {
            throw new PlanException(List.of(source + ": cannot read (" + e.getMessage() + "); check the path and its permissions"));
        }
    }

    /** A plan's name: its file name without {@code .yaml}. */
    public static String nameOf(Path path) {
        String file = path.getFileName().toString();
        return file.endsWith(".yaml") ? file.substring(0, file.length() - ".yaml".length()) : file;
    }

    /** A {@code sizes} list: odd replica counts, each once (matrix and campaign files). */
    public static List<Integer> sizes(JsonNode node, YamlFields fields) {
        List<Integer> sizes = new ArrayList<>();
        String what = "odd replica counts 3.." + Wire.REPLICAS_MAX + " (2f+1 members)";
        for (JsonNode item : fields.list(node, "sizes", "sizes: [3, 5, 7]")) {
            int size = (int) fields.integer(item, "sizes", 3, Wire.REPLICAS_MAX, what);
            if (size == 0) continue;
            if (size % 2 == 0) {
                fields.add("sizes", size + " is even; use " + what + ", e.g. " + (size + 1));
            } else if (sizes.contains(size)) {
                fields.add("sizes", size + " is listed twice; name each size once");
            } else {
                sizes.add(size);
            }
        }
        return sizes;
    }

    /** An {@code offloads} list: none, all or comma lists, each set once (matrix and campaign files). */
    public static List<OffloadSet> offloadSets(JsonNode node, YamlFields fields) {
        List<OffloadSet> sets = new ArrayList<>();
        for (JsonNode item : fields.list(node, "offloads", "offloads: [none, tc-broadcast, fast-reply, quorum-prune, all]")) {
            OffloadSet set = offloadSet(item, fields);
            if (set == null) continue;
            if (sets.contains(set)) {
                fields.add("offloads", "'" + item.asText() + "' is the set " + set.label() + " again; name each set once");
            } else {
                sets.add(set);
            }
        }
        return sets;
    }

    /** One entry: none, all, or a comma list of offload names (one set of offloads run together). */
    private static OffloadSet offloadSet(JsonNode item, YamlFields fields) {
        String choices = "none, all, or a comma list of " + offloadNames();
        if (!item.isTextual()) {
            fields.add("offloads", "'" + item.asText() + "' must be text: " + choices);
            return null;
        }
        String text = item.asText().strip();
        if (text.equals("none")) return OffloadSet.NONE;
        if (text.equals("all")) return OffloadSet.of(List.of(Offload.values()));
        EnumSet<Offload> offloads = EnumSet.noneOf(Offload.class);
        boolean ok = true;
        for (String part : text.split(",", -1)) {
            Offload offload = Offload.named(part.strip());
            if (offload == null) {
                fields.add("offloads", "'" + part.strip() + "' is not an offload; each entry is " + choices);
                ok = false;
            } else if (!offloads.add(offload)) {
                fields.add("offloads", "'" + text + "' names " + offload.cliName + " twice; name each offload once");
                ok = false;
            }
        }
        return ok ? OffloadSet.of(List.copyOf(offloads)) : null;
    }

    private static String offloadNames() {
        return Arrays.stream(Offload.values()).map(o -> o.cliName).collect(Collectors.joining(", "));
    }
}
