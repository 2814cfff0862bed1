package org.electrolab.protocol.config;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The offloads a replica was asked to run with ({@code --offload}) and whether it must refuse to run
 * without them ({@code --offload-required}). The eBPF adapter loads what {@link #requested} names.
 */
public record OffloadChoice(Set<Offload> requested, boolean required) {

    public static final OffloadChoice NONE = new OffloadChoice(Set.of(), false);

    public OffloadChoice {
        requested = requested.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(requested));
    }

    public boolean isNone() {
        return requested.isEmpty();
    }

    public boolean has(Offload offload) {
        return requested.contains(offload);
    }

    /** Parses {@code none}, {@code all} or a comma-separated list of offload names. */
    public static OffloadChoice parse(String text, boolean required) throws ConfigException {
        String trimmed = text.strip();
        if (trimmed.equals("none")) return new OffloadChoice(Set.of(), required);
        if (trimmed.equals("all")) return new OffloadChoice(EnumSet.allOf(Offload.class), required);
        EnumSet<Offload> offloads = EnumSet.noneOf(Offload.class);
        for (String name : trimmed.split(",", -1)) {
            Offload offload = Offload.named(name.strip());
            if (offload == null) {
                throw new ConfigException("--offload: unknown offload '" + name.strip() + "'; use none, all, or a comma-separated list of "
                        + Arrays.stream(Offload.values()).map(o -> o.cliName).collect(Collectors.joining(", ")));
            }
            offloads.add(offload);
        }
        return new OffloadChoice(offloads, required);
    }

    /** {@code none} or the names in a fixed order, comma-separated: what {@link #parse} reads back. */
    public String names() {
        if (requested.isEmpty()) return "none";
        return EnumSet.copyOf(requested).stream().map(o -> o.cliName).collect(Collectors.joining(","));
    }
}
