package flinkfixtures;

import org.apache.flink.runtime.checkpoint.FullyFinishedOperatorState;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.StateObjectCollection;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.InputChannelStateHandle;
import org.apache.flink.runtime.state.InputStateHandle;
import org.apache.flink.runtime.state.MergedInputChannelStateHandle;
import org.apache.flink.runtime.state.MergedResultSubpartitionStateHandle;
import org.apache.flink.runtime.state.OutputStateHandle;
import org.apache.flink.runtime.state.ResultSubpartitionStateHandle;

import java.util.ArrayList;
import java.util.List;

/** The 2.2 (metadata V6) side of the API differences the synthetic writer meets. */
final class LineApi {
    private LineApi() {}

    /** V5+ stores the operator name and uid in front of every operator. */
    static final boolean OPERATOR_NAMES = true;
    /** V6 (Flink 2.1+) writes merged channel-state handles (channel tags 3 and 4). */
    static final boolean MERGED_CHANNEL_HANDLES = true;

    static OperatorState operatorState(String name, String uid, OperatorID id, int parallelism, int maxParallelism) {
        return new OperatorState(name, uid, id, parallelism, maxParallelism);
    }

    static OperatorState fullyFinished(String name, String uid, OperatorID id, int parallelism, int maxParallelism) {
        return new FullyFinishedOperatorState(name, uid, id, parallelism, maxParallelism);
    }

    static OperatorSubtaskState.Builder channels(OperatorSubtaskState.Builder builder, List<InputChannelStateHandle> input,
                                                 List<ResultSubpartitionStateHandle> output, boolean merged) {
        List<InputStateHandle> in = new ArrayList<>();
        List<OutputStateHandle> out = new ArrayList<>();
        if (merged) {
            in.add(MergedInputChannelStateHandle.fromChannelHandles(input));
            out.add(MergedResultSubpartitionStateHandle.fromChannelHandles(output));
        } else {
            in.addAll(input);
            out.addAll(output);
        }
        return builder.setInputChannelState(new StateObjectCollection<>(in))
                .setResultSubpartitionState(new StateObjectCollection<>(out));
    }
}
