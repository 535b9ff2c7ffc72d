package flinkfixtures;

import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.FinishedOperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.MasterState;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeOffsets;
import org.apache.flink.runtime.state.KeyGroupsStateHandle;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.runtime.state.OperatorStreamStateHandle;
import org.apache.flink.runtime.state.StateHandleID;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.filesystem.FileStateHandle;
import org.apache.flink.runtime.state.filesystem.RelativeFileStateHandle;
import org.apache.flink.runtime.state.memory.ByteStreamStateHandle;

import java.io.DataOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Flink-serialized synthetic metadata written by Flink 1.14 (compiled only against 1.14.6, see pom-1.14.xml): the
 * state-handle tags only the V3 writers of Flink 1.14 and older produce, which no 1.15+ line can write any more —
 * {@code IncrementalRemoteKeyedStateHandle} without checkpointed size or id (tag 5) and {@code KeyGroupsStateHandle}
 * without id in keyed position (tag 3). Deterministic: a fixed seed names every id, so regenerating gives the same
 * bytes. The oracle JSON is written afterwards by a newer line's reader (scripts/fixtures.sh --synthetic-1.14).
 *
 * <pre>
 * SyntheticV3 --root DIR      writes DIR/v3-handles/_metadata
 * </pre>
 */
public final class SyntheticV3 {
    private final Random random = new Random(20261121L);
    private final String base;

    private SyntheticV3(String base) {
        this.base = base;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2 || !args[0].equals("--root")) {
            System.err.println("usage: SyntheticV3 --root <dir>");
            System.exit(2);
        }
        File dir = new File(new File(args[1]).getAbsoluteFile(), "v3-handles");
        SyntheticV3 synthetic = new SyntheticV3("file:" + dir.getPath());
        File file = synthetic.store(dir, 14, synthetic.operators(),
                List.of(new MasterState("com.example.MasterTriggerRestoreHook", synthetic.bytes(8), 1)));
        System.out.printf("%s: %d bytes%n", file, file.length());
    }

    private List<OperatorState> operators() {
        List<OperatorState> operators = new ArrayList<>();

        // tag 3 in managed keyed position over an absolute file (2) and in raw keyed position over an inline one (1);
        // tag 4 operator state over a relative file (6) and an inline one
        OperatorState source = new OperatorState(id(), 2, 128);
        source.setCoordinatorState(new ByteStreamStateHandle(source.getOperatorID().toString(), bytes(16)));
        for (int i = 0; i < 2; i++) {
            source.putState(i, OperatorSubtaskState.builder()
                    .setManagedOperatorState(new OperatorStreamStateHandle(stateMap("SourceReaderState"), relative("op-" + i, 90)))
                    .setRawOperatorState(new OperatorStreamStateHandle(
                            Map.of("raw", new OperatorStateHandle.StateMetaInfo(new long[] {0}, OperatorStateHandle.Mode.SPLIT_DISTRIBUTE)),
                            inline("raw-op-" + i, 12)))
                    .setManagedKeyedState(keyGroups(i, 2, 128, absolute("shared/kg-" + i, 300)))
                    .setRawKeyedState(keyGroups(i, 2, 128, inline("raw-keyed-" + i, 40)))
                    .build());
        }
        operators.add(source);

        // tag 5: shared SST files absolute (2) and a key-groups handle in stream position (3), private files relative
        // (6) and inline (1), a relative meta file
        OperatorState rocks = new OperatorState(id(), 2, 128);
        for (int i = 0; i < 2; i++) {
            rocks.putState(i, OperatorSubtaskState.builder().setManagedKeyedState(incremental(i, 2, 128)).build());
        }
        operators.add(rocks);

        // a finished subtask (1.14's FLIP-147) and a subtask without state
        OperatorState partly = new OperatorState(id(), 2, 128);
        partly.putState(0, FinishedOperatorSubtaskState.INSTANCE);
        partly.putState(1, OperatorSubtaskState.builder().build());
        operators.add(partly);
        return operators;
    }

    private IncrementalRemoteKeyedStateHandle incremental(int subtask, int parallelism, int maxParallelism) {
        Map<StateHandleID, StreamStateHandle> shared = new LinkedHashMap<>();
        shared.put(new StateHandleID("000010.sst"), absolute("shared/sst-" + subtask + "-a", 1200));
        shared.put(new StateHandleID("000011.sst"), absolute("shared/sst-" + subtask + "-b", 1300));
        shared.put(new StateHandleID("000012.sst"), keyGroups(subtask, parallelism, maxParallelism, absolute("shared/kg-sst-" + subtask, 500)));
        Map<StateHandleID, StreamStateHandle> owned = new LinkedHashMap<>();
        owned.put(new StateHandleID("MANIFEST-000004"), relative("manifest-" + subtask, 150));
        owned.put(new StateHandleID("CURRENT"), inline("CURRENT-" + subtask, 16));
        return new IncrementalRemoteKeyedStateHandle(new UUID(random.nextLong(), random.nextLong()),
                range(subtask, parallelism, maxParallelism), 14, shared, owned, relative("meta-" + subtask, 80));
    }

    private KeyGroupsStateHandle keyGroups(int subtask, int parallelism, int maxParallelism, StreamStateHandle delegate) {
        KeyGroupRange range = range(subtask, parallelism, maxParallelism);
        long[] offsets = new long[range.getNumberOfKeyGroups()];
        for (int k = 0; k < offsets.length; k++) {
            offsets[k] = 10L * k;
        }
        return new KeyGroupsStateHandle(new KeyGroupRangeOffsets(range, offsets), delegate);
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
        return map;
    }

    private FileStateHandle absolute(String file, long size) {
        return new FileStateHandle(new Path(base + "/" + file), size);
    }

    private RelativeFileStateHandle relative(String name, long size) {
        return new RelativeFileStateHandle(new Path(base + "/" + name), name, size);
    }

    private ByteStreamStateHandle inline(String name, int size) {
        return new ByteStreamStateHandle(name, bytes(size));
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private OperatorID id() {
        return new OperatorID(random.nextLong(), random.nextLong());
    }

    private File store(File dir, long checkpointId, List<OperatorState> operators, List<MasterState> masters) throws IOException {
        Files.createDirectories(dir.toPath());
        File file = new File(dir, "_metadata");
        try (DataOutputStream out = new DataOutputStream(new FileOutputStream(file))) {
            Checkpoints.storeCheckpointMetadata(new CheckpointMetadata(checkpointId, operators, masters), out);
        }
        return file;
    }
}
