package org.electrolab.lab.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.electrolab.lab.netns.Privileges;

/**
 * The user behind {@code sudo bin/electrolab ...}: the lab needs root, but what it writes for the
 * user (results, reports, charts, run.json, histories, the {@code lab-state/} directory) must be
 * theirs, so nothing root-owned is left in their checkout. Under sudo (root, with {@code SUDO_UID}
 * and {@code SUDO_GID} set to another user) the files are handed over to that user; otherwise
 * nothing changes. bin/electrolab builds as that user too.
 */
public final class InvokingUser {
    private record Owner(int uid, int gid) {}

    private InvokingUser() {}

    private static Optional<Owner> owner() {
        String uid = System.getenv("SUDO_UID");
        String gid = System.getenv("SUDO_GID");
        if (uid == null || gid == null || !Privileges.isRoot()) return Optional.empty();
        try {
            Owner owner = new Owner(Integer.parseInt(uid.strip()), Integer.parseInt(gid.strip()));
            return owner.uid() == 0 ? Optional.empty() : Optional.of(owner);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Creates {@code dir} and its missing parents, each created one owned by the invoking user. */
    public static Path createDirectories(Path dir) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path d = dir.toAbsolutePath().normalize(); d != null && !Files.exists(d); d = d.getParent()) missing.add(d);
        Files.createDirectories(dir);
        Optional<Owner> owner = owner();
        if (owner.isPresent()) for (Path created : missing) chown(created, owner.get());
        return dir;
    }

    /** Gives {@code path}, and everything under it when it is a directory, to the invoking user. */
    public static void handOver(Path path) throws IOException {
        Optional<Owner> owner = owner();
        if (owner.isEmpty() || !Files.exists(path, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> tree = Files.walk(path)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) chown(p, owner.get());
        }
    }

    private static void chown(Path path, Owner owner) throws IOException {
        Files.setAttribute(path, "unix:uid", owner.uid(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:gid", owner.gid(), LinkOption.NOFOLLOW_LINKS);
    }
}
