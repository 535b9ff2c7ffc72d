import org.apache.flink.runtime.checkpoint.CheckpointProperties;
import org.apache.flink.runtime.checkpoint.CheckpointRetentionPolicy;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeOffsets;
import org.apache.flink.runtime.state.KeyGroupsStateHandle;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.runtime.state.OperatorStreamStateHandle;
import org.apache.flink.runtime.state.StateHandleID;
import org.apache.flink.runtime.state.memory.ByteStreamStateHandle;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * A large Flink-serialized _metadata whose state is inline, as JobManager (memory) checkpoint storage or state below
 * the inline threshold produces: every subtask's keyed and operator state are ByteStreamStateHandles inside the file.
 * Written by Flink 2.2's own Checkpoints.storeCheckpointMetadata (test/flink's synthetic writer covers file-backed
 * shapes only).
 *
 * <pre>
 * LargeInline DIR NAME OPERATORS SUBTASKS KEYED_BYTES   writes DIR/NAME/_metadata
 * </pre>
 */
public final class LargeInline {
    private LargeInline() {}

    public static void main(String[] args) throws Exception {
        File dir = new File(args[0], args[1]);
        int operators = Integer.parseInt(args[2]);
        int subtasks = Integer.parseInt(args[3]);
        int keyedBytes = Integer.parseInt(args[4]);
        int maxParallelism = Math.max(128, Integer.highestOneBit(subtasks) * 4);
        Random random = new Random(20260722L);
        List<OperatorState> states = new ArrayList<>();
        for (int o = 0; o < operators; o++) {
            OperatorState op = new OperatorState("Operator " + o, "operator-" + o, new OperatorID(random.nextLong(), random.nextLong()), subtasks, maxParallelism);
            for (int i = 0; i < subtasks; i++) {
                KeyGroupRange range = KeyGroupRange.of(i * maxParallelism / subtasks, (i + 1) * maxParallelism / subtasks - 1);
                long[] offsets = new long[range.getNumberOfKeyGroups()];
                for (int k = 0; k < offsets.length; k++) {
                    offsets[k] = (long) k * keyedBytes / offsets.length;
                }
                byte[] keyed = new byte[keyedBytes];
                random.nextBytes(keyed);
                byte[] list = new byte[64];
                random.nextBytes(list);
                op.putState(i, OperatorSubtaskState.builder()
                        .setManagedKeyedState(KeyGroupsStateHandle.restore(new KeyGroupRangeOffsets(range, offsets),
                                new ByteStreamStateHandle(UUID.randomUUID().toString(), keyed), new StateHandleID(UUID.randomUUID().toString())))
                        .setManagedOperatorState(new OperatorStreamStateHandle(
                                Map.of("list", new OperatorStateHandle.StateMetaInfo(new long[] {0, 32}, OperatorStateHandle.Mode.SPLIT_DISTRIBUTE)),
                                new ByteStreamStateHandle(UUID.randomUUID().toString(), list)))
                        .build());
            }
            states.add(op);
        }
        Files.createDirectories(dir.toPath());
        File file = new File(dir, "_metadata");
        CheckpointMetadata metadata = new CheckpointMetadata(1000, states, List.of(),
                CheckpointProperties.forCheckpoint(CheckpointRetentionPolicy.RETAIN_ON_CANCELLATION));
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(file), 1 << 20))) {
            Checkpoints.storeCheckpointMetadata(metadata, out);
        }
        System.out.printf("%s: %d operators x %d subtasks x %d inline keyed bytes, %d bytes%n", file, operators, subtasks, keyedBytes, file.length());
    }
}
