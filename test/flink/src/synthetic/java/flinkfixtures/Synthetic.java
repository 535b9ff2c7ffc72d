package flinkfixtures;

import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.checkpoint.CheckpointProperties;
import org.apache.flink.runtime.checkpoint.CheckpointRetentionPolicy;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.FinishedOperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.MasterState;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.channel.InputChannelInfo;
import org.apache.flink.runtime.checkpoint.channel.ResultSubpartitionInfo;
import org.apache.flink.runtime.checkpoint.filemerging.LogicalFile;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.CheckpointedStateScope;
import org.apache.flink.runtime.state.IncrementalKeyedStateHandle.HandleAndLocalPath;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.InputChannelStateHandle;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeOffsets;
import org.apache.flink.runtime.state.KeyGroupsSavepointStateHandle;
import org.apache.flink.runtime.state.KeyGroupsStateHandle;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.runtime.state.OperatorStreamStateHandle;
import org.apache.flink.runtime.state.ResultSubpartitionStateHandle;
import org.apache.flink.runtime.state.StateHandleID;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.changelog.ChangelogStateBackendHandle.ChangelogStateBackendHandleImpl;
import org.apache.flink.runtime.state.changelog.ChangelogStateHandle;
import org.apache.flink.runtime.state.changelog.ChangelogStateHandleStreamImpl;
import org.apache.flink.runtime.state.changelog.SequenceNumber;
import org.apache.flink.runtime.state.changelog.StateChange;
import org.apache.flink.runtime.state.changelog.inmemory.InMemoryChangelogStateHandle;
import org.apache.flink.runtime.state.filemerging.DirectoryStreamStateHandle;
import org.apache.flink.runtime.state.filemerging.EmptyFileMergingOperatorStreamStateHandle;
import org.apache.flink.runtime.state.filemerging.EmptySegmentFileStateHandle;
import org.apache.flink.runtime.state.filemerging.FileMergingOperatorStreamStateHandle;
import org.apache.flink.runtime.state.filemerging.SegmentFileStateHandle;
import org.apache.flink.runtime.state.filesystem.FileStateHandle;
import org.apache.flink.runtime.state.filesystem.RelativeFileStateHandle;
import org.apache.flink.runtime.state.memory.ByteStreamStateHandle;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Flink-serialized synthetic metadata: {@link CheckpointMetadata} objects built by hand from Flink's own handle
 * classes and written with {@link Checkpoints#storeCheckpointMetadata}, i.e. real Flink bytes for shapes no small job
 * reaches (every handle type the current writer can produce, finished operators and subtasks, master states, null
 * properties, thousands of subtasks). Deterministic: a fixed seed names every id, so regenerating gives the same bytes.
 *
 * <pre>
 * Synthetic --root DIR small                       the committed set, each as DIR/&lt;name&gt;/_metadata (+ oracle JSON)
 * Synthetic --root DIR large NAME OPERATORS SUBTASKS SHARED   one benchmark file DIR/NAME/_metadata (no oracle)
 * </pre>
 */
public final class Synthetic {
    private final File root;
    private final Random random = new Random(20260721L);
    private String base;

    private Synthetic(File root) {
        this.root = root;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || !args[0].equals("--root")) {
            usage();
        }
        Synthetic synthetic = new Synthetic(new File(args[1]).getAbsoluteFile());
        if (args[2].equals("small") && args.length == 3) {
            synthetic.small();
        } else if (args[2].equals("large") && args.length == 7) {
            synthetic.large(args[3], Integer.parseInt(args[4]), Integer.parseInt(args[5]), Integer.parseInt(args[6]));
        } else {
            usage();
        }
    }

    private static void usage() {
        System.err.println("usage: Synthetic --root <dir> small | --root <dir> large <name> <operators> <subtasks> <shared files>");
        System.exit(2);
    }

    // ---------------------------------------------------------------- the committed set

    private void small() throws IOException {
        write("all-handles", 21, this::allHandleOperators, masterStates(),
                CheckpointProperties.forCheckpoint(CheckpointRetentionPolicy.RETAIN_ON_CANCELLATION));
        write("null-properties", 3, () -> List.of(keyedOperator("keyed", 2)), List.of(), null);
        write("unclaimed", 4, () -> List.of(keyedOperator("keyed", 2)), List.of(), CheckpointProperties.forUnclaimedSnapshot());
        write("savepoint-terminate-native", 5, () -> List.of(keyedOperator("keyed", 2)), List.of(),
                CheckpointProperties.forSyncSavepoint(true, true, SavepointFormatType.NATIVE));
        write("empty", 1, List::of, List.of(),
                CheckpointProperties.forCheckpoint(CheckpointRetentionPolicy.NEVER_RETAIN_AFTER_TERMINATION));
        write("unicode", 6, () -> List.of(unicodeOperator()), List.of(new MasterState("h\u00e9ll\u00f6 \u0000 \uD83D\uDE80", new byte[] {1}, 7)),
                CheckpointProperties.forCheckpoint(CheckpointRetentionPolicy.RETAIN_ON_FAILURE));
        if (LineApi.MERGED_CHANNEL_HANDLES) {
            write("merged-channel-state", 8, () -> List.of(channelOperator(true)), List.of(),
                    CheckpointProperties.forCheckpoint(CheckpointRetentionPolicy.RETAIN_ON_CANCELLATION));
        }
    }

    private List<OperatorState> allHandleOperators() {
        List<OperatorState> operators = new ArrayList<>();

        // tags 12 (keyed, absolute file 2), 4 (three distribution modes over a relative file 6), 3 in raw keyed with
        // an inline delegate (1); coordinator state inline (1)
        OperatorState source = operator("Source: numbers", "numbers", 4, 128);
        source.setCoordinatorState(new ByteStreamStateHandle(source.getOperatorID().toString(), bytes(16)));
        for (int i = 0; i < 4; i++) {
            source.putState(i, OperatorSubtaskState.builder()
                    .setManagedOperatorState(operatorStream(relative("op-" + i, 90), "SourceReaderState"))
                    .setRawOperatorState(new OperatorStreamStateHandle(
                            Map.of("raw", new OperatorStateHandle.StateMetaInfo(new long[] {0}, OperatorStateHandle.Mode.SPLIT_DISTRIBUTE)),
                            inline("raw-op-" + i, 12)))
                    .setManagedKeyedState(keyGroups(i, 4, 128, absolute("shared/kg-" + i, 300)))
                    .setRawKeyedState(keyGroups(i, 4, 128, inline("raw-keyed-" + i, 40)))
                    .build());
        }
        operators.add(source);

        // tag 11 incremental: shared files as absolute (2), nested key-groups (3 in stream position) and segment (15)
        // handles; private files relative (6), inline (1) and empty segment (16)
        OperatorState rocks = operator("Counter", "counter", 2, 128);
        for (int i = 0; i < 2; i++) {
            rocks.putState(i, OperatorSubtaskState.builder().setManagedKeyedState(incremental(i, 2, 128, true)).build());
        }
        operators.add(rocks);

        // tag 7 canonical-savepoint key groups
        OperatorState canonical = operator("Savepoint keyed", "savepoint-keyed", 2, 128);
        for (int i = 0; i < 2; i++) {
            canonical.putState(i, OperatorSubtaskState.builder()
                    .setManagedKeyedState(new KeyGroupsSavepointStateHandle(offsets(i, 2, 128), relative("sp-" + i, 70)))
                    .build());
        }
        operators.add(canonical);

        // tag 14 changelog backend: materialized incremental (11) + in-memory changes (9) + DSTL file handles (13)
        OperatorState changelog = operator("Changelog keyed", "changelog-keyed", 2, 128);
        for (int i = 0; i < 2; i++) {
            changelog.putState(i, OperatorSubtaskState.builder().setManagedKeyedState(changelog(i, 2, 128)).build());
        }
        operators.add(changelog);

        // tag 17 file-merging operator state over segment files (15), and its empty form over tag 16
        OperatorState merging = operator("File merging", "file-merging", 2, 128);
        for (int i = 0; i < 2; i++) {
            DirectoryStreamStateHandle taskOwned = DirectoryStreamStateHandle.of(new Path(base + "/taskowned/tm_" + i));
            DirectoryStreamStateHandle shared = DirectoryStreamStateHandle.of(new Path(base + "/shared/job_op_" + i));
            OperatorStreamStateHandle handle = i == 0
                    ? new FileMergingOperatorStreamStateHandle(taskOwned, shared, stateMap("merged-list"), segment("taskowned/tm_0/segments", 64, 80, CheckpointedStateScope.EXCLUSIVE))
                    : new EmptyFileMergingOperatorStreamStateHandle(taskOwned, shared, Map.of(), EmptySegmentFileStateHandle.INSTANCE);
            merging.putState(i, OperatorSubtaskState.builder().setManagedOperatorState(handle).build());
        }
        operators.add(merging);

        // input-channel and result-subpartition handles sharing one channel-state file per subtask
        operators.add(channelOperator(false));

        // a fully finished operator (negative subtask count) and one with finished subtasks (negative indices)
        operators.add(LineApi.fullyFinished(name("Finished source"), name("finished-source"), id(), 4, 128));
        OperatorState partly = operator("Partly finished", "partly-finished", 4, 128);
        partly.putState(0, FinishedOperatorSubtaskState.INSTANCE);
        partly.putState(1, FinishedOperatorSubtaskState.INSTANCE);
        partly.putState(2, OperatorSubtaskState.builder().setManagedOperatorState(operatorStream(relative("partly-2", 30), "list")).build());
        partly.putState(3, OperatorSubtaskState.builder().build());
        operators.add(partly);

        // an operator without uid and without any state in its subtasks' slots
        OperatorState stateless = operator("Stateless map", null, 4, 128);
        for (int i = 0; i < 4; i++) {
            stateless.putState(i, OperatorSubtaskState.builder().build());
        }
        operators.add(stateless);
        return operators;
    }

    private OperatorState channelOperator(boolean merged) {
        OperatorState op = operator(merged ? "Merged channels" : "Channels", merged ? "merged-channels" : "channels", 2, 128);
        for (int i = 0; i < 2; i++) {
            StreamStateHandle file = relative("channel-state-" + i + (merged ? "-merged" : ""), 4096);
            List<InputChannelStateHandle> input = List.of(
                    new InputChannelStateHandle(i, new InputChannelInfo(0, 0), file, List.of(0L, 100L), 200),
                    new InputChannelStateHandle(i, new InputChannelInfo(0, 1), file, List.of(200L), 300));
            List<ResultSubpartitionStateHandle> output = List.of(
                    new ResultSubpartitionStateHandle(i, new ResultSubpartitionInfo(0, 0), file, List.of(500L), 1000),
                    new ResultSubpartitionStateHandle(i, new ResultSubpartitionInfo(0, 1), file, List.of(1500L, 2500L), 2000));
            op.putState(i, LineApi.channels(OperatorSubtaskState.builder(), input, output, merged).build());
        }
        return op;
    }

    private OperatorState keyedOperator(String uid, int parallelism) {
        OperatorState op = operator("Keyed " + uid, uid, parallelism, 128);
        for (int i = 0; i < parallelism; i++) {
            op.putState(i, OperatorSubtaskState.builder().setManagedKeyedState(keyGroups(i, parallelism, 128, relative("keyed-" + i, 55))).build());
        }
        return op;
    }

    /** Modified UTF-8 cases: U+0000 (two bytes C0 80) and a supplementary character (a surrogate pair, 6 bytes). */
    private OperatorState unicodeOperator() {
        OperatorState op = operator("Map \u2192 \uD83D\uDE80 \u0000 end", "uid-\u00fc\u00f1\u00ee\u00e7\u00f8d\u00e9-\uD83D\uDE80", 1, 128);
        op.putState(0, OperatorSubtaskState.builder()
                .setManagedOperatorState(operatorStream(relative("st\u00e4te-\uD83D\uDE80", 10), "list-\u0000-\uD83D\uDE80"))
                .setManagedKeyedState(keyGroups(0, 1, 128, absolute("shared/\u00fcml\u00e4ut-\uD83D\uDE80", 20)))
                .build());
        return op;
    }

    private List<MasterState> masterStates() {
        return List.of(
                new MasterState("com.example.MasterTriggerRestoreHook", bytes(8), 1),
                new MasterState("empty-hook", new byte[0], 2));
    }

    // ---------------------------------------------------------------- benchmark shapes

    /**
     * {@code operators} × {@code subtasks}, each subtask with operator state, and incremental keyed state with
     * {@code shared} shared SST files (plus meta and 3 private files) when {@code shared} > 0, else key-group state.
     */
    private void large(String name, int operatorCount, int subtasks, int shared) throws IOException {
        File dir = new File(root, name);
        base = "file:" + dir.getPath();
        List<OperatorState> operators = new ArrayList<>();
        int maxParallelism = Math.max(128, Integer.highestOneBit(subtasks) * 4);
        for (int o = 0; o < operatorCount; o++) {
            OperatorState op = operator("Operator " + o, "operator-" + o, subtasks, maxParallelism);
            for (int i = 0; i < subtasks; i++) {
                KeyedStateHandle keyed = shared > 0
                        ? largeIncremental(i, subtasks, maxParallelism, shared)
                        : keyGroups(i, subtasks, maxParallelism, relative(uuid(), 1000 + i));
                op.putState(i, OperatorSubtaskState.builder()
                        .setManagedOperatorState(operatorStream(relative(uuid(), 120), "SourceReaderState"))
                        .setManagedKeyedState(keyed)
                        .build());
            }
            operators.add(op);
        }
        File file = store(dir, 1000, operators, List.of(), CheckpointProperties.forCheckpoint(CheckpointRetentionPolicy.RETAIN_ON_CANCELLATION));
        System.out.printf("%s: %d operators x %d subtasks x %d shared files, %d bytes%n", file, operatorCount, subtasks, shared, file.length());
    }

    private KeyedStateHandle largeIncremental(int subtask, int parallelism, int maxParallelism, int shared) {
        List<HandleAndLocalPath> sharedFiles = new ArrayList<>();
        for (int s = 0; s < shared; s++) {
            sharedFiles.add(HandleAndLocalPath.of(absolute("shared/" + uuid(), 4000 + s), String.format("%06d.sst", subtask * shared + s)));
        }
        List<HandleAndLocalPath> privateFiles = List.of(
                HandleAndLocalPath.of(relative(uuid(), 400), "MANIFEST-000004"),
                HandleAndLocalPath.of(relative(uuid(), 7000), "OPTIONS-000009"),
                HandleAndLocalPath.of(inline("CURRENT", 16), "CURRENT"));
        return IncrementalRemoteKeyedStateHandle.restore(new UUID(random.nextLong(), random.nextLong()),
                range(subtask, parallelism, maxParallelism), 1000, sharedFiles, privateFiles, relative(uuid(), 900), 5000,
                new StateHandleID(uuid()));
    }

    // ---------------------------------------------------------------- handles

    private KeyedStateHandle incremental(int subtask, int parallelism, int maxParallelism, boolean everyStreamTag) {
        List<HandleAndLocalPath> shared = new ArrayList<>();
        shared.add(HandleAndLocalPath.of(absolute("shared/sst-" + subtask + "-a", 1200), "000010.sst"));
        shared.add(HandleAndLocalPath.of(absolute("shared/sst-" + subtask + "-b", 1300), "000011.sst"));
        List<HandleAndLocalPath> owned = new ArrayList<>();
        owned.add(HandleAndLocalPath.of(relative("manifest-" + subtask, 150), "MANIFEST-000004"));
        owned.add(HandleAndLocalPath.of(inline("CURRENT-" + subtask, 16), "CURRENT"));
        if (everyStreamTag) {
            shared.add(HandleAndLocalPath.of(keyGroups(subtask, parallelism, maxParallelism, absolute("shared/kg-sst-" + subtask, 500)), "000012.sst"));
            shared.add(HandleAndLocalPath.of(segment("shared/segments-" + subtask, 100, 250, CheckpointedStateScope.SHARED), "000013.sst"));
            owned.add(HandleAndLocalPath.of(EmptySegmentFileStateHandle.INSTANCE, "OPTIONS-000009"));
        }
        return IncrementalRemoteKeyedStateHandle.restore(new UUID(random.nextLong(), random.nextLong()),
                range(subtask, parallelism, maxParallelism), 20, shared, owned, relative("meta-" + subtask, 80), 900,
                new StateHandleID(uuid()));
    }

    private KeyedStateHandle changelog(int subtask, int parallelism, int maxParallelism) {
        KeyGroupRange range = range(subtask, parallelism, maxParallelism);
        List<KeyedStateHandle> materialized = List.of(incremental(subtask, parallelism, maxParallelism, false));
        List<StateChange> changes = List.of(
                StateChange.ofMetadataChange(bytes(6)),
                StateChange.ofDataChange(range.getStartKeyGroup(), bytes(9)));
        List<Tuple2<StreamStateHandle, Long>> dstl = List.of(
                Tuple2.of(absolute("dstl/" + subtask + "-a", 600), 0L),
                Tuple2.of(absolute("dstl/" + subtask + "-a", 600), 300L),
                Tuple2.of(inline("dstl-inline-" + subtask, 20), 0L));
        List<ChangelogStateHandle> nonMaterialized = List.of(
                InMemoryChangelogStateHandle.restore(changes, SequenceNumber.of(5), SequenceNumber.of(7), range, new StateHandleID(uuid())),
                ChangelogStateHandleStreamImpl.restore(dstl, range, 620, 320, "filesystem", new StateHandleID(uuid())));
        return ChangelogStateBackendHandleImpl.restore(materialized, nonMaterialized, range, 21, 3, 1000, new StateHandleID(uuid()));
    }

    private KeyGroupsStateHandle keyGroups(int subtask, int parallelism, int maxParallelism, StreamStateHandle delegate) {
        return KeyGroupsStateHandle.restore(offsets(subtask, parallelism, maxParallelism), delegate, new StateHandleID(uuid()));
    }

    private static KeyGroupRangeOffsets offsets(int subtask, int parallelism, int maxParallelism) {
        KeyGroupRange range = range(subtask, parallelism, maxParallelism);
        long[] offsets = new long[range.getNumberOfKeyGroups()];
        for (int k = 0; k < offsets.length; k++) {
            offsets[k] = 10L * k;
        }
        return new KeyGroupRangeOffsets(range, offsets);
    }

    /** The key-group range Flink assigns to a subtask (KeyGroupRangeAssignment's formula). */
    private static KeyGroupRange range(int subtask, int parallelism, int maxParallelism) {
        int start = (int) (((long) subtask * maxParallelism + parallelism - 1) / parallelism);
        int end = (int) (((long) (subtask + 1) * maxParallelism - 1) / parallelism);
        return KeyGroupRange.of(start, end);
    }

    private static Map<String, OperatorStateHandle.StateMetaInfo> stateMap(String listName) {
        Map<String, OperatorStateHandle.StateMetaInfo> map = new LinkedHashMap<>();
        map.put(listName, new OperatorStateHandle.StateMetaInfo(new long[] {0, 8}, OperatorStateHandle.Mode.SPLIT_DISTRIBUTE));
        map.put("union-" + listName, new OperatorStateHandle.StateMetaInfo(new long[] {16}, OperatorStateHandle.Mode.UNION));
        map.put("broadcast-" + listName, new OperatorStateHandle.StateMetaInfo(new long[] {24}, OperatorStateHandle.Mode.BROADCAST));
        map.put("empty-" + listName, new OperatorStateHandle.StateMetaInfo(new long[0], OperatorStateHandle.Mode.SPLIT_DISTRIBUTE));
        return map;
    }

    private static OperatorStreamStateHandle operatorStream(StreamStateHandle delegate, String listName) {
        return new OperatorStreamStateHandle(stateMap(listName), delegate);
    }

    private SegmentFileStateHandle segment(String file, long start, long size, CheckpointedStateScope scope) {
        return new SegmentFileStateHandle(new Path(base + "/" + file), start, size, scope, new LogicalFile.LogicalFileId(uuid()));
    }

    private FileStateHandle absolute(String file, long size) {
        return new FileStateHandle(new Path(base + "/" + file), size);
    }

    private RelativeFileStateHandle relative(String name, long size) {
        return new RelativeFileStateHandle(new Path(base + "/chk/" + name), name, size);
    }

    private ByteStreamStateHandle inline(String name, int size) {
        return new ByteStreamStateHandle(name, bytes(size));
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private String uuid() {
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }

    private OperatorID id() {
        return new OperatorID(random.nextLong(), random.nextLong());
    }

    private static String name(String s) {
        return LineApi.OPERATOR_NAMES ? s : null;
    }

    private OperatorState operator(String name, String uid, int parallelism, int maxParallelism) {
        return LineApi.operatorState(name(name), name(uid), id(), parallelism, maxParallelism);
    }

    // ---------------------------------------------------------------- output

    /** Handles name files under the output directory ({@code base}), so operators are built once it is set. */
    private void write(String name, long checkpointId, Supplier<List<OperatorState>> operators, List<MasterState> masters,
                       CheckpointProperties properties) throws IOException {
        File dir = new File(root, name);
        base = "file:" + dir.getPath();
        File file = store(dir, checkpointId, operators.get(), masters, properties);
        Files.writeString(new File(dir, "_metadata.oracle.json").toPath(), Json.write(Oracle.summarize(file, base)));
        System.out.printf("%s: %d bytes%n", file, file.length());
    }

    private static File store(File dir, long checkpointId, List<OperatorState> operators, List<MasterState> masters,
                              CheckpointProperties properties) throws IOException {
        Files.createDirectories(dir.toPath());
        File file = new File(dir, "_metadata");
        CheckpointMetadata metadata = new CheckpointMetadata(checkpointId, operators, masters, properties);
        try (OutputStream out = new BufferedOutputStream(new FileOutputStream(file), 1 << 20);
             DataOutputStream data = new DataOutputStream(out)) {
            Checkpoints.storeCheckpointMetadata(metadata, data);
        }
        return file;
    }
}
