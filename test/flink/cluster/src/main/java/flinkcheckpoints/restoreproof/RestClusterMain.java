package flinkcheckpoints.restoreproof;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.PluginUtils;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;

/**
 * A Flink session cluster in one JVM: a MiniCluster whose REST endpoint (bound to 127.0.0.1 on a free port) serves the
 * full dispatcher API including jar upload and run, because flink-runtime-web is on the classpath. Writes the REST
 * address to {@code <work>/rest-url} once it is up and runs until the process is stopped. No savepoint directory is
 * configured unless given as an option, so a savepoint without a target directory fails as it does on such a cluster.
 */
public final class RestClusterMain {

    private RestClusterMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: RestClusterMain <work dir> [key=value ...]");
        }
        Path work = Paths.get(args[0]).toAbsolutePath();
        Files.createDirectories(work.resolve("uploads"));

        // Further options (web.checkpoints.history, a savepoint directory) as key=value: fromMap works on 1.x and 2.x
        // alike, where the string setters of Configuration differ.
        Map<String, String> extra = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got " + args[i]);
            }
            extra.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        Configuration conf = Configuration.fromMap(extra);
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        // A literal path, not toUri(): Flink does not decode %20, it would create a directory named "a%20b".
        if (!conf.contains(CheckpointingOptions.CHECKPOINTS_DIRECTORY)) {
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, "file://" + work.resolve("checkpoints"));
        }
        conf.set(WebOptions.UPLOAD_DIR, work.resolve("uploads").toString());

        // File systems in FLINK_PLUGINS_DIR (flink-s3-fs-hadoop), configured by the s3.* options given, as a cluster
        // loads them; without that directory only the built-in ones.
        FileSystem.initialize(conf, PluginUtils.createPluginManagerFromRootFolder(conf));

        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(conf)
                                .withRandomPorts()
                                .setCommonBindAddress("127.0.0.1")
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(4)
                                .build());
        cluster.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> cluster.closeAsync().join()));

        URI rest = cluster.getRestAddress().get();
        Path tmp = work.resolve("rest-url.tmp");
        Files.write(tmp, rest.toString().getBytes(StandardCharsets.UTF_8));
        Files.move(tmp, work.resolve("rest-url"), StandardCopyOption.ATOMIC_MOVE);
        Thread.currentThread().join();
    }
}
