package flinkfixtures;

import org.apache.flink.runtime.checkpoint.FullyFinishedOperatorState;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.StateObjectCollection;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.InputChannelStateHandle;
import org.apache.flink.runtime.state.ResultSubpartitionStateHandle;

import java.util.List;

/** The 1.20 (metadata V4) side of the API differences the synthetic writer meets. */
final class LineApi {
    private LineApi() {}

    /** V4 stores neither operator names nor uids. */
    static final boolean OPERATOR_NAMES = false;
    /** Merged channel-state handles arrived with metadata V6 (Flink 2.1). */
    static final boolean MERGED_CHANNEL_HANDLES = false;

    static OperatorState operatorState(String name, String uid, OperatorID id, int parallelism, int maxParallelism) {
        return new OperatorState(id, parallelism, maxParallelism);
    }

    static OperatorState fullyFinished(String name, String uid, OperatorID id, int parallelism, int maxParallelism) {
        return new FullyFinishedOperatorState(id, parallelism, maxParallelism);
    }

    static OperatorSubtaskState.Builder channels(OperatorSubtaskState.Builder builder, List<InputChannelStateHandle> input,
                                                 List<ResultSubpartitionStateHandle> output, boolean merged) {
        if (merged) {
            throw new UnsupportedOperationException("Flink 1.20 has no merged channel-state handles");
        }
        return builder.setInputChannelState(new StateObjectCollection<>(input))
                .setResultSubpartitionState(new StateObjectCollection<>(output));
    }
}
