package flinkfixtures;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.plugin.PluginUtils;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs the bench's word count with its checkpoint directory in an S3 bucket ({@code s3a://} through
 * flink-s3-fs-hadoop, {@code s3p://} through flink-s3-fs-presto; build profile {@code s3}). Both file systems are
 * plugins: on one class path their unrelocated flink-s3-fs-base classes would clash. Their {@code s3.*} options come
 * from the Flink configuration as on a cluster. A checkpoint a second, 2 retained,
 * retained on cancellation; cancelled once checkpoint 3 completed. Scenarios: {@code rocksdb-incremental},
 * {@code hashmap}, {@code entropy} (rocksdb with {@code s3.entropy.key}: data files under random prefixes, _metadata
 * without), {@code file-merging} (1.20+: checkpoint file merging). Writes {@code {"jobId", "configuration",
 * "checkpoints"}} as JSON to the result file; the configuration leaves the secret key out.
 *
 * <pre>S3Scenario --checkpoints s3a://bucket/flink/checkpoints --endpoint http://127.0.0.1:9000 --access-key K
 *   --secret-key S --result out.json [--scenario rocksdb-incremental]</pre>
 */
public final class S3Scenario {
    private static final String CP = "org.apache.flink.configuration.CheckpointingOptions#";
    private static final String ECP = "org.apache.flink.streaming.api.environment.ExecutionCheckpointingOptions#";
    private static final long TIMEOUT_MILLIS = 120_000;
    private static final int UNTIL_CHECKPOINT = 3;
    /** The entropy key the {@code entropy} scenario puts into the checkpoint directory. */
    static final String ENTROPY_KEY = "_entropy_";

    private S3Scenario() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> arguments = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("Expected --name value pairs, got " + args[i]);
            }
            arguments.put(args[i].substring(2), args[i + 1]);
        }
        for (String required : new String[] {"checkpoints", "endpoint", "access-key", "secret-key", "result"}) {
            if (!arguments.containsKey(required)) {
                System.err.println("usage: S3Scenario --checkpoints s3a://<bucket>/<dir> --endpoint <url> --access-key <k>"
                        + " --secret-key <s> --result <file> [--scenario rocksdb-incremental|hashmap|entropy|file-merging]");
                System.exit(2);
            }
        }
        String scenario = arguments.getOrDefault("scenario", "rocksdb-incremental");
        String checkpoints = arguments.get("checkpoints");
        Options options = new Options();
        options.set("0 b", CP + "FS_SMALL_FILE_THRESHOLD");
        options.set("1 s", CP + "CHECKPOINTING_INTERVAL", ECP + "CHECKPOINTING_INTERVAL");
        options.set("2", CP + "MAX_RETAINED_CHECKPOINTS");
        options.set("RETAIN_ON_CANCELLATION", CP + "EXTERNALIZED_CHECKPOINT_RETENTION", ECP + "EXTERNALIZED_CHECKPOINT");
        options.set("rocksdb", "org.apache.flink.configuration.StateBackendOptions#STATE_BACKEND");
        options.set("true", CP + "INCREMENTAL_CHECKPOINTS");
        Map<String, String> s3 = new LinkedHashMap<>();
        switch (scenario) {
            case "hashmap":
                options.set("hashmap", "org.apache.flink.configuration.StateBackendOptions#STATE_BACKEND");
                break;
            case "rocksdb-incremental":
                break;
            case "entropy":
                s3.put("s3.entropy.key", ENTROPY_KEY);
                s3.put("s3.entropy.length", "4");
                break;
            case "file-merging":
                options.set("true", CP + "FILE_MERGING_ENABLED");
                break;
            default:
                throw new IllegalArgumentException("Unknown scenario " + scenario + "; known: rocksdb-incremental, hashmap, entropy, file-merging");
        }
        options.set(checkpoints, CP + "CHECKPOINTS_DIRECTORY");
        options.set("127.0.0.1", "org.apache.flink.configuration.RestOptions#BIND_ADDRESS");
        options.set("0", "org.apache.flink.configuration.RestOptions#BIND_PORT");
        options.set("127.0.0.1", "org.apache.flink.configuration.TaskManagerOptions#HOST");
        options.setIfPresent("127.0.0.1", "org.apache.flink.configuration.TaskManagerOptions#BIND_HOST");
        options.setIfPresent("127.0.0.1", "org.apache.flink.configuration.JobManagerOptions#BIND_HOST");
        // The keys Flink's S3 file systems read (docs: "Amazon S3"), as a flink-conf.yaml would give them.
        s3.put("s3.endpoint", arguments.get("endpoint"));
        s3.put("s3.path.style.access", "true");
        s3.put("s3.access-key", arguments.get("access-key"));
        // S3A deletes the parent "directory" marker objects after every write with DeleteObjects; versitygw's answer
        // to that makes S3A retry with backoff for minutes. Keeping markers (Hadoop's default since 3.4) avoids it.
        s3.put("s3.directory.marker.retention", "keep");
        Configuration configuration = options.toConfiguration();
        for (Map.Entry<String, String> entry : s3.entrySet()) {
            configuration.setString(entry.getKey(), entry.getValue());
        }
        configuration.setString("s3.secret-key", arguments.get("secret-key"));
        // The S3 file systems are plugins (FLINK_PLUGINS_DIR), each in its own class loader, as on a cluster.
        FileSystem.initialize(configuration, PluginUtils.createPluginManagerFromRootFolder(configuration));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.setParallelism(4);
        env.setMaxParallelism(128);
        WordCountJob.build(env, 10, 0);
        JobClient client = env.executeAsync("word count (" + scenario + " on S3)");
        // With entropy injection, _metadata is written with the key removed from the path.
        Path jobDir = new Path(checkpoints.replace(ENTROPY_KEY + "/", ""), client.getJobID().toString());
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        List<String> done;
        while ((done = completed(jobDir)).isEmpty() || latest(done) < UNTIL_CHECKPOINT) {
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
        Map<String, String> shown = new LinkedHashMap<>(options.asMap());
        shown.putAll(s3);
        result.put("configuration", shown);
        result.put("checkpoints", completed(jobDir));
        Files.writeString(java.nio.file.Path.of(arguments.get("result")), Json.write(result));
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
