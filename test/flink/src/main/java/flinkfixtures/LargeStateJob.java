package flinkfixtures;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Large keyed state, fast: {@code keys} keys, each written once with {@code valueBytes} random (incompressible) bytes in
 * value state, then left alone, so the state reaches keys x valueBytes and stops growing while checkpoints go on.
 * For the schema-of-a-large-checkpoint measurement (bench/state).
 */
final class LargeStateJob {
    private LargeStateJob() {}

    /** Values written so far, over all subtasks (a MiniCluster runs them in the driver's JVM). */
    static final AtomicLong WRITTEN = new AtomicLong();

    static void build(StreamExecutionEnvironment env, long keys, int valueBytes) {
        env.fromSource(new NumberSequenceSource(0, Long.MAX_VALUE), WatermarkStrategy.noWatermarks(), "Numbers")
                .uid("numbers").name("Numbers")
                .keyBy(new Key(keys))
                .process(new Fill(keys, valueBytes)).uid("large-state").name("Large state");
    }

    static final class Key implements KeySelector<Long, Long> {
        private final long keys;

        Key(long keys) {
            this.keys = keys;
        }

        @Override
        public Long getKey(Long n) {
            return n % keys;
        }
    }

    static final class Fill extends KeyedProcessFunction<Long, Long, Long> {
        private final long keys;
        private final int valueBytes;
        private transient ValueState<byte[]> value;
        private transient SplittableRandom random;

        Fill(long keys, int valueBytes) {
            this.keys = keys;
            this.valueBytes = valueBytes;
        }

        @Override
        public void processElement(Long n, Context ctx, Collector<Long> out) throws Exception {
            if (value == null) {
                value = getRuntimeContext().getState(new ValueStateDescriptor<>("payload", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
                random = new SplittableRandom(n);
            }
            if (n >= keys) {
                // every key has its value: the state stays as it is
                Thread.sleep(1);
                return;
            }
            byte[] bytes = new byte[valueBytes];
            random.nextBytes(bytes);
            value.update(bytes);
            WRITTEN.incrementAndGet();
        }
    }
}
