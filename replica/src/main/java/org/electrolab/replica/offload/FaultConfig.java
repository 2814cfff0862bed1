package org.electrolab.replica.offload;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * struct fault_config (bpf/fault_inject.h): the link faults fault_inject applies to the frames one
 * bridge port of the netns lab delivers, as parts per million of its IPv4 UDP datagrams.
 *
 * @param slowClassid the HTB class (major &lt;&lt; 16 | minor) slowed frames go to; 0: none
 */
public record FaultConfig(int lossPpm, int duplicatePpm, int slowPpm, int slowClassid) {

    /** The C struct, field by field; OffloadLayoutTest holds it to the header. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("loss_ppm"),
            JAVA_INT.withName("duplicate_ppm"),
            JAVA_INT.withName("slow_ppm"),
            JAVA_INT.withName("slow_classid"));

    /** No fault: what the map holds when the program is loaded. */
    public static final FaultConfig NONE = new FaultConfig(0, 0, 0, 0);

    private static final int LOSS_PPM = offset("loss_ppm");
    private static final int DUPLICATE_PPM = offset("duplicate_ppm");
    private static final int SLOW_PPM = offset("slow_ppm");
    private static final int SLOW_CLASSID = offset("slow_classid");

    public FaultConfig withLossPpm(int ppm) {
        return new FaultConfig(ppm, duplicatePpm, slowPpm, slowClassid);
    }

    public FaultConfig withDuplicatePpm(int ppm) {
        return new FaultConfig(lossPpm, ppm, slowPpm, slowClassid);
    }

    public FaultConfig withSlow(int ppm, int classid) {
        return new FaultConfig(lossPpm, duplicatePpm, ppm, classid);
    }

    /** The map value, in the kernel's (native) byte order. */
    public byte[] toBytes() {
        return ByteBuffer.allocate((int) LAYOUT.byteSize()).order(ByteOrder.nativeOrder())
                .putInt(LOSS_PPM, lossPpm).putInt(DUPLICATE_PPM, duplicatePpm)
                .putInt(SLOW_PPM, slowPpm).putInt(SLOW_CLASSID, slowClassid)
                .array();
    }

    /** The config in a map value; a value of another size means the program and this class disagree. */
    public static FaultConfig fromBytes(byte[] value) {
        if (value.length != LAYOUT.byteSize()) {
            throw new BpfException("fault_config holds " + value.length + " bytes, not " + LAYOUT.byteSize()
                    + ": the loaded fault_inject.bpf.o and this build disagree; rebuild (./mvnw -DskipTests install)");
        }
        ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.nativeOrder());
        return new FaultConfig(b.getInt(LOSS_PPM), b.getInt(DUPLICATE_PPM), b.getInt(SLOW_PPM), b.getInt(SLOW_CLASSID));
    }

    private static int offset(String field) {
        return (int) LAYOUT.byteOffset(groupElement(field));
    }
}
