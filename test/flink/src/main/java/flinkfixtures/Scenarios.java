package flinkfixtures;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the fixture scenarios of one Flink line on a local MiniCluster and writes their checkpoint and savepoint
 * trees under {@code <root>/<scenario>/}, each {@code _metadata} with its {@code _metadata.oracle.json}, plus
 * {@code <root>/scenarios.json} describing what each scenario holds.
 *
 * <pre>Scenarios --flink-version 1.20.5 --root /tmp/flink-fixtures/1.20.5 [--dstl-version V] [--job zoo] [scenario...]</pre>
 *
 * {@code --job zoo} runs the serializer-zoo job (src/zoo, built with -Dflink.zoo) at parallelism 1 with one retained
 * checkpoint instead of the word count, and also writes {@code _metadata.schema.json} (Flink's own reading of the
 * state schemas, {@link SchemaOracle}) beside every {@code _metadata}. {@code --job table} runs the Table API / SQL
 * job (src/table, built with -Dflink.table) the same way.
 */
public final class Scenarios {
    private static final String CP = "org.apache.flink.configuration.CheckpointingOptions#";
    private static final String ECP = "org.apache.flink.streaming.api.environment.ExecutionCheckpointingOptions#";
    private static final long TIMEOUT_MILLIS = 180_000;

    private final String flinkVersion;
    private final File root;
    /** A state job (zoo or table): parallelism 1, one retained checkpoint, schema oracle. */
    private final boolean zoo;
    private final String job;

    private Scenarios(String flinkVersion, File root, String job) {
        this.flinkVersion = flinkVersion;
        this.root = root;
        this.job = job;
        this.zoo = !job.equals("wordcount");
    }

    static final List<String> ALL = List.of(
            "hashmap", "rocksdb-incremental", "rocksdb-full", "savepoints", "unaligned", "changelog", "changelog-memory", "file-merging");
    static final List<String> TABLE = List.of("hashmap", "rocksdb-incremental", "rocksdb-full", "savepoints");
    static final List<String> ZOO = List.of(
            "hashmap", "rocksdb-incremental", "rocksdb-full", "savepoints", "changelog", "changelog-memory", "file-merging", "forst", "hashmap-compressed");

    public static void main(String[] args) throws Exception {
        String version = null;
        String rootDir = null;
        String dstlVersion = null;
        String job = "wordcount";
        List<String> names = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--flink-version": version = args[++i]; break;
                case "--root": rootDir = args[++i]; break;
                case "--dstl-version": dstlVersion = args[++i]; break;
                case "--job": job = args[++i]; break;
                default: names.add(args[i]);
            }
        }
        if (version == null || rootDir == null) {
            System.err.println("usage: Scenarios --flink-version <v> --root <dir> [--dstl-version <v>] [scenario...]");
            System.exit(2);
        }
        if (names.isEmpty()) {
            names.addAll(job.equals("zoo") ? ZOO : job.equals("table") ? TABLE : ALL);
        }
        Scenarios scenarios = new Scenarios(version, new File(rootDir).getAbsoluteFile(), job);
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("flinkVersion", version);
        index.put("dstlVersion", dstlVersion == null ? version : dstlVersion.equals("none") ? null : dstlVersion);
        Map<String, Object> results = new LinkedHashMap<>();
        for (String name : names) {
            long start = System.nanoTime();
            Map<String, Object> result = scenarios.run(name);
            if (result == null) {
                deleteTree(new File(scenarios.root, name).toPath());
                System.out.printf("%s %s: not available in this line%n", version, name);
                continue;
            }
            int oracles = writeOracles(new File(scenarios.root, name));
            if (scenarios.zoo) {
                SchemaOracle.writeAll(metadataFiles(new File(scenarios.root, name)));
            }
            result.put("metadataFiles", oracles);
            result.put("emptyDirectories", emptyDirectories(new File(scenarios.root, name)));
            results.put(name, result);
            System.out.printf("%s %s: %d _metadata files in %.1f s%n", version, name, oracles, (System.nanoTime() - start) / 1e9);
        }
        index.put("scenarios", results);
        Files.writeString(new File(scenarios.root, "scenarios.json").toPath(), Json.write(index));
        // Flink leaves non-daemon threads behind after a local job ends; the work is done.
        System.exit(0);
    }

    private Map<String, Object> run(String name) throws Exception {
        File dir = new File(root, name);
        deleteTree(dir.toPath());
        Files.createDirectories(dir.toPath());
        String uri = "file:" + dir.getPath();
        Options options = base(name, uri);
        Map<String, Object> result = new LinkedHashMap<>();
        switch (name) {
            case "hashmap":
                result.put("description", "word count, HashMap backend, 2 retained checkpoints, retained on cancellation");
                options.set("hashmap", "org.apache.flink.configuration.StateBackendOptions#STATE_BACKEND");
                return checkpoints(dir, options, 3, 2, 0, result);
            case "hashmap-compressed":
                result.put("description", "word count, HashMap backend with snapshot compression (Snappy-framed key groups)");
                options.set("hashmap", "org.apache.flink.configuration.StateBackendOptions#STATE_BACKEND");
                options.set("true", "org.apache.flink.configuration.CheckpointingOptions#SNAPSHOT_COMPRESSION",
                        "org.apache.flink.configuration.ExecutionOptions#SNAPSHOT_COMPRESSION");
                return checkpoints(dir, options, 3, 2, 0, result);
            case "rocksdb-incremental":
                result.put("description", "word count, RocksDB incremental: shared/ SSTs referenced by both retained checkpoints");
                options.set("rocksdb", "org.apache.flink.configuration.StateBackendOptions#STATE_BACKEND");
                options.set("true", CP + "INCREMENTAL_CHECKPOINTS");
                return checkpoints(dir, options, 3, 2, 0, result);
            case "rocksdb-full":
                result.put("description", "word count, RocksDB full (non-incremental) checkpoints");
                options.set("rocksdb", "org.apache.flink.configuration.StateBackendOptions#STATE_BACKEND");
                options.set("false", CP + "INCREMENTAL_CHECKPOINTS");
                return checkpoints(dir, options, 3, 2, 0, result);
            case "unaligned":
                result.put("description", "word count under backpressure (slow counter), unaligned checkpoints with in-flight channel state");
                options.set("hashmap", "org.apache.flink.configuration.StateBackendOptions#STATE_BACKEND");
                options.set("true", CP + "ENABLE_UNALIGNED", ECP + "ENABLE_UNALIGNED");
                options.set("0 ms", CP + "ALIGNED_CHECKPOINT_TIMEOUT", ECP + "ALIGNED_CHECKPOINT_TIMEOUT");
                // small network buffers keep the in-flight data (and the fixture) small; 2.x dropped the per-channel knobs
                options.set("4 kb", "org.apache.flink.configuration.TaskManagerOptions#MEMORY_SEGMENT_SIZE");
                options.setIfPresent("1", "org.apache.flink.configuration.NettyShuffleEnvironmentOptions#NETWORK_BUFFERS_PER_CHANNEL");
                options.setIfPresent("2", "org.apache.flink.configuration.NettyShuffleEnvironmentOptions#NETWORK_EXTRA_BUFFERS_PER_GATE");
                return checkpoints(dir, options, 3, 1, 20, result);
            case "changelog":
            case "changelog-memory":
                if (!Options.exists("org.apache.flink.configuration.StateChangelogOptions#ENABLE_STATE_CHANGE_LOG")) {
                    return null;
                }
                boolean memory = name.equals("changelog-memory");
                if (!memory && !Options.exists("org.apache.flink.changelog.fs.FsStateChangelogOptions#BASE_PATH")) {
                    return null;
                }
                result.put("description", "word count on the changelog state backend over RocksDB incremental, "
                        + (memory ? "in-memory changelog storage (changes inline in _metadata)" : "file-based changelog storage (DSTL files under dstl/)"));
                options.set("rocksdb", "org.apache.flink.configuration.StateBackendOptions#STATE_BACKEND");
                options.set("true", CP + "INCREMENTAL_CHECKPOINTS");
                options.set("true", "org.apache.flink.configuration.StateChangelogOptions#ENABLE_STATE_CHANGE_LOG");
                options.set(memory ? "memory" : "filesystem", "org.apache.flink.configuration.StateChangelogOptions#STATE_CHANGE_LOG_STORAGE");
                options.set("2 s", "org.apache.flink.configuration.StateChangelogOptions#PERIODIC_MATERIALIZATION_INTERVAL");
                if (!memory) {
                    options.set(uri + "/dstl", "org.apache.flink.changelog.fs.FsStateChangelogOptions#BASE_PATH");
                }
                return checkpoints(dir, options, 5, 2, 0, result);
            case "file-merging":
                if (!Options.exists(CP + "FILE_MERGING_ENABLED")) {
                    return null;
                }
                result.put("description", "word count, RocksDB incremental with checkpoint file merging (segment handles, taskowned/)");
                options.set("rocksdb", "org.apache.flink.configuration.StateBackendOptions#STATE_BACKEND");
                options.set("true", CP + "INCREMENTAL_CHECKPOINTS");
                options.set("true", CP + "FILE_MERGING_ENABLED");
                return checkpoints(dir, options, 3, 2, 0, result);
            case "forst":
                if (!Options.exists("org.apache.flink.state.forst.ForStOptions#LOCAL_DIRECTORIES")) {
                    return null;
                }
                result.put("description", "ForSt (disaggregated state, 2.x) incremental checkpoints");
                options.set("forst", "org.apache.flink.configuration.StateBackendOptions#STATE_BACKEND");
                options.set("true", CP + "INCREMENTAL_CHECKPOINTS");
                return checkpoints(dir, options, 3, 2, 0, result);
            case "savepoints":
                result.put("description", "word count, RocksDB incremental: canonical savepoint, native savepoint, stop-with-savepoint (canonical)");
                options.set("rocksdb", "org.apache.flink.configuration.StateBackendOptions#STATE_BACKEND");
                options.set("true", CP + "INCREMENTAL_CHECKPOINTS");
                return savepoints(dir, options, result);
            default:
                throw new IllegalArgumentException("Unknown scenario " + name + "; known: " + ALL);
        }
    }

    private Options base(String scenario, String uri) throws Exception {
        Options options = new Options();
        options.set(uri, CP + "CHECKPOINTS_DIRECTORY");
        options.set(uri, CP + "SAVEPOINT_DIRECTORY");
        options.set("0 b", CP + "FS_SMALL_FILE_THRESHOLD");
        options.set(jobId(scenario), "org.apache.flink.configuration.PipelineOptionsInternal#PIPELINE_FIXED_JOB_ID");
        options.set("127.0.0.1", "org.apache.flink.configuration.RestOptions#BIND_ADDRESS");
        options.set("0", "org.apache.flink.configuration.RestOptions#BIND_PORT");
        options.set("127.0.0.1", "org.apache.flink.configuration.TaskManagerOptions#HOST");
        options.setIfPresent("127.0.0.1", "org.apache.flink.configuration.TaskManagerOptions#BIND_HOST");
        options.setIfPresent("127.0.0.1", "org.apache.flink.configuration.JobManagerOptions#BIND_HOST");
        if (zoo) {
            // a failing zoo job must fail the run, not restart until the deadline
            options.set("none", "org.apache.flink.configuration.RestartStrategyOptions#RESTART_STRATEGY");
        }
        return options;
    }

    /** A stable job id per line and scenario, so regenerated trees keep their directory names. */
    private String jobId(String scenario) throws Exception {
        byte[] digest = MessageDigest.getInstance("MD5").digest((flinkVersion + "/" + scenario).getBytes(StandardCharsets.UTF_8));
        StringBuilder hex = new StringBuilder();
        for (byte b : digest) {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }

    private StreamExecutionEnvironment environment(Options options) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(options.toConfiguration());
        env.setParallelism(zoo ? 1 : 4);
        env.setMaxParallelism(128);
        return env;
    }

    /** The zoo job lives in src/zoo, compiled only into the zoo build (it needs flink-avro): found by name. */
    private void build(StreamExecutionEnvironment env, long countDelay) throws Exception {
        if (zoo) {
            String main = job.equals("table") ? "flinkfixtures.TableJob" : "flinkfixtures.ZooJob";
            Class.forName(main).getDeclaredMethod("build", StreamExecutionEnvironment.class).invoke(null, env);
        } else {
            WordCountJob.build(env, 10, countDelay);
        }
    }

    /** Runs until checkpoint {@code untilId} completed, then cancels; the last {@code retained} stay on disk. */
    private Map<String, Object> checkpoints(File dir, Options options, int untilId, int retained, long countDelay,
                                            Map<String, Object> result) throws Exception {
        options.set("1 s", CP + "CHECKPOINTING_INTERVAL", ECP + "CHECKPOINTING_INTERVAL");
        options.set(Integer.toString(zoo ? 1 : retained), CP + "MAX_RETAINED_CHECKPOINTS");
        options.set("RETAIN_ON_CANCELLATION", CP + "EXTERNALIZED_CHECKPOINT_RETENTION", ECP + "EXTERNALIZED_CHECKPOINT");
        StreamExecutionEnvironment env = environment(options);
        build(env, countDelay);
        JobClient client = env.executeAsync("word count (" + dir.getName() + ")");
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        File jobDir = new File(dir, client.getJobID().toString());
        while (latestCheckpoint(jobDir) < untilId) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("No checkpoint " + untilId + " within " + TIMEOUT_MILLIS + " ms in " + jobDir);
            }
            JobStatus status = client.getJobStatus().get();
            if (status.isGloballyTerminalState()) {
                client.getJobExecutionResult().get();
                throw new IllegalStateException("Job ended early: " + status);
            }
            Thread.sleep(200);
        }
        cancel(client);
        result.put("jobId", client.getJobID().toString());
        result.put("configuration", options.asMap());
        List<String> chk = new ArrayList<>();
        for (File f : listSorted(jobDir)) {
            if (f.getName().startsWith("chk-") && new File(f, "_metadata").isFile()) {
                chk.add(f.getName());
            }
        }
        result.put("checkpoints", chk);
        return result;
    }

    private Map<String, Object> savepoints(File dir, Options options, Map<String, Object> result) throws Exception {
        StreamExecutionEnvironment env = environment(options);
        build(env, 0);
        JobClient client = env.executeAsync("word count (savepoints)");
        String target = "file:" + dir.getPath();
        // the table job's planner takes seconds to start: its savepoints are to hold all of its rows
        Thread.sleep(job.equals("table") ? 15000 : 2000);
        Map<String, Object> savepoints = new LinkedHashMap<>();
        savepoints.put("canonical", name(retry(() -> client.triggerSavepoint(target, SavepointFormatType.CANONICAL).get())));
        savepoints.put("native", name(retry(() -> client.triggerSavepoint(target, SavepointFormatType.NATIVE).get())));
        savepoints.put("stopWithSavepoint", name(retry(() -> client.stopWithSavepoint(false, target, SavepointFormatType.CANONICAL).get())));
        client.getJobExecutionResult().get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        result.put("jobId", client.getJobID().toString());
        result.put("configuration", options.asMap());
        result.put("savepoints", savepoints);
        return result;
    }

    private interface Action {
        String call() throws Exception;
    }

    /** Savepoints fail while tasks are still being deployed; retry until the deadline. */
    private static String retry(Action action) throws Exception {
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        while (true) {
            try {
                return action.call();
            } catch (Exception e) {
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    private static String name(String savepointPath) {
        return new File(savepointPath.replaceFirst("^file:", "")).getName();
    }

    private static void cancel(JobClient client) throws Exception {
        client.cancel().get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        try {
            client.getJobExecutionResult().get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException expected) {
            // a cancelled job completes exceptionally
        }
    }

    private static int latestCheckpoint(File jobDir) {
        int latest = 0;
        for (File f : listSorted(jobDir)) {
            if (f.getName().startsWith("chk-") && new File(f, "_metadata").isFile()) {
                latest = Math.max(latest, Integer.parseInt(f.getName().substring(4)));
            }
        }
        return latest;
    }

    private static List<File> listSorted(File dir) {
        File[] files = dir.listFiles();
        List<File> list = files == null ? new ArrayList<>() : new ArrayList<>(List.of(files));
        list.sort(Comparator.comparing(File::getName));
        return list;
    }

    /** Writes {@code _metadata.oracle.json} beside every {@code _metadata}, with Flink's pointer for its directory. */
    static int writeOracles(File dir) throws IOException {
        List<Path> metadata = metadataFiles(dir).stream().map(File::toPath).toList();
        for (Path file : metadata) {
            String pointer = "file:" + file.getParent().toAbsolutePath();
            Files.writeString(file.resolveSibling("_metadata.oracle.json"), Json.write(Oracle.summarize(file.toFile(), pointer)));
        }
        return metadata.size();
    }

    static List<File> metadataFiles(File dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir.toPath())) {
            return walk.filter(p -> p.getFileName().toString().equals("_metadata")).sorted().map(Path::toFile).toList();
        }
    }

    /**
     * Directories Flink left empty (unused {@code shared/} and {@code taskowned/}, a {@code chk-N} aborted by the
     * cancellation), relative to the scenario: git does not keep them, so they are recorded here.
     */
    static List<String> emptyDirectories(File dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir.toPath())) {
            return walk.filter(p -> Files.isDirectory(p) && isEmptyDirectory(p))
                    .map(p -> dir.toPath().relativize(p).toString()).sorted().toList();
        }
    }

    private static boolean isEmptyDirectory(Path p) {
        try (Stream<Path> entries = Files.list(p)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
