package org.electrolab.lab.ansible;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Ansible and Vagrant YAML pass yamllint, and ansible/ passes ansible-lint's production profile. */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LintTest {

    @Test
    void yamllintFindsNothing() throws Exception {
        Tools.require("yamllint", "yamllint");
        Tools.Run run = Tools.run(Tools.repo(), Map.of(), Duration.ofMinutes(2),
                List.of("yamllint", "--strict", "-f", "parsable", "ansible", "vagrant", ".yamllint", ".ansible-lint"));
        assertThat(run.exitCode()).as("yamllint exit code; it printed:\n%s", run.output()).isZero();
        assertThat(run.output()).isBlank();
    }

    @Test
    void ansibleLintPassesTheProductionProfile() throws Exception {
        Tools.require("ansible-lint", "ansible-lint");
        Tools.Run run = Tools.run(Tools.repo(), Map.of("NO_COLOR", "1", "ANSIBLE_NOCOLOR", "1"), Duration.ofMinutes(4),
                List.of("ansible-lint", "-p", "--nocolor", "--profile", "production", "ansible"));
        assertThat(run.exitCode()).as("ansible-lint exit code; it printed:\n%s", run.output()).isZero();
        assertThat(run.output()).contains("Passed with production profile: 0 failure(s), 0 warning(s)");
    }
}
