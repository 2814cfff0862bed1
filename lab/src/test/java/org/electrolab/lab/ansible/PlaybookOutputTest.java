package org.electrolab.lab.ansible;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The one line a failed playbook becomes, from ansible-playbook's output as Ansible 2.14 prints it. */
class PlaybookOutputTest {
    private static final String UNREACHABLE_THEN_FAILED = """

            PLAY [all] *********************************************************************

            TASK [Gathering Facts] *********************************************************
            Wednesday 25 November 2026  09:46:07 +0000 (0:00:00.012)       0:00:00.012 ****\s
            fatal: [r1]: UNREACHABLE! =>\s
                changed: false
                msg: |-
                    Data could not be sent to remote host "198.18.1.2". Make sure this host can be reached over ssh: kex_exchange_identification: Connection closed by remote host
                    Connection closed by UNKNOWN port 65535
                unreachable: true
            ok: [r2]
            ok: [r0]

            TASK [electrolab : Check that the replica came up] *****************************
            ok: [r2]
            fatal: [r0]: FAILED! =>\s
                assertion: inventory_hostname != 'r0'
                changed: false
                evaluated_to: false
                msg: replica 0 on r0 is not NORMAL after 90 s; see the log, a long message that wraps
                    onto a second line

            PLAY RECAP *********************************************************************
            r0                         : ok=1    changed=0    unreachable=0    failed=1    skipped=0    rescued=0    ignored=0
            """;

    @Test
    void theFirstHostThatFailedWithItsTaskAndMessage() {
        assertThat(PlaybookOutput.firstFailure(UNREACHABLE_THEN_FAILED.lines().toList())).isEqualTo(
                "r1 unreachable at task 'Gathering Facts': Data could not be sent to remote host \"198.18.1.2\". Make sure"
                        + " this host can be reached over ssh: kex_exchange_identification: Connection closed by remote host"
                        + " Connection closed by UNKNOWN port 65535");
        List<String> withoutR1 = UNREACHABLE_THEN_FAILED.lines().dropWhile(l -> !l.contains("came up")).toList();
        assertThat(PlaybookOutput.firstFailure(withoutR1)).isEqualTo("r0 failed at task 'electrolab : Check that the replica"
                + " came up': replica 0 on r0 is not NORMAL after 90 s; see the log, a long message that wraps onto a second line");
    }

    @Test
    void jsonResultsQuotedMessagesAndIgnoredFailures() {
        List<String> lines = """
                TASK [Probe] *******
                fatal: [h1]: FAILED! => {"changed": false, "msg": "no \\"probe\\" here"}
                ...ignoring
                TASK [Read the stats] *******
                failed: [h2] (item=a) => {"changed": false, "msg": "not found"}
                """.lines().toList();
        assertThat(PlaybookOutput.firstFailure(lines)).isEqualTo("h2 failed at task 'Read the stats': not found");
        assertThat(PlaybookOutput.firstFailure(List.of("TASK [x] ***", "fatal: [h3]: FAILED! => ", "    msg: 'it''s gone'")))
                .isEqualTo("h3 failed at task 'x': it's gone");
    }

    @Test
    void anAnsibleErrorIsTheLineWhenNoHostFailed() {
        List<String> lines = List.of("ERROR! the playbook: /x/scenario.yml could not be found", "");
        assertThat(PlaybookOutput.firstFailure(lines)).isNull();
        assertThat(PlaybookOutput.error(lines)).isEqualTo("ERROR! the playbook: /x/scenario.yml could not be found");
    }
}
