package flinkfixtures;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs the bench's word count with its checkpoint directory in HDFS ({@code hdfs://namenode:port/...}): Flink reaches
 * it through its Hadoop file system (flink-hadoop-fs with the Hadoop client on the classpath, build profile
 * {@code hadoop}). Like the {@code hashmap} and {@code rocksdb-incremental} fixture scenarios: a checkpoint a second,
 * 2 retained, retained on cancellation; cancelled once checkpoint 3 completed. Writes
 * {@code {"jobId", "configuration", "checkpoints"}} as JSON to the result file.
 *
 * <pre>HdfsScenario --checkpoints hdfs://127.0.0.1:8020/flink/checkpoints --result out.json [--scenario hashmap]</pre>
 */
public final class HdfsScenario {
    private static final String CP = "org.apache.flink.configuration.CheckpointingOptions#";
    private static final String ECP = "org.apache.flink.streaming.api.environment.ExecutionCheckpointingOptions#";
    private static final long TIMEOUT_MILLIS = 120_000;
    private static final int UNTIL_CHECKPOINT = 3;
    private static final long LARGE_KEYS = 1_100_000;
    private static final long LARGE_TIMEOUT_MILLIS = 1_800_000;

    private HdfsScenario() {}

    public static void main(String[] args) throws Exception {
        String checkpoints = null;
        String resultFile = null;
        String scenario = "rocksdb-incremental";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--checkpoints": checkpoints = args[++i]; break;
                case "--result": resultFile = args[++i]; break;
                case "--scenario": scenario = args[++i]; break;
                default: throw new IllegalArgumentException("Unknown argument " + args[i]);
            }
        }
        if (checkpoints == null || resultFile == null) {
            System.err.println("usage: HdfsScenario --checkpoints hdfs://<namenode>/<dir> --result <file> [--scenario hashmap|rocksdb-incremental|rocksdb-large]");
            System.exit(2);
        }
        Options options = new Options();
        options.set(checkpoints, CP + "CHECKPOINTS_DIRECTORY");
        options.set("0 b", CP + "FS_SMALL_FILE_THRESHOLD");
        boolean large = scenario.equals("rocksdb-large");
        options.set(large ? "10 s" : "1 s", CP + "CHECKPOINTING_INTERVAL", ECP + "CHECKPOINTING_INTERVAL");
        options.set("2", CP + "MAX_RETAINED_CHECKPOINTS");
        options.set("RETAIN_ON_CANCELLATION", CP + "EXTERNALIZED_CHECKPOINT_RETENTION", ECP + "EXTERNALIZED_CHECKPOINT");
        switch (scenario) {
            case "hashmap":
                options.set("hashmap", "org.apache.flink.configuration.StateBackendOptions#STATE_BACKEND");
                break;
            case "rocksdb-incremental":
            case "rocksdb-large":
                options.set("rocksdb", "org.apache.flink.configuration.StateBackendOptions#STATE_BACKEND");
                options.set("true", CP + "INCREMENTAL_CHECKPOINTS");
                break;
            default:
                throw new IllegalArgumentException("Unknown scenario " + scenario + "; known: hashmap, rocksdb-incremental, rocksdb-large");
        }
        options.set("127.0.0.1", "org.apache.flink.configuration.RestOptions#BIND_ADDRESS");
        options.set("0", "org.apache.flink.configuration.RestOptions#BIND_PORT");
        options.set("127.0.0.1", "org.apache.flink.configuration.TaskManagerOptions#HOST");
        options.setIfPresent("127.0.0.1", "org.apache.flink.configuration.TaskManagerOptions#BIND_HOST");
        options.setIfPresent("127.0.0.1", "org.apache.flink.configuration.JobManagerOptions#BIND_HOST");
        Configuration configuration = options.toConfiguration();
        // flink.hadoop.* keys reach the Hadoop client's configuration; the MiniDFSCluster has one DataNode.
        configuration.setString("flink.hadoop.dfs.replication", "1");
        FileSystem.initialize(configuration, null);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(4);
        env.setMaxParallelism(128);
        if (large) {
            // about 1.1 GB: 1,100,000 keys of 1 KiB random bytes, over 2 subtasks
            env.setParallelism(2);
            LargeStateJob.build(env, LARGE_KEYS, 1024);
        } else {
            WordCountJob.build(env, 10, 0);
        }
        JobClient client = env.executeAsync("word count (" + scenario + " on HDFS)");
        Path jobDir = new Path(checkpoints, client.getJobID().toString());
        long deadline = System.currentTimeMillis() + (large ? LARGE_TIMEOUT_MILLIS : TIMEOUT_MILLIS);
        int until = large ? Integer.MAX_VALUE : UNTIL_CHECKPOINT;
        List<String> done;
        while ((done = completed(jobDir)).isEmpty() || latest(done) < until) {
            if (until == Integer.MAX_VALUE && LargeStateJob.WRITTEN.get() >= LARGE_KEYS) {
                // every key has its value: the checkpoint after the one in flight holds all of it
                until = (done.isEmpty() ? 0 : latest(done)) + 2;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("No checkpoint " + UNTIL_CHECKPOINT + " within " + TIMEOUT_MILLIS + " ms in " + jobDir);
            }
            JobStatus status = client.getJobStatus().get();
            if (status.isGloballyTerminalState()) {
                client.getJobExecutionResult().get();
                throw new IllegalStateException("Job ended early: " + status);
            }
            Thread.sleep(200);
        }
        client.cancel().get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        try {
            client.getJobExecutionResult().get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException expected) {
            // a cancelled job completes exceptionally
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("jobId", client.getJobID().toString());
        result.put("configuration", options.asMap());
        result.put("checkpoints", completed(jobDir));
        Files.writeString(java.nio.file.Path.of(resultFile), Json.write(result));
        // Flink leaves non-daemon threads behind after a local job ends; the work is done.
        System.exit(0);
    }

    /** The {@code chk-N} directories of the job that hold a {@code _metadata}, in id order. */
    private static List<String> completed(Path jobDir) throws Exception {
        FileSystem fs = jobDir.getFileSystem();
        List<String> names = new ArrayList<>();
        if (!fs.exists(jobDir)) {
            return names;
        }
        for (FileStatus status : fs.listStatus(jobDir)) {
            String name = status.getPath().getName();
            if (name.startsWith("chk-") && fs.exists(new Path(status.getPath(), "_metadata"))) {
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
