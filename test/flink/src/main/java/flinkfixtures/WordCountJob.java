package flinkfixtures;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The classic streaming word count, with enough extra state to exercise every kind of state a small job has:
 * a FLIP-27 source (operator coordinator state + {@code SourceReaderState} list state), list state (lines),
 * union list state (tokenizer), broadcast state (stop words), keyed value state (counter), and a final operator
 * without a uid. Only APIs present in every line from 1.15 to 2.x are used. The vocabulary is fixed, so keyed
 * state stays a few dozen entries however long the job runs.
 */
final class WordCountJob {
    private WordCountJob() {}

    static final String[] TEXT = {
        "to be or not to be that is the question",
        "whether tis nobler in the mind to suffer",
        "the slings and arrows of outrageous fortune",
        "or to take arms against a sea of troubles",
    };
    static final String[] STOP_WORDS = {"the", "a", "of"};
    static final MapStateDescriptor<String, Boolean> STOP_WORD_STATE =
            new MapStateDescriptor<>("stop-words", Types.STRING, Types.BOOLEAN);

    /** Builds the job; {@code lineDelayMillis} throttles the source side, {@code countDelayMillis} the counter. */
    static void build(StreamExecutionEnvironment env, long lineDelayMillis, long countDelayMillis) {
        DataStream<String> lines = env
                .fromSource(new NumberSequenceSource(0, Long.MAX_VALUE), WatermarkStrategy.noWatermarks(), "Numbers")
                .uid("numbers").name("Numbers")
                .map(new LineMaker(lineDelayMillis)).uid("lines").name("Lines");
        DataStream<String> words = lines.flatMap(new Tokenizer()).uid("tokenizer").name("Tokenizer");

        BroadcastStream<String> stopWords = env
                .fromSource(new NumberSequenceSource(0, Long.MAX_VALUE), WatermarkStrategy.noWatermarks(), "Stop word feed")
                .uid("stop-word-feed").name("Stop word feed").setParallelism(1)
                .map(new StopWordMaker()).uid("stop-word-maker").name("Stop word maker").setParallelism(1)
                .broadcast(STOP_WORD_STATE);

        words.connect(stopWords).process(new StopWordFilter()).uid("stop-word-filter").name("Stop word filter")
                .keyBy(new WordKey())
                .process(new Counter(countDelayMillis)).uid("counter").name("Counter")
                .process(new Discard()).name("Discard");
    }

    /** Number to line of text; keeps the number of lines it emitted in list state (split-distributed). */
    static final class LineMaker implements MapFunction<Long, String>, CheckpointedFunction {
        private final long delayMillis;
        private transient ListState<Long> emitted;
        private long count;

        LineMaker(long delayMillis) {
            this.delayMillis = delayMillis;
        }

        @Override
        public String map(Long n) throws Exception {
            if (delayMillis > 0) {
                Thread.sleep(delayMillis);
            }
            count++;
            return TEXT[(int) (n % TEXT.length)];
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            emitted.clear();
            emitted.add(count);
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            emitted = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("emitted-lines", Types.LONG));
            for (Long c : emitted.get()) {
                count += c;
            }
        }
    }

    /** Line to words; keeps its word count in union list state (every subtask gets all entries on restore). */
    static final class Tokenizer implements FlatMapFunction<String, String>, CheckpointedFunction {
        private transient ListState<Long> wordsSeen;
        private long count;

        @Override
        public void flatMap(String line, Collector<String> out) {
            for (String word : line.split(" ")) {
                count++;
                out.collect(word);
            }
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            wordsSeen.clear();
            wordsSeen.add(count);
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            wordsSeen = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>("words-seen", Types.LONG));
        }
    }

    static final class StopWordMaker implements MapFunction<Long, String> {
        @Override
        public String map(Long n) throws Exception {
            Thread.sleep(200);
            return STOP_WORDS[(int) (n % STOP_WORDS.length)];
        }
    }

    /** Drops stop words; the stop-word list is broadcast state. */
    static final class StopWordFilter extends BroadcastProcessFunction<String, String, String> {
        @Override
        public void processElement(String word, ReadOnlyContext ctx, Collector<String> out) throws Exception {
            ReadOnlyBroadcastState<String, Boolean> stop = ctx.getBroadcastState(STOP_WORD_STATE);
            if (!stop.contains(word)) {
                out.collect(word);
            }
        }

        @Override
        public void processBroadcastElement(String word, Context ctx, Collector<String> out) throws Exception {
            BroadcastState<String, Boolean> stop = ctx.getBroadcastState(STOP_WORD_STATE);
            stop.put(word, Boolean.TRUE);
        }
    }

    static final class WordKey implements KeySelector<String, String> {
        @Override
        public String getKey(String word) {
            return word;
        }
    }

    /** The running count per word, in keyed value state. */
    static final class Counter extends KeyedProcessFunction<String, String, String> {
        private final long delayMillis;
        private transient ValueState<Long> count;

        Counter(long delayMillis) {
            this.delayMillis = delayMillis;
        }

        @Override
        public void processElement(String word, Context ctx, Collector<String> out) throws Exception {
            if (delayMillis > 0) {
                Thread.sleep(delayMillis);
            }
            if (count == null) {
                count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
            }
            Long current = count.value();
            long next = current == null ? 1 : current + 1;
            count.update(next);
            out.collect(word + "=" + next);
        }
    }

    /** The end of the pipeline; deliberately has no uid, so Flink derives its operator id from the graph. */
    static final class Discard extends ProcessFunction<String, String> {
        @Override
        public void processElement(String value, Context ctx, Collector<String> out) {
            // counts are not needed anywhere: the job exists for its checkpoints
        }
    }
}
