import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.File;
import java.nio.file.Files;

/**
 * Warm timing of Flink's own Checkpoints.loadCheckpointMetadata over many files in one JVM, so a large corpus costs
 * one JVM start instead of one per file (test/flink's Oracle --time takes a single file).
 *
 * <pre>
 * TimeAll WARMUP_MS MIN_MS MIN_ITERATIONS FILE...   one JSON line per file: bytes, iterations, msPerOp, or error
 * </pre>
 *
 * A first pass loads each file for WARMUP_MS; a second pass times each for at least MIN_MS and MIN_ITERATIONS loads,
 * from bytes in memory, with the file's directory as the external pointer (as Flink resolves relative handles).
 */
public final class TimeAll {
    private TimeAll() {}

    public static void main(String[] args) throws Exception {
        long warmupMs = Long.parseLong(args[0]);
        long minMs = Long.parseLong(args[1]);
        int minIterations = Integer.parseInt(args[2]);
        int n = args.length - 3;
        File[] files = new File[n];
        byte[][] contents = new byte[n][];
        String[] errors = new String[n];
        for (int i = 0; i < n; i++) {
            files[i] = new File(args[i + 3]).getAbsoluteFile();
            contents[i] = Files.readAllBytes(files[i].toPath());
        }
        // Warm-up pass over every file first, so the JIT has seen all shapes before any file is timed.
        for (int i = 0; i < n; i++) {
            long warmEnd = System.nanoTime() + warmupMs * 1_000_000L;
            int warm = 0;
            try {
                while (warm < 2 || System.nanoTime() < warmEnd) {
                    load(contents[i], files[i].getParent());
                    warm++;
                }
            } catch (Exception e) {
                errors[i] = String.valueOf(e);
            }
        }
        for (int i = 0; i < n; i++) {
            if (errors[i] != null) {
                System.out.printf("{\"file\":\"%s\",\"bytes\":%d,\"error\":\"%s\"}%n", escape(files[i].getPath()), contents[i].length, escape(errors[i]));
                continue;
            }
            int operators = 0;
            int iterations = 0;
            long start = System.nanoTime();
            long now = start;
            while (iterations < minIterations || now - start < minMs * 1_000_000L) {
                operators = load(contents[i], files[i].getParent()).getOperatorStates().size();
                iterations++;
                now = System.nanoTime();
            }
            double ms = (now - start) / 1e6;
            System.out.printf("{\"file\":\"%s\",\"bytes\":%d,\"iterations\":%d,\"msPerOp\":%.6f,\"operators\":%d}%n",
                    escape(files[i].getPath()), contents[i].length, iterations, ms / iterations, operators);
        }
    }

    private static CheckpointMetadata load(byte[] bytes, String pointer) throws Exception {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            return Checkpoints.loadCheckpointMetadata(in, TimeAll.class.getClassLoader(), pointer);
        }
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ");
    }
}
