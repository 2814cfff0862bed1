package org.electrolab.lab.netns;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * UDP traffic for {@link LinkFaultsTest}, run inside lab namespaces with {@code ip netns exec}:
 * <pre>
 *   echo PORT                        answers every datagram to its sender until killed; prints "ready" once bound
 *   pingpong HOST PORT COUNT SIZE    sends COUNT numbered datagrams one at a time, each answered or given up after 20 ms
 *   burst HOST PORT COUNT SIZE       sends COUNT numbered datagrams back to back
 * </pre>
 * The senders then take answers until none came for a quiet second and print one line,
 * {@code replies=R distinct=D ordered=true|false micros=M}: answers, distinct numbers answered,
 * whether the distinct answers came in sending order, and microseconds from the first send to
 * the last answer.
 */
public final class UdpTraffic {
    private static final int ANSWER_WAIT_MILLIS = 20;
    private static final int QUIET_MILLIS = 1000;

    private UdpTraffic() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "echo" -> echo(Integer.parseInt(args[1]));
            case "pingpong", "burst" -> send(args[0].equals("burst"), new InetSocketAddress(args[1], Integer.parseInt(args[2])),
                    Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            default -> throw new IllegalArgumentException("echo PORT | pingpong|burst HOST PORT COUNT SIZE");
        }
    }

    private static void echo(int port) throws Exception {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("0.0.0.0", port))) {
            System.out.println("ready");
            System.out.flush();
            DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
            while (true) {
                socket.receive(packet);
                socket.send(new DatagramPacket(packet.getData(), packet.getLength(), packet.getSocketAddress()));
                packet.setLength(65536);
            }
        }
    }

    private static void send(boolean burst, InetSocketAddress to, int count, int size) throws Exception {
        List<Integer> answers = new ArrayList<>();
        long start = System.nanoTime();
        long lastAnswer = start;
        try (DatagramSocket socket = new DatagramSocket()) {
            for (int seq = 0; seq < count; seq++) {
                byte[] datagram = ByteBuffer.allocate(size).putInt(seq).array();
                socket.send(new DatagramPacket(datagram, size, to));
                if (burst) continue;
                socket.setSoTimeout(ANSWER_WAIT_MILLIS);
                long deadline = System.nanoTime() + ANSWER_WAIT_MILLIS * 1_000_000L;
                while (!answers.contains(seq) && System.nanoTime() < deadline) {
                    Integer answer = receive(socket);
                    if (answer == null) break;
                    answers.add(answer);
                    lastAnswer = System.nanoTime();
                }
            }
            socket.setSoTimeout(QUIET_MILLIS);
            for (Integer answer = receive(socket); answer != null; answer = receive(socket)) {
                answers.add(answer);
                lastAnswer = System.nanoTime();
            }
        }
        Set<Integer> distinct = new LinkedHashSet<>(answers);
        List<Integer> order = new ArrayList<>(distinct);
        System.out.println("replies=" + answers.size() + " distinct=" + distinct.size()
                + " ordered=" + order.equals(order.stream().sorted().toList())
                + " micros=" + (lastAnswer - start) / 1000);
    }

    /** The number in the next answer, or null when none came within the socket's timeout. */
    private static Integer receive(DatagramSocket socket) throws Exception {
        DatagramPacket reply = new DatagramPacket(new byte[65536], 65536);
        try {
            socket.receive(reply);
            return ByteBuffer.wrap(reply.getData(), 0, reply.getLength()).getInt();
        } catch (SocketTimeoutException quiet) {
            return null;
        }
    }
}
