package org.electrolab.client.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.electrolab.client.KvClient.Call;
import org.electrolab.client.KvClient.Outcome;
import org.electrolab.client.history.History.Op;
import org.electrolab.protocol.Kv;
import org.electrolab.protocol.Kv.Result;
import org.electrolab.protocol.Kv.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A history survives a round trip through its file, and a bad file is rejected naming the line. */
class HistoryFileTest {

    @TempDir
    Path dir;

    private static History sample() {
        History h = new History();
        h.record(new Call(-5, 1, new Kv.Get("k"), 100, 150, Outcome.OK, new Result(Status.NOT_FOUND, null), 0), false);
        h.record(new Call(-5, 2, new Kv.Put("k", "a"), 160, 200, Outcome.OK, new Result(Status.OK, null), 0), false);
        h.record(new Call(7, 1, new Kv.Cas("k", null, "b"), 170, 210, Outcome.FAIL, new Result(Status.CAS_FAILED, "a"), 0), false);
        // Given up on after 3 s: unknown, never completes, whatever the call's give-up time.
        h.record(new Call(7, 2, new Kv.Cas("k", "a", "c"), 220, 3_000_220, Outcome.UNKNOWN, null, -1), false);
        h.record(new Call(9, 1, new Kv.Get("k"), 4_000_000, 4_000_100, Outcome.OK, new Result(Status.OK, "c"), 1), true);
        h.ops().get(0).label("first");
        return h;
    }

    @Test
    void writeThenReadGivesTheSameHistory() throws Exception {
        History h = sample();
        Path file = dir.resolve("sub/history.jsonl");
        HistoryFile.write(file, h);
        assertThat(Files.readAllLines(file)).hasSize(5);

        History back = HistoryFile.read(file);
        assertThat(back.ops()).hasSize(5);
        for (int i = 0; i < 5; i++) {
            Op a = h.ops().get(i), b = back.ops().get(i);
            assertThat(b.toString()).isEqualTo(a.toString());
            assertThat(b.outcome()).isEqualTo(a.outcome());
            assertThat(b.result()).isEqualTo(a.result());
            assertThat(b.command).isEqualTo(a.command);
            assertThat(b.finalRead).isEqualTo(a.finalRead);
        }
        Op unknown = back.ops().get(3);
        assertThat(unknown.completed()).isFalse();
        assertThat(unknown.completeNanos()).isEqualTo(History.NEVER);
        assertThat(back.ops().get(0).label()).isEqualTo("first");
        assertThat(new LinearizabilityChecker().check(back).ok()).isTrue();
    }

    @Test
    void theFieldsAreTheDocumentedOnes() throws Exception {
        Path file = dir.resolve("history.jsonl");
        HistoryFile.write(file, sample());
        List<String> lines = Files.readAllLines(file);
        assertThat(lines.get(2)).isEqualTo("{\"id\":2,\"clientId\":7,\"requestNumber\":1,\"op\":\"cas\",\"key\":\"k\",\"expected\":null,"
                + "\"value\":\"b\",\"invokeNanos\":170,\"completeNanos\":210,\"outcome\":\"FAIL\",\"status\":\"CAS_FAILED\","
                + "\"result\":\"a\",\"finalRead\":false}");
        assertThat(lines.get(3)).contains("\"completeNanos\":null", "\"outcome\":\"UNKNOWN\"", "\"status\":null");
    }

    private String readError(String... lines) throws Exception {
        Path file = Files.write(dir.resolve("bad.jsonl"), List.of(lines));
        try {
            HistoryFile.read(file);
        } catch (HistoryFile.FormatException e) {
            assertThat(e.getMessage()).doesNotContain("\n");
            return e.getMessage();
        }
        throw new AssertionError("read accepted " + List.of(lines));
    }

    @Test
    void badLinesAreOneLineErrorsNamingTheLine() throws Exception {
        String good = "{\"id\":0,\"clientId\":1,\"requestNumber\":1,\"op\":\"put\",\"key\":\"k\",\"value\":\"v\","
                + "\"invokeNanos\":1,\"completeNanos\":2,\"outcome\":\"OK\",\"status\":\"OK\",\"result\":null,\"finalRead\":false}";
        Path bad = dir.resolve("bad.jsonl");
        assertThat(readError(good, "", "not json")).startsWith(bad + " line 3: not a JSON object");
        assertThat(readError(good, good)).isEqualTo(bad + " line 2: id 0 where 1 was expected (ids count 0, 1, 2, ... in file order)");
        assertThat(readError(good.replace("\"op\":\"put\"", "\"op\":\"delete\""))).isEqualTo(bad + " line 1: op 'delete' is not get, put or cas");
        assertThat(readError(good.replace("\"invokeNanos\":1,", ""))).isEqualTo(bad + " line 1: missing field 'invokeNanos'");
        assertThat(readError(good.replace("\"invokeNanos\":1", "\"invokeNanos\":\"soon\"")))
                .isEqualTo(bad + " line 1: field 'invokeNanos' is \"soon\", not a whole number");
        assertThat(readError(good.replace("\"outcome\":\"OK\"", "\"outcome\":\"MAYBE\"")))
                .isEqualTo(bad + " line 1: field 'outcome' is 'MAYBE'; use one of [OK, FAIL, UNKNOWN]");
        assertThat(readError(good.replace("\"completeNanos\":2", "\"completeNanos\":0"))).startsWith(bad + " line 1: completion at 0");
        assertThat(readError(good.replace("\"finalRead\"", "\"final\""))).isEqualTo(bad + " line 1: unknown field 'final'");
        assertThat(readError(good.replace("\"outcome\":\"OK\"", "\"outcome\":\"UNKNOWN\"")))
                .isEqualTo(bad + " line 1: outcome UNKNOWN with a completeNanos or status; an unknown outcome has neither");
    }
}
