package flinkfixtures;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Writes the state-values benchmark's snapshots with real Flink: {@link LargeStateJob} ({@code --keys} keys of
 * {@code --value-bytes} random bytes, parallelism 2, max parallelism 128) on the RocksDB backend with incremental
 * checkpoints into {@code DIR/checkpoints}; once every key has its value and two more checkpoints completed, a
 * canonical savepoint into {@code DIR/savepoints}, then the job is cancelled (its last checkpoint retained). Writes
 * {@code {"jobId", "checkpoint", "savepoint", "keys", "valueBytes"}} to {@code DIR/result.json}.
 *
 * <pre>StateBenchData --dir DIR [--keys 1100000] [--value-bytes 1024]</pre>
 */
public final class StateBenchData {
    private static final String CP = "org.apache.flink.configuration.CheckpointingOptions#";
    private static final long TIMEOUT_MILLIS = 3_600_000;

    private StateBenchData() {}

    public static void main(String[] args) throws Exception {
        String dir = null;
        long keys = 1_100_000;
        int valueBytes = 1024;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dir": dir = args[++i]; break;
                case "--keys": keys = Long.parseLong(args[++i]); break;
                case "--value-bytes": valueBytes = Integer.parseInt(args[++i]); break;
                default: throw new IllegalArgumentException("Unknown argument " + args[i]);
            }
        }
        if (dir == null) {
            System.err.println("usage: StateBenchData --dir DIR [--keys N] [--value-bytes N]");
            System.exit(2);
        }
        File root = new File(dir).getAbsoluteFile();
        File checkpoints = new File(root, "checkpoints");
        Options options = new Options();
        options.set("rocksdb", "org.apache.flink.configuration.StateBackendOptions#STATE_BACKEND");
        options.set("true", CP + "INCREMENTAL_CHECKPOINTS");
        options.set(checkpoints.toURI().toString(), CP + "CHECKPOINTS_DIRECTORY");
        options.set(new File(root, "savepoints").toURI().toString(), CP + "SAVEPOINT_DIRECTORY");
        options.set("0 b", CP + "FS_SMALL_FILE_THRESHOLD");
        options.set("5 s", CP + "CHECKPOINTING_INTERVAL");
        options.set("1", CP + "MAX_RETAINED_CHECKPOINTS");
        options.set("RETAIN_ON_CANCELLATION", CP + "EXTERNALIZED_CHECKPOINT_RETENTION");
        options.set("127.0.0.1", "org.apache.flink.configuration.RestOptions#BIND_ADDRESS");
        options.set("0", "org.apache.flink.configuration.RestOptions#BIND_PORT");
        options.set("127.0.0.1", "org.apache.flink.configuration.TaskManagerOptions#HOST");
        options.setIfPresent("127.0.0.1", "org.apache.flink.configuration.TaskManagerOptions#BIND_HOST");
        options.setIfPresent("127.0.0.1", "org.apache.flink.configuration.JobManagerOptions#BIND_HOST");

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(options.toConfiguration());
        env.setParallelism(2);
        env.setMaxParallelism(128);
        LargeStateJob.build(env, keys, valueBytes);
        JobClient client = env.executeAsync("state-values benchmark data");
        File jobDir = new File(checkpoints, client.getJobID().toString());
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        int until = Integer.MAX_VALUE;
        List<String> done;
        while ((done = completed(jobDir)).isEmpty() || latest(done) < until) {
            if (until == Integer.MAX_VALUE && LargeStateJob.WRITTEN.get() >= keys) {
                // every key has its value: the checkpoint after the one in flight holds all of it
                until = (done.isEmpty() ? 0 : latest(done)) + 2;
                System.err.println("all " + keys + " keys written; waiting for checkpoint " + until);
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("State not complete within " + TIMEOUT_MILLIS + " ms in " + jobDir);
            }
            if (client.getJobStatus().get().isGloballyTerminalState()) {
                client.getJobExecutionResult().get();
                throw new IllegalStateException("Job ended early");
            }
            Thread.sleep(500);
        }
        String savepoint = client.triggerSavepoint(null, SavepointFormatType.CANONICAL).get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        client.cancel().get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        try {
            client.getJobExecutionResult().get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException expected) {
            // a cancelled job completes exceptionally
        }
        done = completed(jobDir);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("jobId", client.getJobID().toString());
        result.put("checkpoint", new File(jobDir, done.get(done.size() - 1)).getPath());
        result.put("savepoint", savepoint.replaceFirst("^file:", ""));
        result.put("keys", keys);
        result.put("valueBytes", valueBytes);
        Files.writeString(new File(root, "result.json").toPath(), Json.write(result));
        // Flink leaves non-daemon threads behind after a local job ends; the work is done.
        System.exit(0);
    }

    /** The {@code chk-N} directories of the job that hold a {@code _metadata}, in id order. */
    private static List<String> completed(File jobDir) {
        List<String> names = new ArrayList<>();
        String[] children = jobDir.list();
        if (children == null) {
            return names;
        }
        for (String name : children) {
            if (name.startsWith("chk-") && new File(new File(jobDir, name), "_metadata").isFile()) {
                names.add(name);
            }
        }
        names.sort((a, b) -> Integer.compare(Integer.parseInt(a.substring(4)), Integer.parseInt(b.substring(4))));
        return names;
    }

    private static int latest(List<String> names) {
        return Integer.parseInt(names.get(names.size() - 1).substring(4));
    }
}
