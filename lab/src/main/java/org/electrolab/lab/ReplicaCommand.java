package org.electrolab.lab;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.electrolab.lab.cli.UserError;
import org.electrolab.protocol.config.ConfigException;
import org.electrolab.protocol.config.OffloadChoice;
import org.electrolab.replica.node.ReplicaNode;
import org.electrolab.replica.node.StartException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code electrolab replica}: runs member {@code --id} of the cluster in {@code --config} until
 * SIGTERM or SIGINT, then prints a one-line counter summary. Exit 2 for a user error (one line on
 * stderr), 1 when the replica stopped itself because its core failed. This class parses the flags;
 * {@link ReplicaNode} runs the replica.
 */
@Command(name = "replica", mixinStandardHelpOptions = true,
        description = "Run one replica of the cluster in --config until SIGTERM/SIGINT; print its counters on exit.")
public final class ReplicaCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "cluster.yaml")
    Path config;

    @Option(names = "--id", required = true, paramLabel = "N", description = "this replica's index in members, 0..2f")
    int id;

    @Option(names = "--offload", defaultValue = "none", paramLabel = "OFFLOADS",
            description = "none, all, or a comma list of tc-broadcast, fast-reply, quorum-prune (default ${DEFAULT-VALUE})")
    String offload;

    @Option(names = "--offload-required", description = "exit instead of running in user space when an offload cannot be loaded")
    boolean offloadRequired;

    @Option(names = "--stats-file", paramLabel = "FILE",
            description = "rewrite this JSON file four times a second with the replica's position and counters")
    Path statsFile;

    @Override
    public Integer call() throws ConfigException {
        OffloadChoice offloads = OffloadChoice.parse(offload, offloadRequired);
        try {
            return ReplicaNode.start(config, id, offloads, statsFile, spec.commandLine().getErr()).awaitHalt();
        } catch (StartException e) {
            throw new UserError(e.getMessage());
        }
    }
}
