package org.electrolab.replica.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import org.electrolab.protocol.MessageType;
import org.electrolab.protocol.config.Offload;
import org.electrolab.protocol.config.OffloadChoice;
import org.electrolab.replica.core.Status;
import org.electrolab.replica.transport.DropReason;
import org.electrolab.replica.transport.ReplicaStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replica's stats file as the lab reads it: what StatsFile writes, ReplicaView reads back. */
class StatsFileTest {

    private static final OffloadChoice FAST_REPLY = new OffloadChoice(Set.of(Offload.FAST_REPLY), false);

    @TempDir
    Path dir;

    private static ReplicaStats stats(long commit) {
        return new ReplicaStats(1, 3, 4, Status.NORMAL, 1, commit + 2, commit, "ebpf (fast-reply)", 100, 90, 3,
                Map.of(DropReason.TRUNCATED, 3L), Map.of(MessageType.PREPARE, 50L), Map.of(MessageType.PREPARE_OK, 50L),
                0, 0, 7, 8, Map.of("fast_reply.fast_replied", 42L), "00112233445566ff");
    }

    @Test
    void whatTheReplicaWritesTheLabReadsBack() throws Exception {
        StatsFile file = new StatsFile(dir.resolve("r1.stats.json"));
        file.checkWritable();
        file.write(stats(10), FAST_REPLY, "fast-reply");

        ReplicaView view = ReplicaView.read(file.path()).orElseThrow();

        assertThat(view).isEqualTo(new ReplicaView(4, "NORMAL", 1, 12, 10, "ebpf (fast-reply)", "fast-reply", true,
                Map.of("fast_reply.fast_replied", 42L), "00112233445566ff", 100, 90, 3, view.updatedAtMillis()));
        assertThat(view.updatedAtMillis()).isPositive();
        assertThat(view.isNormal()).isTrue();
        assertThat(Files.readString(file.path())).contains("\"offloadsRequested\" : \"fast-reply\"");
        assertThat(dir.toFile().list()).containsExactly("r1.stats.json");
    }

    @Test
    void theLastWriteAtExitSaysNotRunningAndNoLaterWriteReplacesIt() throws Exception {
        StatsFile file = new StatsFile(dir.resolve("r1.stats.json"));
        file.write(stats(10), FAST_REPLY, "fast-reply");
        file.finish(stats(11), FAST_REPLY, "fast-reply");
        file.write(stats(12), FAST_REPLY, "fast-reply");

        ReplicaView view = ReplicaView.read(file.path()).orElseThrow();

        assertThat(view.running()).isFalse();
        assertThat(view.isNormal()).isFalse();
        assertThat(view.commit()).isEqualTo(11);
    }

    @Test
    void aMissingOrUnreadableFileIsNoView() throws Exception {
        assertThat(ReplicaView.read(dir.resolve("absent.json"))).isEmpty();
        assertThat(ReplicaView.read(Files.writeString(dir.resolve("half.json"), "{\"view\": 3, \"sta"))).isEmpty();
        assertThat(ReplicaView.read(Files.writeString(dir.resolve("other.json"), "{\"completed\": 3}"))).isEmpty();
    }

    @Test
    void aStatsFileThatCannotBeWrittenIsOneLineNamingTheFix() throws Exception {
        Path missing = dir.resolve("no/such/stats.json");
        assertThatThrownBy(() -> new StatsFile(missing).checkWritable()).isInstanceOf(StartException.class)
                .hasMessage("--stats-file " + missing + ": directory " + missing.getParent()
                        + " does not exist; create it or choose another path");
        Path directory = Files.createDirectory(dir.resolve("stats"));
        assertThatThrownBy(() -> new StatsFile(directory).checkWritable()).isInstanceOf(StartException.class)
                .hasMessage("--stats-file " + directory + ": is a directory; name a file, e.g. " + directory.resolve("replica.stats.json"));
    }
}
