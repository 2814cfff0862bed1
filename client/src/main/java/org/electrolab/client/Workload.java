package org.electrolab.client;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.electrolab.protocol.Check;
import org.electrolab.protocol.Kv;
import org.electrolab.protocol.Wire;

/** What the load generator asks: one request payload after another, and which results are errors. */
public sealed interface Workload {

    /** The app this workload talks to, as cluster.yaml names it. */
    String app();

    byte[] nextRequest();

    /** Whether {@code result} is an app error for {@code request} (a result that does not decode is one). */
    boolean isError(byte[] request, byte[] result);

    /** The knobs of this workload, for run.json. */
    Map<String, Object> settings();

    /**
     * The workload for the cluster's app: {@code null} sends payloads of {@code payloadBytes};
     * {@code kv} puts values of {@code payloadBytes} and gets over {@code keys} keys, reading with
     * probability {@code readRatio}.
     */
    static Workload forApp(String app, int payloadBytes, int keys, double readRatio, long seed) {
        return switch (app) {
            case "null" -> new NullPayloads(payloadBytes, seed);
            case "kv" -> new KeyValue(keys, readRatio, payloadBytes, seed);
            default -> throw new IllegalArgumentException("unknown app '" + app + "' (use null or kv)");
        };
    }

    /** Electrode's benchmark: the null app returns the request, so a reply that differs is an error. */
    final class NullPayloads implements Workload {
        private final int payloadBytes;
        private final SplittableRandom random;

        public NullPayloads(int payloadBytes, long seed) {
            Check.that(payloadBytes >= 0 && payloadBytes <= Wire.PAYLOAD_SIZE_MAX, "payload of 0..%d bytes, not %d",
                    Wire.PAYLOAD_SIZE_MAX, payloadBytes);
            this.payloadBytes = payloadBytes;
            this.random = new SplittableRandom(seed);
        }

        public String app() {
            return "null";
        }

        public byte[] nextRequest() {
            byte[] payload = new byte[payloadBytes];
            random.nextBytes(payload);
            return payload;
        }

        public boolean isError(byte[] request, byte[] result) {
            return !Arrays.equals(request, result);
        }

        public Map<String, Object> settings() {
            return Map.of("payloadBytes", payloadBytes);
        }
    }

    /** Gets and puts of uniformly chosen keys {@code k0 .. k<keys-1>}. */
    final class KeyValue implements Workload {
        private static final char[] LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
        private final int keys;
        private final double readRatio;
        private final int valueBytes;
        private final SplittableRandom random;

        public KeyValue(int keys, double readRatio, int valueBytes, long seed) {
            Check.that(keys >= 1, "at least one key, not %d", keys);
            Check.that(readRatio >= 0 && readRatio <= 1, "read ratio in [0, 1], not %s", readRatio);
            Check.that(valueBytes >= 0 && valueBytes <= Wire.PAYLOAD_SIZE_MAX - 64, "value of 0..%d bytes, not %d",
                    Wire.PAYLOAD_SIZE_MAX - 64, valueBytes);
            this.keys = keys;
            this.readRatio = readRatio;
            this.valueBytes = valueBytes;
            this.random = new SplittableRandom(seed);
        }

        public String app() {
            return "kv";
        }

        public byte[] nextRequest() {
            String key = "k" + random.nextInt(keys);
            if (random.nextDouble() < readRatio) return Kv.encode(new Kv.Get(key));
            char[] value = new char[valueBytes];
            for (int i = 0; i < value.length; i++) value[i] = LETTERS[random.nextInt(LETTERS.length)];
            return Kv.encode(new Kv.Put(key, new String(value)));
        }

        /** This workload sends no CAS, so CAS_FAILED can only mean the replica misread the request. */
        public boolean isError(byte[] request, byte[] result) {
            try {
                Kv.Status status = Kv.decodeResult(result).status();
                return status == Kv.Status.BAD_REQUEST || status == Kv.Status.CAS_FAILED;
            } catch (IllegalArgumentException e) {
                return true;
            }
        }

        public Map<String, Object> settings() {
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("keys", keys);
            settings.put("readRatio", readRatio);
            settings.put("valueBytes", valueBytes);
            return settings;
        }
    }
}
