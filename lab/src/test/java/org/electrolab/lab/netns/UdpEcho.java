package org.electrolab.lab.netns;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A tiny UDP program the network tests run inside lab namespaces ({@code ip netns exec}):
 * {@code echo PORT} answers one datagram and exits (printing "ready" once bound);
 * {@code send HOST PORT TEXT} sends TEXT until the answer comes (at most 10 s) and prints it.
 */
public final class UdpEcho {
    private UdpEcho() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "echo" -> echo(Integer.parseInt(args[1]));
            case "send" -> send(args[1], Integer.parseInt(args[2]), args[3]);
            default -> throw new IllegalArgumentException("echo PORT | send HOST PORT TEXT");
        }
    }

    private static void echo(int port) throws Exception {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("0.0.0.0", port))) {
            System.out.println("ready");
            System.out.flush();
            DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
            socket.receive(packet);
            socket.send(new DatagramPacket(packet.getData(), packet.getLength(), packet.getSocketAddress()));
        }
    }

    private static void send(String host, int port, String text) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        long deadline = System.nanoTime() + 10_000_000_000L;
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(200);
            while (System.nanoTime() < deadline) {
                socket.send(new DatagramPacket(bytes, bytes.length, new InetSocketAddress(host, port)));
                DatagramPacket reply = new DatagramPacket(new byte[1500], 1500);
                try {
                    socket.receive(reply);
                    System.out.println(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8));
                    return;
                } catch (SocketTimeoutException resend) {
                    // The first datagram can be lost while ARP resolves; send again.
                }
            }
        }
        System.exit(1);
    }
}
