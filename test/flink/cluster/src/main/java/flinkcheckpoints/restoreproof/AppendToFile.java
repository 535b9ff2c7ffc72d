package flinkcheckpoints.restoreproof;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.java.tuple.Tuple2;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;

/**
 * Appends one "word count" line per update, so the driver sees every count the job produced, in order. A map before a
 * discarding sink rather than a SinkFunction: SinkFunction left Flink's public API in 2.0, and the sink2 writer
 * interface differs between 1.20 and 2.x, while this compiles and runs the same on both.
 */
final class AppendToFile implements MapFunction<Tuple2<String, Integer>, Tuple2<String, Integer>> {

    private static final long serialVersionUID = 1L;

    private final String path;

    AppendToFile(String path) {
        this.path = path;
    }

    @Override
    public Tuple2<String, Integer> map(Tuple2<String, Integer> count) throws Exception {
        Files.write(
                Paths.get(path),
                (count.f0 + " " + count.f1 + "\n").getBytes(StandardCharsets.UTF_8),
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        return count;
    }
}
