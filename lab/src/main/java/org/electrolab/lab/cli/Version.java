package org.electrolab.lab.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import picocli.CommandLine;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What {@code electrolab --version} (and {@code --version} of every subcommand) prints: the version
 * and the git commit the jars were built from, which the build records in
 * {@code electrolab/build.properties} (lab/pom.xml), with a note when the checkout had uncommitted
 * changes then.
 */
public final class Version implements IVersionProvider {
    private static final String RESOURCE = "/electrolab/build.properties";
    private static final String UNKNOWN = "unknown";

    /** Adds {@code --version} to {@code cli} and every subcommand below it that lacks one. */
    public static CommandLine addTo(CommandLine cli) {
        CommandSpec spec = cli.getCommandSpec();
        spec.versionProvider(new Version());
        if (spec.options().stream().noneMatch(OptionSpec::versionHelp)) {
            spec.addOption(OptionSpec.builder("--version").versionHelp(true)
                    .description("print the version and the commit it was built from, and exit").build());
        }
        cli.getSubcommands().values().forEach(Version::addTo);
        return cli;
    }

    @Override
    public String[] getVersion() {
        return new String[] {line()};
    }

    /** {@code electrolab 0.1.0-SNAPSHOT (commit 0123...cdef)}, with uncommitted changes noted. */
    public static String line() {
        Properties build = build();
        String dirty = "true".equals(build.getProperty("dirty")) ? ", built with uncommitted changes" : "";
        return "electrolab " + build.getProperty("version", UNKNOWN) + " (commit " + build.getProperty("commit", UNKNOWN) + dirty + ")";
    }

    public static String number() {
        return build().getProperty("version", UNKNOWN);
    }

    private static Properties build() {
        Properties properties = new Properties();
        try (InputStream in = Version.class.getResourceAsStream(RESOURCE)) {
            if (in != null) properties.load(in);
        } catch (IOException e) {
            // An unreadable record reads as unknown.
        }
        return properties;
    }
}
