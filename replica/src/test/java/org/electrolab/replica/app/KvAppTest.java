package org.electrolab.replica.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.electrolab.protocol.Kv;
import org.junit.jupiter.api.Test;

/** The kv app's digest is what the fault campaign compares to decide that replicas converged. */
class KvAppTest {

    private static KvApp run(List<Kv.Command> commands) {
        KvApp app = new KvApp();
        for (Kv.Command c : commands) app.execute(Kv.encode(c));
        return app;
    }

    @Test
    void equalStatesHaveEqualDigestsWhateverTheHistory() {
        KvApp a = run(List.of(new Kv.Put("x", "1"), new Kv.Put("y", "2"), new Kv.Put("x", "3")));
        KvApp b = run(List.of(new Kv.Put("y", "2"), new Kv.Cas("x", null, "3")));
        assertThat(a.digest()).isEqualTo(b.digest()).isNotZero();
    }

    @Test
    void differentStatesHaveDifferentDigests() {
        long base = run(List.of(new Kv.Put("x", "1"), new Kv.Put("y", "2"))).digest();
        assertThat(run(List.of(new Kv.Put("x", "1"), new Kv.Put("y", "3"))).digest()).isNotEqualTo(base);
        assertThat(run(List.of(new Kv.Put("x", "1"))).digest()).isNotEqualTo(base);
        assertThat(run(List.of(new Kv.Put("x", "2"), new Kv.Put("y", "1"))).digest()).isNotEqualTo(base);
    }

    @Test
    void readsAndFailedCasLeaveTheDigestAlone() {
        KvApp app = run(List.of(new Kv.Put("x", "1")));
        long before = app.digest();
        app.execute(Kv.encode(new Kv.Get("x")));
        app.execute(Kv.encode(new Kv.Cas("x", "0", "9")));
        assertThat(app.digest()).isEqualTo(before);
        assertThat(new NullApp().digest()).isZero();
    }
}
