package flinkcheckpoints.restoreproof;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;

import java.util.HashMap;
import java.util.Map;

/**
 * The classic streaming word count over a source that emits the line "hello" every {@code --interval-ms} and a sink
 * that appends "word count" lines to {@code --out}. {@code --total} bounds the source (the job finishes after it),
 * {@code --pause-after} holds the source after that many lines of this run without finishing, so the driver can take a
 * checkpoint at a known count. The source position and the counts are Flink state: a restored run continues both.
 */
public final class HelloWordCount {

    private HelloWordCount() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = parse(args);
        String out = required(options, "out");
        long total = Long.parseLong(options.getOrDefault("total", "6"));
        int pauseAfter = Integer.parseInt(options.getOrDefault("pause-after", "-1"));
        long intervalMs = Long.parseLong(options.getOrDefault("interval-ms", "300"));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.enableCheckpointing(Long.parseLong(options.getOrDefault("checkpoint-interval-ms", "250")));
        env.getCheckpointConfig()
                .setExternalizedCheckpointRetention(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);

        DataGeneratorSource<String> source =
                new DataGeneratorSource<>(
                        index -> "hello",
                        total,
                        new PausingRateLimiterStrategy(intervalMs, pauseAfter),
                        Types.STRING);

        env.fromSource(source, WatermarkStrategy.noWatermarks(), "hello source")
                .uid("hello-source")
                .flatMap(HelloWordCount::tokenize)
                .returns(Types.TUPLE(Types.STRING, Types.INT))
                .uid("tokenizer")
                .keyBy(pair -> pair.f0)
                .sum(1)
                .uid("counts")
                .map(new AppendToFile(out))
                .uid("file-sink")
                .name("append counts")
                .sinkTo(new DiscardingSink<>())
                .uid("discard");

        env.execute("hello word count");
    }

    private static void tokenize(String line, Collector<Tuple2<String, Integer>> out) {
        for (String word : line.toLowerCase().split("\\W+")) {
            if (!word.isEmpty()) {
                out.collect(Tuple2.of(word, 1));
            }
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got " + String.join(" ", args));
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return value;
    }
}
