package org.electrolab.lab.netns;

import java.io.DataInputStream;
import java.io.EOFException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * What HostileInputTest runs inside a non-member namespace ({@code ip netns exec}):
 * {@code FRAMES BIND_PORT PORT LISTEN_MILLIS HOST...} sends every datagram of FRAMES (each an int
 * length, then the bytes) to PORT on every HOST from a socket bound to BIND_PORT (the cluster port:
 * only the source address tells it from a member); then listens LISTEN_MILLIS for anything sent back. Prints
 * {@code sent N}, one {@code answer FROM BYTES HEX} line per datagram received, and {@code answers K}.
 */
public final class HostileSender {
    private HostileSender() {}

    public static void main(String[] args) throws Exception {
        List<byte[]> frames = read(Path.of(args[0]));
        int bindPort = Integer.parseInt(args[1]);
        int port = Integer.parseInt(args[2]);
        long listenMillis = Long.parseLong(args[3]);
        int sent = 0, answers = 0;
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("0.0.0.0", bindPort))) {
            for (int i = 4; i < args.length; i++) {
                InetSocketAddress target = new InetSocketAddress(args[i], port);
                for (byte[] frame : frames) {
                    socket.send(new DatagramPacket(frame, frame.length, target));
                    sent++;
                }
            }
            System.out.println("sent " + sent);
            long deadline = System.nanoTime() + listenMillis * 1_000_000;
            byte[] buffer = new byte[65536];
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) break;
                socket.setSoTimeout((int) left);
                DatagramPacket answer = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(answer);
                } catch (SocketTimeoutException quiet) {
                    break;
                }
                answers++;
                System.out.println("answer " + answer.getSocketAddress() + " " + answer.getLength() + " "
                        + HexFormat.of().formatHex(buffer, 0, Math.min(answer.getLength(), 48)));
            }
        }
        System.out.println("answers " + answers);
    }

    private static List<byte[]> read(Path file) throws Exception {
        List<byte[]> frames = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            while (true) {
                int length;
                try {
                    length = in.readInt();
                } catch (EOFException end) {
                    return frames;
                }
                frames.add(in.readNBytes(length));
            }
        }
    }
}
