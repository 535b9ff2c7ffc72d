package flinkfixtures;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Two canonical savepoints of one job with {@code keys} keys and known differences, for the state diff's memory
 * bench (bench/state/diffMemory.ts). Value state {@code "account"} holds (name, count) per key. The first savepoint
 * has every key but those with {@code key % 100 == 2}; before the second, each key is visited once more: keys with
 * {@code key % 100 == 2} are added, {@code key % 100 == 1} removed, {@code key % 10 == 0} have their count raised by
 * one (field [1]). So the diff is keys/100 added, keys/100 removed and keys/10 changed.
 *
 * <pre>DiffSavepoints --root DIR --keys N</pre> prints {"before": path, "after": path} as JSON.
 */
public final class DiffSavepoints {
    private DiffSavepoints() {}

    private static final long TIMEOUT_MILLIS = 600_000;
    /** 1: first pass, 0: waiting (a savepoint is taken), 2: second pass over [from, from + keys). */
    static volatile int phase = 1;
    static volatile long from = Long.MAX_VALUE;
    static final AtomicLong FIRST = new AtomicLong();
    static final AtomicLong SECOND = new AtomicLong();
    static final AtomicLong HIGHEST = new AtomicLong();

    /** The MiniCluster's threads keep the JVM alive: a failure must end it too, or the script waits for ever. */
    public static void main(String[] args) {
        try {
            run(args);
            System.exit(0);
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        String root = null;
        long keys = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--root": root = args[++i]; break;
                case "--keys": keys = Long.parseLong(args[++i]); break;
                default: throw new IllegalArgumentException("usage: DiffSavepoints --root DIR --keys N");
            }
        }
        if (root == null || keys <= 0) throw new IllegalArgumentException("usage: DiffSavepoints --root DIR --keys N");
        File dir = new File(root).getAbsoluteFile();
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("state.backend.type", "hashmap");
        conf.put("execution.checkpointing.dir", "file:" + dir.getPath());
        conf.put("rest.bind-address", "127.0.0.1");
        conf.put("rest.bind-port", "0");
        conf.put("taskmanager.host", "127.0.0.1");
        conf.put("taskmanager.bind-host", "127.0.0.1");
        conf.put("jobmanager.bind-host", "127.0.0.1");
        conf.put("restart-strategy.type", "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(Configuration.fromMap(conf));
        env.setParallelism(2);
        env.setMaxParallelism(128);
        final long n = keys;
        env.fromSource(new NumberSequenceSource(0, Long.MAX_VALUE), WatermarkStrategy.noWatermarks(), "Numbers")
                .uid("numbers").name("Numbers")
                // One split, so the numbers come in order: the passes are ranges of them.
                .setParallelism(1)
                .keyBy(new Key(n))
                .process(new Accounts(n)).uid("accounts").name("Accounts");
        JobClient client = env.executeAsync("state diff bench (" + keys + " keys)");
        String target = "file:" + dir.getPath();
        waitFor(() -> FIRST.get() >= n);
        phase = 0;
        String before = savepoint(client, target);
        from = HIGHEST.get() + 1000;
        phase = 2;
        waitFor(() -> SECOND.get() >= n);
        phase = 0;
        String after = savepoint(client, target);
        client.cancel().get();
        System.out.println("{\"before\": \"" + before + "\", \"after\": \"" + after + "\"}");
    }

    private interface Condition {
        boolean holds();
    }

    private static void waitFor(Condition condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        while (!condition.holds()) {
            if (System.currentTimeMillis() > deadline) throw new IllegalStateException("timed out");
            Thread.sleep(100);
        }
    }

    /** Savepoints fail while tasks are still being deployed; retried until the deadline. */
    private static String savepoint(JobClient client, String target) throws Exception {
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        while (true) {
            try {
                return client.triggerSavepoint(target, SavepointFormatType.CANONICAL).get().replaceFirst("^file:", "");
            } catch (Exception e) {
                if (System.currentTimeMillis() > deadline) throw e;
                Thread.sleep(500);
            }
        }
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

    static final class Accounts extends KeyedProcessFunction<Long, Long, Long> {
        private final long keys;
        private transient ValueState<Tuple2<String, Long>> account;

        Accounts(long keys) {
            this.keys = keys;
        }

        @Override
        public void processElement(Long n, Context ctx, Collector<Long> out) throws Exception {
            if (account == null) {
                account = getRuntimeContext().getState(
                        new ValueStateDescriptor<>("account", Types.TUPLE(Types.STRING, Types.LONG)));
            }
            HIGHEST.accumulateAndGet(n, Math::max);
            long key = n % keys;
            if (phase == 1 && n < keys) {
                if (key % 100 != 2) account.update(Tuple2.of("k" + key, key));
                FIRST.incrementAndGet();
            } else if (phase == 2 && n >= from && n < from + keys) {
                if (key % 100 == 2) account.update(Tuple2.of("k" + key, key));
                else if (key % 100 == 1) account.clear();
                else if (key % 10 == 0) account.update(Tuple2.of("k" + key, account.value().f1 + 1));
                SECOND.incrementAndGet();
            } else {
                // Between the passes: slow the source down while the savepoint is taken.
                Thread.sleep(1);
            }
        }
    }
}
