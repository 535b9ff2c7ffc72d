package flinkcheckpoints.restoreproof;

import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.functions.sink.SinkFunction;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;

/** Appends one "word count" line per update, so the driver sees every count the job produced, in order. */
final class AppendToFileSink implements SinkFunction<Tuple2<String, Integer>> {

    private static final long serialVersionUID = 1L;

    private final String path;

    AppendToFileSink(String path) {
        this.path = path;
    }

    @Override
    public void invoke(Tuple2<String, Integer> count, Context context) throws IOException {
        Files.write(
                Paths.get(path),
                (count.f0 + " " + count.f1 + "\n").getBytes(StandardCharsets.UTF_8),
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }
}
