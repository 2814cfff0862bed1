package org.electrolab.lab.netns;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;

/**
 * Where a lab finds the launcher and keeps its state.
 *
 * @param repo the electrolab checkout: {@code bin/electrolab} is run from here
 * @param stateRoot parent of every lab's state directory ({@code <repo>/lab-state} by default)
 */
public record Locations(Path repo, Path stateRoot) {
    public Locations {
        repo = repo.toAbsolutePath().normalize();
        stateRoot = stateRoot.toAbsolutePath().normalize();
    }

    public static Locations of(Path repo) {
        return new Locations(repo, repo.resolve("lab-state"));
    }

    public Path launcher() {
        return repo.resolve("bin").resolve("electrolab");
    }

    public Path stateDir(String labName) {
        return stateRoot.resolve(labName);
    }

    /**
     * The checkout this code runs from: the system property {@code electrolab.home} when set, else the
     * nearest directory above this class's jar (or classes directory), else above the working
     * directory, that holds {@code bin/electrolab}.
     */
    public static Locations locate() {
        String home = System.getProperty("electrolab.home");
        if (home != null && !home.isBlank()) return of(Path.of(home));
        Path found = searchUp(codeLocation());
        if (found == null) found = searchUp(Path.of("").toAbsolutePath());
        if (found == null) {
            throw new LabException("cannot find the electrolab checkout (a directory with bin/electrolab);"
                    + " run from inside it or set -Delectrolab.home=<checkout>");
        }
        return of(found);
    }

    private static Path codeLocation() {
        CodeSource source = Locations.class.getProtectionDomain().getCodeSource();
        if (source == null) return null;
        try {
            return Path.of(source.getLocation().toURI());
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static Path searchUp(Path start) {
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("bin").resolve("electrolab"))) return dir;
        }
        return null;
    }
}
