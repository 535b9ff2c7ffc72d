package flinkfixtures;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The State Processor API side of the state-values benchmark: reads every key of {@link LargeStateJob}'s value state
 * ({@code payload}, byte[]) from a checkpoint or savepoint with the RocksDB backend, as a user's job would, on a local
 * MiniCluster of parallelism 2, and prints one JSON line {@code {"entries", "bytes", "ms"}} (bytes: 8 per key, the
 * long, plus the value's length). The time is the job's; the benchmark times the whole process (JVM start included).
 *
 * <pre>StateBenchSpa SNAPSHOT_DIR [UID]</pre>
 */
public final class StateBenchSpa {
    static final AtomicLong ENTRIES = new AtomicLong();
    static final AtomicLong BYTES = new AtomicLong();

    private StateBenchSpa() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: StateBenchSpa SNAPSHOT_DIR [UID]");
            System.exit(2);
        }
        String uid = args.length > 1 ? args[1] : "large-state";
        long started = System.nanoTime();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        SavepointReader.read(env, Path.of(args[0]).toUri().toString(), new EmbeddedRocksDBStateBackend())
                .readKeyedState(OperatorIdentifier.forUid(uid), new Reader())
                .sinkTo(new DiscardingSink<>());
        env.execute("State Processor API: read " + uid);
        long ms = (System.nanoTime() - started) / 1_000_000;
        System.out.println("{\"entries\":" + ENTRIES.get() + ",\"bytes\":" + BYTES.get() + ",\"ms\":" + ms + "}");
        System.exit(0);
    }

    static final class Reader extends KeyedStateReaderFunction<Long, Long> {
        private transient ValueState<byte[]> payload;

        @Override
        public void open(OpenContext context) {
            payload = getRuntimeContext().getState(
                    new ValueStateDescriptor<>("payload", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        }

        @Override
        public void readKey(Long key, Context context, Collector<Long> out) throws Exception {
            byte[] value = payload.value();
            ENTRIES.incrementAndGet();
            BYTES.addAndGet(8 + (value == null ? 0 : value.length));
        }
    }
}
