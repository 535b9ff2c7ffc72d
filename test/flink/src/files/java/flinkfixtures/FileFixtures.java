package flinkfixtures;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.sink.FileSinkCommittable;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.FileSourceSplitSerializer;
import org.apache.flink.connector.file.src.PendingSplitsCheckpoint;
import org.apache.flink.connector.file.src.PendingSplitsCheckpointSerializer;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.SimpleVersionedSerialization;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.runtime.state.memory.ByteStreamStateHandle;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.BucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.SimpleVersionedStringSerializer;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.DefaultRollingPolicy;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The file connector fixtures: the fixture writes text files into a directory, and a Flink job reads it with a
 * FileSource that monitors it continuously (so the enumerator keeps pending splits and the paths it already
 * processed) and with one that reads it as a static file set (pending splits only), and writes every line to a FileSink rolling part files by size (so the writer keeps an in-progress file
 * and the committer pending files). A throttle keeps the readers mid-file: the retained checkpoint and the canonical
 * savepoint hold splits with a reader position. Beside each {@code _metadata} the oracle
 * {@code _metadata.connectors.json} is what the connector's own serializers read back from it.
 *
 * <pre>FileFixtures --root DIR --flink-version V</pre>
 */
public final class FileFixtures {
    /** Files and lines per file: more files than readers, so one split waits in the enumerator. */
    static final int FILES = 3;
    static final int LINES = 1500;
    static final int PARALLELISM = 2;
    /** Milliseconds each record waits: a file takes several checkpoint intervals to read. */
    static final long THROTTLE_MILLIS = 2;
    static final long TIMEOUT_MILLIS = 180_000;

    public static void main(String[] args) throws Exception {
        String root = null;
        String flinkVersion = "unknown";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--root": root = args[++i]; break;
                case "--flink-version": flinkVersion = args[++i]; break;
                default: throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (root == null) {
            throw new IllegalArgumentException("give --root DIR");
        }
        File dir = new File(root);
        File input = new File(dir, "input");
        File output = new File(dir, "output");
        Files.createDirectories(input.toPath());
        for (int f = 0; f < FILES; f++) {
            StringBuilder text = new StringBuilder();
            for (int n = 0; n < LINES; n++) {
                text.append("f").append(f).append(",order-").append(n).append(",amount ").append(n % 97).append('\n');
            }
            Files.writeString(new File(input, "orders-" + f + ".csv").toPath(), text.toString());
        }
        FileSink<String> sink = FileSink.forRowFormat(new Path(output.toURI()), new SimpleStringEncoder<String>("UTF-8"))
                .withBucketAssigner(new ByFile())
                .withRollingPolicy(DefaultRollingPolicy.builder()
                        .withMaxPartSize(MemorySize.parse("4kb"))
                        .withRolloverInterval(Duration.ofHours(1))
                        .withInactivityInterval(Duration.ofHours(1))
                        .build())
                .build();
        String jobId = runJob(input, dir, sink, flinkVersion);
        int written = 0;
        for (File metadata : Scenarios.metadataFiles(dir)) {
            Map<String, Object> oracle = read(metadata, sink);
            Files.writeString(new File(metadata.getParentFile(), "_metadata.connectors.json").toPath(),
                    Json.write(oracle) + "\n");
            written++;
        }
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("flinkVersion", flinkVersion);
        about.put("jobId", jobId);
        about.put("input", new Path(input.toURI()).toString());
        about.put("output", new Path(output.toURI()).toString());
        about.put("files", FILES);
        about.put("linesPerFile", LINES);
        about.put("snapshots", written);
        Files.writeString(new File(dir, "files.json").toPath(), Json.write(about) + "\n");
        System.out.println("file fixtures: " + written + " snapshots with their oracle under " + dir);
        System.exit(0);
    }

    /** Buckets by the file a line came from (its first field), with the string serializer most assigners use. */
    static final class ByFile implements BucketAssigner<String, String> {
        @Override
        public String getBucketId(String element, Context context) {
            return element.substring(0, element.indexOf(','));
        }

        @Override
        public org.apache.flink.core.io.SimpleVersionedSerializer<String> getSerializer() {
            return SimpleVersionedStringSerializer.INSTANCE;
        }
    }

    static final class Throttle implements MapFunction<String, String> {
        @Override
        public String map(String value) throws Exception {
            Thread.sleep(THROTTLE_MILLIS);
            return value;
        }
    }

    /** Runs the job until a checkpoint is complete mid-file, takes a savepoint mid-file, then cancels. */
    static String runJob(File input, File dir, FileSink<String> sink, String flinkVersion) throws Exception {
        Configuration conf = new Configuration();
        String jobId = md5(flinkVersion + "/files");
        File checkpoints = new File(dir, "checkpoints");
        conf.setString("$internal.pipeline.job-id", jobId);
        conf.setString("execution.checkpointing.interval", "700 ms");
        conf.setString("execution.checkpointing.dir", "file:" + checkpoints.getPath());
        conf.setString("execution.checkpointing.savepoint-dir", "file:" + new File(dir, "savepoints").getPath());
        conf.setString("execution.checkpointing.num-retained", "1");
        conf.setString("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        conf.setString("state.backend.type", "hashmap");
        // The keys these options had before 1.20 (2.x dropped them), so older lines write the same layout.
        conf.setString("state.checkpoints.dir", "file:" + checkpoints.getPath());
        conf.setString("state.savepoints.dir", "file:" + new File(dir, "savepoints").getPath());
        conf.setString("state.checkpoints.num-retained", "1");
        conf.setString("state.backend", "hashmap");
        conf.setString("rest.bind-address", "127.0.0.1");
        conf.setString("rest.bind-port", "0");
        conf.setString("taskmanager.host", "127.0.0.1");
        conf.setString("taskmanager.bind-host", "127.0.0.1");
        conf.setString("jobmanager.bind-host", "127.0.0.1");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(PARALLELISM);
        env.setMaxParallelism(128);
        FileSource<String> source = FileSource.forRecordStreamFormat(new TextLineInputFormat(), new Path(input.toURI()))
                .monitorContinuously(Duration.ofSeconds(1))
                .build();
        FileSource<String> staticSource =
                FileSource.forRecordStreamFormat(new TextLineInputFormat(), new Path(input.toURI())).build();
        // Each source's throttle is chained to it, so its reader waits inside the file rather than filling buffers.
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "Files orders").uid("file-source")
                .map(new Throttle()).uid("throttle").name("Throttle")
                .union(env.fromSource(staticSource, WatermarkStrategy.noWatermarks(), "Files orders (static set)")
                        .uid("file-source-static")
                        .map(new Throttle()).uid("throttle-static").name("Throttle (static set)"))
                .sinkTo(sink).uid("file-sink").name("Files orders copy");
        JobClient client = env.executeAsync("file fixtures");
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        // Two completed checkpoints: the readers are well inside their first files, none is done yet.
        while (completedCheckpoints(checkpoints) < 2) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("no checkpoint completed within " + TIMEOUT_MILLIS + " ms");
            }
            if (client.getJobStatus().get().isGloballyTerminalState()) {
                client.getJobExecutionResult().get();
                throw new IllegalStateException("the job ended early");
            }
            Thread.sleep(50);
        }
        String target = "file:" + new File(dir, "savepoints").getPath();
        client.triggerSavepoint(target, SavepointFormatType.CANONICAL).get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        client.cancel().get();
        try {
            client.getJobExecutionResult().get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (Exception cancelled) {
            // a cancelled job ends its result future exceptionally: that is the expected end
        }
        return jobId;
    }

    static int completedCheckpoints(File checkpoints) {
        File[] jobs = checkpoints.listFiles();
        int n = 0;
        for (File job : jobs == null ? new File[0] : jobs) {
            File[] chks = job.listFiles((d, name) -> name.startsWith("chk-"));
            for (File chk : chks == null ? new File[0] : chks) {
                if (new File(chk, "_metadata").exists()) {
                    n = Math.max(n, Integer.parseInt(chk.getName().substring(4)));
                }
            }
        }
        return n;
    }

    static String md5(String text) throws Exception {
        StringBuilder hex = new StringBuilder();
        for (byte b : MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8))) {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }

    /** The oracle of one snapshot: per operator, the coordinator's enumerator state and the connector list states. */
    static Map<String, Object> read(File metadataFile, FileSink<String> sink) throws Exception {
        byte[] bytes = Files.readAllBytes(metadataFile.toPath());
        String pointer = "file:" + metadataFile.getParentFile().getPath();
        CheckpointMetadata metadata = Oracle.load(bytes, pointer);
        Map<String, Object> operators = new LinkedHashMap<>();
        for (OperatorState op : metadata.getOperatorStates()) {
            Map<String, Object> out = new LinkedHashMap<>();
            ByteStreamStateHandle coordinator = op.getCoordinatorState();
            if (coordinator != null) {
                out.put("coordinator", enumerator(coordinator.getData()));
            }
            List<Object> entries = new ArrayList<>();
            for (Map.Entry<Integer, OperatorSubtaskState> subtask : op.getSubtaskStates().entrySet()) {
                for (OperatorStateHandle handle : subtask.getValue().getManagedOperatorState()) {
                    entries.addAll(entries(handle, subtask.getKey(), sink));
                }
            }
            if (!entries.isEmpty()) {
                out.put("entries", entries);
            }
            if (!out.isEmpty()) {
                operators.put(op.getOperatorID().toHexString(), out);
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("reader", "flink " + System.getProperty("flink.version", "unknown")
                + " with flink-connector-files' FileSourceSplitSerializer, PendingSplitsCheckpointSerializer and"
                + " FileSink's writer state and committable serializers in CommittableCollectorSerializer");
        result.put("operators", operators);
        return result;
    }

    /** {@code SourceCoordinator#writeCheckpointBytes}: serde version, enumerator serializer version, length, bytes. */
    static Map<String, Object> enumerator(byte[] data) throws Exception {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
        int serde = in.readInt();
        if (serde != 1) {
            throw new IOException("coordinator serde version " + serde);
        }
        int version = in.readInt();
        byte[] checkpoint = new byte[in.readInt()];
        in.readFully(checkpoint);
        PendingSplitsCheckpoint<FileSourceSplit> state =
                new PendingSplitsCheckpointSerializer<>(FileSourceSplitSerializer.INSTANCE).deserialize(version, checkpoint);
        List<Object> pending = new ArrayList<>();
        for (FileSourceSplit split : state.getSplits()) {
            pending.add(split(split, false));
        }
        List<Object> paths = new ArrayList<>();
        for (Path path : state.getAlreadyProcessedPaths()) {
            paths.add(path.toString());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("enumerator", "file");
        out.put("serializerVersion", version);
        out.put("splitSerializerVersion", FileSourceSplitSerializer.INSTANCE.getVersion());
        out.put("pendingSplits", pending);
        out.put("alreadyProcessedPaths", paths);
        return out;
    }

    static Map<String, Object> split(FileSourceSplit split, boolean tagged) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (tagged) {
            out.put("split", "file");
        }
        out.put("splitId", split.splitId());
        out.put("path", split.path().toString());
        out.put("offset", split.offset());
        out.put("length", split.length());
        out.put("fileModificationTime", split.fileModificationTime());
        out.put("fileSize", split.fileSize());
        out.put("hostnames", Arrays.asList(split.hostnames()));
        CheckpointedPosition position = split.getReaderPosition().orElse(null);
        if (position == null) {
            out.put("readerPosition", null);
        } else {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("offset", position.getOffset());
            p.put("recordsAfterOffset", position.getRecordsAfterOffset());
            out.put("readerPosition", p);
        }
        return out;
    }

    /** The elements of the connector list states at the offsets the handle records, read by the connector's serializers. */
    static List<Object> entries(OperatorStateHandle handle, int subtask, FileSink<String> sink) throws Exception {
        List<Object> out = new ArrayList<>();
        for (Map.Entry<String, OperatorStateHandle.StateMetaInfo> state : handle.getStateNameToPartitionOffsets().entrySet()) {
            String name = state.getKey();
            if (!name.equals("SourceReaderState") && !name.equals("writer_raw_states")
                    && !name.equals("streaming_committer_raw_states")) {
                continue;
            }
            long[] offsets = state.getValue().getOffsets();
            for (int index = 0; index < offsets.length; index++) {
                byte[] element;
                try (FSDataInputStream in = handle.openInputStream()) {
                    in.seek(offsets[index]);
                    element = BytePrimitiveArraySerializer.INSTANCE.deserialize(new DataInputViewStreamWrapper(in));
                }
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("state", name);
                entry.put("subtask", subtask);
                entry.put("index", index);
                Object value;
                if (name.equals("SourceReaderState")) {
                    value = split(SimpleVersionedSerialization.readVersionAndDeSerialize(
                            FileSourceSplitSerializer.INSTANCE, element), true);
                } else if (name.equals("writer_raw_states")) {
                    value = writer(element, sink);
                } else {
                    value = CommitterOracle.read(element, sink.getCommittableSerializer(),
                            c -> committable((FileSinkCommittable) c));
                }
                entry.put("value", value);
                out.add(entry);
            }
        }
        return out;
    }

    /** FileSink's writer state: one bucket, its path, and the in-progress part file it resumes. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> writer(byte[] element, FileSink<String> sink) throws Exception {
        SimpleVersionedSerializer<Object> serializer =
                (SimpleVersionedSerializer<Object>) (Object) sink.getWriterStateSerializer();
        Object state = SimpleVersionedSerialization.readVersionAndDeSerialize(serializer, element);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("writer", "file");
        out.put("serializerVersion", serializer.getVersion());
        out.put("bucketId", CommitterOracle.call(state, "getBucketId"));
        out.put("bucketPath", CommitterOracle.call(state, "getBucketPath").toString());
        out.put("inProgressFileCreationTime", CommitterOracle.call(state, "getInProgressFileCreationTime"));
        boolean inProgress = (Boolean) CommitterOracle.call(state, "hasInProgressFileRecoverable");
        out.put("inProgressFile",
                inProgress ? inProgressFile(CommitterOracle.call(state, "getInProgressFileRecoverable")) : null);
        return out;
    }

    /** {@code OutputStreamBasedInProgressFileRecoverable}: the part file's target path and its resumable stream. */
    static Map<String, Object> inProgressFile(Object recoverable) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        Object target = CommitterOracle.field(recoverable, "targetPath");
        out.put("targetPath", target == null ? null : ((Path) target).toUri().toString());
        out.put("resumeRecoverable", local(CommitterOracle.call(recoverable, "getResumeRecoverable")));
        return out;
    }

    /** {@code OutputStreamBasedPendingFileRecoverable}: the target path, size and the stream to commit. */
    static Map<String, Object> pendingFile(Object recoverable) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        Object target = CommitterOracle.field(recoverable, "targetPath");
        out.put("targetPath", target == null ? null : ((Path) target).toUri().toString());
        out.put("size", CommitterOracle.call(recoverable, "getSize"));
        out.put("commitRecoverable", local(CommitterOracle.call(recoverable, "getCommitRecoverable")));
        return out;
    }

    /** The local file system's {@code LocalRecoverable}: target file, temporary file, bytes written. */
    static Map<String, Object> local(Object recoverable) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("fileSystem", "local");
        out.put("targetFile", CommitterOracle.call(recoverable, "targetFile").toString());
        out.put("tempFile", CommitterOracle.call(recoverable, "tempFile").toString());
        out.put("offset", CommitterOracle.call(recoverable, "offset"));
        return out;
    }

    static Object committable(FileSinkCommittable c) {
        try {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("committable", "file");
            out.put("bucketId", c.getBucketId());
            out.put("pendingFile", c.hasPendingFile() ? pendingFile(c.getPendingFile()) : null);
            out.put("inProgressFileToCleanup",
                    c.hasInProgressFileToCleanup() ? inProgressFile(c.getInProgressFileToCleanup()) : null);
            out.put("compactedFileToCleanup",
                    c.hasCompactedFileToCleanup() ? c.getCompactedFileToCleanup().toUri().toString() : null);
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
