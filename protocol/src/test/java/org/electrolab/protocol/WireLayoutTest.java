package org.electrolab.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles bpf/electrolab_wire.h with the system C compiler, prints every offset, size, limit and
 * code it defines, and fails when Java's {@link Wire} and {@link MessageType} disagree.
 */
class WireLayoutTest {

    private static final Path HEADER = Path.of("..", "bpf", "electrolab_wire.h").toAbsolutePath().normalize();

    @Test
    void javaLayoutEqualsTheCHeader(@TempDir Path dir) throws Exception {
        Map<String, Long> expected = new LinkedHashMap<>();
        expected.put("sizeof(struct el_header)", (long) Wire.HEADER_SIZE);
        expected.put("EL_HEADER_SIZE", (long) Wire.HEADER_SIZE);
        expected.put("offsetof(struct el_header, magic)", (long) Wire.OFFSET_MAGIC);
        expected.put("offsetof(struct el_header, version)", (long) Wire.OFFSET_VERSION);
        expected.put("offsetof(struct el_header, type)", (long) Wire.OFFSET_TYPE);
        expected.put("offsetof(struct el_header, sender)", (long) Wire.OFFSET_SENDER);
        expected.put("offsetof(struct el_header, flags)", (long) Wire.OFFSET_FLAGS);
        expected.put("offsetof(struct el_header, cluster_id)", (long) Wire.OFFSET_CLUSTER_ID);
        expected.put("offsetof(struct el_header, body_size)", (long) Wire.OFFSET_BODY_SIZE);
        expected.put("offsetof(struct el_header, view)", (long) Wire.OFFSET_VIEW);
        expected.put("offsetof(struct el_header, op)", (long) Wire.OFFSET_OP);
        expected.put("offsetof(struct el_header, commit)", (long) Wire.OFFSET_COMMIT);
        expected.put("offsetof(struct el_header, acks)", (long) Wire.OFFSET_ACKS);
        expected.put("EL_MAGIC", Integer.toUnsignedLong(Wire.MAGIC));
        expected.put("EL_VERSION", (long) Wire.VERSION);
        expected.put("EL_REPLICAS_MAX", (long) Wire.REPLICAS_MAX);
        expected.put("EL_SENDER_CLIENT", (long) Wire.SENDER_CLIENT);
        expected.put("EL_MESSAGE_SIZE_MAX", (long) Wire.MESSAGE_SIZE_MAX);
        expected.put("EL_PIPELINE_MAX", (long) Wire.PIPELINE_MAX);
        expected.put("EL_BATCH_MAX", (long) Wire.BATCH_MAX);
        expected.put("EL_FLAG_BROADCAST", (long) Wire.FLAG_BROADCAST);
        expected.put("EL_FLAG_QUORUM", (long) Wire.FLAG_QUORUM);
        expected.put("EL_TYPE_MAX", (long) MessageType.MAX);
        for (MessageType t : MessageType.values()) expected.put("EL_" + t.name(), (long) t.code);

        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include \"")
                .append(HEADER).append("\"\nint main(void) {\n");
        for (String expr : expected.keySet()) {
            c.append("  printf(\"%s=%llu\\n\", \"").append(expr).append("\", (unsigned long long)(")
                    .append(expr).append("));\n");
        }
        c.append("  return 0;\n}\n");
        Path source = Files.writeString(dir.resolve("layout.c"), c);
        Path binary = dir.resolve("layout");
        run(dir, "cc", "-Wall", "-Werror", "-o", binary.toString(), source.toString());
        String printed = run(dir, binary.toString());

        Map<String, Long> actual = new LinkedHashMap<>();
        for (String line : printed.strip().split("\n")) {
            int eq = line.lastIndexOf('=');
            actual.put(line.substring(0, eq), Long.parseUnsignedLong(line.substring(eq + 1)));
        }
        assertThat(actual).containsExactlyEntriesOf(expected);
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command[0]).isTrue();
        assertThat(p.exitValue()).as("%s failed:\n%s", String.join(" ", command), out).isZero();
        return out;
    }
}
