package org.electrolab.lab.netns;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.electrolab.lab.scenario.Scenario;
import org.electrolab.lab.scenario.ClientLoad;
import org.electrolab.replica.node.ReplicaView;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The whole lab: {@code bin/electrolab replica} in three namespaces, a client answered, then nothing left. */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class LabUpTest {
    @RegisterExtension
    final ThrowawayLab throwaway = new ThrowawayLab("the netns lab");

    @BeforeEach
    void buildTheJarsOnce() {
        // The launcher builds stale jars on first use; do it once here, not in three replicas racing readiness.
        new CommandRunner(Duration.ofMinutes(8)).run(throwaway.paths().launcher().toString(), "--help");
    }

    @Test
    void scenario3WithoutOffloadsAnswersTheClientAndDownLeavesNothing() throws Exception {
        Scenario shipped = TestLabs.scenario(3);
        Scenario scenario = new Scenario(shipped.name(), 3, List.of(), shipped.app(), shipped.clusterId(), shipped.port(),
                new ClientLoad(2, Duration.ofSeconds(1), Duration.ofSeconds(2), 64));

        Lab lab = throwaway.up(scenario);

        Lab.Overview status = lab.status();
        List<ReplicaView> views = status.hosts().stream().filter(h -> h.host().isReplica()).map(h -> h.view().orElseThrow()).toList();
        assertThat(views).hasSize(3).allSatisfy(v -> assertThat(v.isNormal()).isTrue());
        assertThat(views.stream().map(ReplicaView::view).distinct()).hasSize(1);
        List<Long> replicaPids = status.hosts().stream().filter(h -> h.host().isReplica()).flatMap(h -> h.pids().stream()).toList();
        assertThat(replicaPids).isNotEmpty();

        Path out = lab.runClient(throwaway.stateRoot().resolve("run.json"));
        JsonNode run = new ObjectMapper().readTree(out.toFile());
        assertThat(run.path("completed").asLong()).as("completed requests").isPositive();
        assertThat(run.path("errors").asLong()).as("errors").isZero();

        Lab.Removed removed = throwaway.down();

        assertThat(removed.processes()).isGreaterThanOrEqualTo(3);
        assertThat(removed.namespaces()).isEqualTo(5);
        assertThat(replicaPids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty());
        TestLabs.assertNoNamespaces(throwaway.name());
        assertThat(throwaway.paths().stateDir(throwaway.name())).doesNotExist();
    }
}
