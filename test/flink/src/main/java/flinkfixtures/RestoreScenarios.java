package flinkfixtures;

import org.apache.flink.api.dag.Pipeline;
import java.lang.reflect.Method;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.client.FlinkPipelineTranslationUtil;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Restores of changed jobs on a local MiniCluster, to learn what Flink does with each change the pre-flight judges:
 * a base job writes a savepoint; each variant first runs fresh (its own savepoint is the "new job" the pre-flight
 * compares against), then starts from the base savepoint; a restore that fails because state cannot be mapped is
 * tried again with --allowNonRestoredState. Prints one JSON object with every outcome and Flink's error.
 *
 * <p>The POJO and Kryo classes whose shape a variant changes are compiled at run time into a directory of their own
 * and handed to the job as its user classpath ({@code pipeline.classpaths}), so one JVM can run both shapes of a class
 * under the same name, as two releases of a job would.
 *
 * <p>Usage: {@code RestoreScenarios write <dir>} (base savepoint and all variants of this line) or
 * {@code RestoreScenarios restore <dir> <variant>=<savepoint>...} (restores savepoints of another line into the
 * variants {@code base}, {@code base-no-kryo} or {@code base-pojo-list}), or {@code RestoreScenarios plans <dir>}
 * (the base savepoint and the plans of the unchanged, uid-removed and max-parallelism-changed jobs).
 */
public final class RestoreScenarios {
    static final long TIMEOUT_MILLIS = 120_000;

    /** A release of the job: which operators and states it has, and which shape of the generated classes. */
    static final class Variant implements java.io.Serializable {
        final String name;
        boolean tracker = true;
        int maxParallelism = 128;
        boolean countAsString = false;
        String eventShape = "v1";
        String kryoClass = "flinkgen.Blob";
        boolean kryo = true;
        /** The state backend of the job ({@code hashmap} or {@code rocksdb}). */
        String backend = "hashmap";
        /** The format of the savepoints it takes. */
        SavepointFormatType format = SavepointFormatType.CANONICAL;

        Variant(String name) {
            this.name = name;
        }

        List<String> uids() {
            List<String> uids = new ArrayList<>(List.of("numbers", "counter"));
            if (tracker) {
                uids.add(1, "tracker");
            }
            return uids;
        }
    }

    static List<Variant> variants() {
        List<Variant> all = new ArrayList<>();
        all.add(new Variant("unchanged"));
        Variant v = new Variant("uid-removed");
        v.tracker = false;
        all.add(v);
        v = new Variant("max-parallelism-changed");
        v.maxParallelism = 256;
        all.add(v);
        v = new Variant("pojo-field-added");
        v.eventShape = "v2";
        all.add(v);
        v = new Variant("kryo-type-changed");
        v.kryoClass = "flinkgen.Blob2";
        all.add(v);
        v = new Variant("serializer-incompatible");
        v.countAsString = true;
        all.add(v);
        return all;
    }

    /** The variant on RocksDB, taking native savepoints. */
    static Variant rocksdbNative(Variant variant) {
        variant.backend = "rocksdb";
        variant.format = SavepointFormatType.NATIVE;
        return variant;
    }

    /** The POJO has a {@code List<String>} field: Kryo's in 1.x, Flink's own list serializer in 2.x. */
    static Variant pojoList() {
        Variant v = new Variant("base-pojo-list");
        v.eventShape = "list";
        v.kryo = false;
        return v;
    }

    public static void main(String[] args) throws Exception {
        File dir = new File(args[1]).getAbsoluteFile();
        Files.createDirectories(dir.toPath());
        Map<String, Object> out = new LinkedHashMap<>();
        List<Object> results = new ArrayList<>();
        if (args[0].equals("plans")) {
            // The plan fixtures: a base savepoint and the plans Flink gives of three changed jobs.
            out.put("base", savepointOf(dir, new Variant("base")));
            for (Variant variant : variants().subList(0, 3)) {
                Map<String, Object> plans = new LinkedHashMap<>();
                plans.put("target", savepointOf(dir, variant, plans));
                out.put(variant.name, plans);
            }
        } else if (args[0].equals("write")) {
            Variant base = new Variant("base");
            Variant noKryo = new Variant("base-no-kryo");
            noKryo.kryo = false;
            out.put("base", savepointOf(dir, base));
            out.put("baseNoKryo", savepointOf(dir, noKryo));
            out.put("basePojoList", savepointOf(dir, pojoList()));
            out.put("baseRocksdbNative", savepointOf(dir, rocksdbNative(new Variant("base"))));
            for (Variant variant : variants()) {
                results.add(scenario(dir, (String) out.get("base"), variant));
            }
        } else if (args[0].equals("write-rocksdb")) {
            // The same changes restored by RocksDB from a native savepoint of the base job (RocksDB's own files).
            String from = savepointOf(dir, rocksdbNative(new Variant("base")));
            out.put("base", from);
            for (Variant variant : variants()) {
                results.add(scenario(dir, from, rocksdbNative(variant)));
            }
        } else {
            for (int i = 2; i < args.length; i++) {
                String[] pair = args[i].split("=", 2);
                String name = pair[0].replaceFirst("-rocksdb-native$", "");
                Variant variant = name.equals("base-pojo-list") ? pojoList() : new Variant(name);
                variant.kryo = !name.endsWith("-no-kryo");
                if (pair[0].endsWith("-rocksdb-native")) {
                    rocksdbNative(variant);
                }
                results.add(scenario(dir, pair[1], variant));
            }
        }
        out.put("scenarios", results);
        System.out.println(Json.write(out));
        System.exit(0);
    }

    static Map<String, Object> scenario(File dir, String from, Variant variant) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("name", variant.name);
        result.put("backend", variant.backend);
        result.put("format", variant.format.name().toLowerCase(java.util.Locale.ROOT));
        result.put("from", from);
        result.put("uids", variant.uids());
        result.put("maxParallelism", variant.maxParallelism);
        Map<String, Object> plans = new LinkedHashMap<>();
        result.put("target", savepointOf(dir, variant, plans));
        result.put("plans", plans);
        Map<String, Object> restore = restore(dir, from, variant, false);
        result.put("restore", restore);
        if ("failed".equals(restore.get("outcome"))
                && String.valueOf(restore.get("error")).contains("allowNonRestoredState")) {
            result.put("restoreAllowNonRestored", restore(dir, from, variant, true));
        }
        return result;
    }

    /** REST port of the job {@link #start} last started, and the plans of its StreamGraph. */
    static int restPort;
    static String executionPlan;
    static String infoPlan;

    /** Runs the variant from scratch until a savepoint of it completes; returns the savepoint's path. */
    static String savepointOf(File dir, Variant variant) throws Exception {
        return savepointOf(dir, variant, null);
    }

    /**
     * Like {@link #savepointOf(File, Variant)}; with {@code plans}, also records the plans Flink gives of the running
     * job: {@code rest} (GET /jobs/:id/plan), {@code job} (GET /jobs/:id, whose vertices carry max parallelism),
     * {@code executionPlan} (env.getExecutionPlan()) and {@code info} (`flink info`), each written to a file.
     */
    static String savepointOf(File dir, Variant variant, Map<String, Object> plans) throws Exception {
        JobClient client = start(dir, variant, null, false);
        try {
            String savepoint = savepoint(client, dir, variant.format);
            if (plans != null) {
                String base = variant.name + "-" + variant.backend;
                String job = "http://127.0.0.1:" + restPort + "/jobs/" + client.getJobID();
                plans.put("rest", write(dir, base + "-rest-plan.json", get(job + "/plan")));
                plans.put("job", write(dir, base + "-rest-job.json", get(job)));
                plans.put("executionPlan", write(dir, base + "-execution-plan.json", executionPlan));
                plans.put("info", write(dir, base + "-info-plan.json", infoPlan));
            }
            return savepoint;
        } finally {
            cancel(client);
        }
    }

    static String write(File dir, String name, String text) throws IOException {
        File file = new File(dir, name);
        Files.writeString(file.toPath(), text, StandardCharsets.UTF_8);
        return file.getPath();
    }

    static String get(String url) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) new URL(url).openConnection();
        connection.setConnectTimeout(10_000);
        connection.setReadTimeout(30_000);
        try (InputStream in = connection.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            connection.disconnect();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Starts the variant from {@code from}: restored once a savepoint of the restored job completes. */
    static Map<String, Object> restore(File dir, String from, Variant variant, boolean allowNonRestored) throws Exception {
        Map<String, Object> outcome = new LinkedHashMap<>();
        outcome.put("allowNonRestoredState", allowNonRestored);
        JobClient client;
        try {
            client = start(dir, variant, from, allowNonRestored);
        } catch (Exception e) {
            outcome.put("outcome", "failed");
            outcome.put("error", causes(e));
            return outcome;
        }
        try {
            savepoint(client, dir, SavepointFormatType.CANONICAL);
            // Keyed state is registered, and its serializers checked, when the job first touches it.
            Thread.sleep(1500);
            if (client.getJobStatus().get().isGloballyTerminalState()) {
                client.getJobExecutionResult().get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            }
            outcome.put("outcome", "restored");
        } catch (Exception e) {
            outcome.put("outcome", "failed");
            outcome.put("error", causes(failureOf(client, e)));
        } finally {
            cancel(client);
        }
        return outcome;
    }

    static JobClient start(File dir, Variant variant, String from, boolean allowNonRestored) throws Exception {
        Options options = new Options();
        options.set("none", "org.apache.flink.configuration.RestartStrategyOptions#RESTART_STRATEGY");
        options.set(variant.backend, "org.apache.flink.configuration.StateBackendOptions#STATE_BACKEND");
        // The job's REST endpoint, to read the plan Flink serves for it (GET /jobs/:id/plan).
        restPort = freePort();
        options.set("127.0.0.1", "org.apache.flink.configuration.RestOptions#BIND_ADDRESS");
        options.set("127.0.0.1", "org.apache.flink.configuration.RestOptions#ADDRESS");
        options.set(Integer.toString(restPort), "org.apache.flink.configuration.RestOptions#BIND_PORT");
        options.set(generatedClasses(dir, variant).toURI().toURL().toString(),
                "org.apache.flink.configuration.PipelineOptions#CLASSPATHS");
        if (from != null) {
            options.set(from, "org.apache.flink.configuration.StateRecoveryOptions#SAVEPOINT_PATH",
                    "org.apache.flink.runtime.jobgraph.SavepointConfigOptions#SAVEPOINT_PATH");
            options.set(Boolean.toString(allowNonRestored),
                    "org.apache.flink.configuration.StateRecoveryOptions#SAVEPOINT_IGNORE_UNCLAIMED_STATE",
                    "org.apache.flink.runtime.jobgraph.SavepointConfigOptions#SAVEPOINT_IGNORE_UNCLAIMED_STATE");
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(options.toConfiguration());
        env.setParallelism(2);
        env.setMaxParallelism(variant.maxParallelism);
        DataStream<Long> numbers = env
                .fromSource(new NumberSequenceSource(0, Long.MAX_VALUE), WatermarkStrategy.noWatermarks(), "Numbers")
                .uid("numbers").name("Numbers");
        if (variant.tracker) {
            numbers = numbers.map(new Tracker()).uid("tracker").name("Tracker");
        }
        numbers.keyBy(new Bucket()).process(new Counter(variant)).uid("counter").name("Counter");
        // The StreamGraph plan as env.getExecutionPlan() and `flink info` print it (CliFrontend#info hands the
        // program's pipeline to FlinkPipelineTranslationUtil), read before execution clears the transformations.
        executionPlan = env.getExecutionPlan();
        infoPlan = infoPlan(env.getStreamGraph(false));
        return env.executeAsync("restore scenario " + variant.name);
    }

    /**
     * What `flink info` prints for a pipeline. FlinkPipelineTranslationUtil takes the user class loader from 1.16 on
     * and only the pipeline before; the test bench builds against every line, so the call is looked up.
     */
    static String infoPlan(Pipeline pipeline) throws Exception {
        try {
            Method withLoader = FlinkPipelineTranslationUtil.class.getMethod(
                    "translateToJSONExecutionPlan", ClassLoader.class, Pipeline.class);
            return (String) withLoader.invoke(null, Thread.currentThread().getContextClassLoader(), pipeline);
        } catch (NoSuchMethodException olderLine) {
            Method plain = FlinkPipelineTranslationUtil.class.getMethod("translateToJSONExecutionPlan", Pipeline.class);
            return (String) plain.invoke(null, pipeline);
        }
    }

    static String savepoint(JobClient client, File dir, SavepointFormatType format) throws Exception {
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        while (true) {
            JobStatus status = client.getJobStatus().get();
            if (status.isGloballyTerminalState()) {
                client.getJobExecutionResult().get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                throw new IllegalStateException("the job ended: " + status);
            }
            try {
                return client.triggerSavepoint("file:" + dir.getPath(), format)
                        .get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).replaceFirst("^file:", "");
            } catch (Exception e) {
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(300);
            }
        }
    }

    /** Why the job failed: its result holds Flink's error after the per-job MiniCluster has shut down. */
    static Throwable failureOf(JobClient client, Exception seen) {
        try {
            client.getJobExecutionResult().get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            return seen;
        } catch (Exception e) {
            return e;
        }
    }

    static void cancel(JobClient client) {
        try {
            if (!client.getJobStatus().get().isGloballyTerminalState()) {
                client.cancel().get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            }
            client.getJobExecutionResult().get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (Exception expected) {
            // a cancelled or failed job completes exceptionally
        }
    }

    /** The chain of messages of an exception, root cause last, as Flink reports it. */
    static List<String> causes(Throwable e) {
        List<String> chain = new ArrayList<>();
        for (Throwable t = e; t != null && chain.size() < 20; t = t.getCause()) {
            chain.add(t.getClass().getName() + ": " + t.getMessage());
        }
        return chain;
    }

    /** The POJO {@code flinkgen.Event} and the Kryo-typed {@code flinkgen.Blob}/{@code Blob2} in this variant's shape. */
    static File generatedClasses(File dir, Variant variant) throws IOException {
        File classes = new File(dir, "classes-" + variant.eventShape);
        if (new File(classes, "flinkgen/Event.class").isFile()) {
            return classes;
        }
        File src = new File(dir, "src-" + variant.eventShape + "/flinkgen");
        Files.createDirectories(src.toPath());
        String extra = variant.eventShape.equals("v2") ? "    public String origin;\n"
                : variant.eventShape.equals("list") ? "    public java.util.List<String> tags;\n" : "";
        Map<String, String> sources = Map.of(
                "Event", "package flinkgen;\npublic class Event {\n    public String id;\n    public long seen;\n" + extra
                        + "    public Event() {}\n}\n",
                // No default constructor: Flink's type extraction hands these to Kryo.
                "Blob", "package flinkgen;\npublic class Blob {\n    private final long n;\n"
                        + "    public Blob(long n) { this.n = n; }\n}\n",
                "Blob2", "package flinkgen;\npublic class Blob2 {\n    private final String n;\n"
                        + "    public Blob2(long n) { this.n = Long.toString(n); }\n}\n");
        List<String> argv = new ArrayList<>(List.of("-d", classes.getPath(), "--release", "11"));
        for (Map.Entry<String, String> e : sources.entrySet()) {
            File f = new File(src, e.getKey() + ".java");
            Files.writeString(f.toPath(), e.getValue(), StandardCharsets.UTF_8);
            argv.add(f.getPath());
        }
        Files.createDirectories(classes.toPath());
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter errors = new StringWriter();
        if (javac == null || javac.run(null, null, new java.io.OutputStream() {
            @Override
            public void write(int b) {
                errors.write(b);
            }
        }, argv.toArray(new String[0])) != 0) {
            throw new IllegalStateException("cannot compile the generated classes (a JDK is needed): " + errors);
        }
        return classes;
    }

    /** Numbers, throttled, with a count in operator list state. */
    static final class Tracker implements MapFunction<Long, Long>, CheckpointedFunction {
        private transient ListState<Long> seen;
        private long count;

        @Override
        public Long map(Long n) throws Exception {
            Thread.sleep(5);
            count++;
            return n;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            seen.clear();
            seen.add(count);
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            seen = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("seen", Types.LONG));
        }
    }

    static final class Bucket implements KeySelector<Long, Long> {
        @Override
        public Long getKey(Long n) {
            return n % 16;
        }
    }

    /** Keyed state in three serializers: a Long (or String), a POJO, and a Kryo-typed class. */
    static final class Counter extends KeyedProcessFunction<Long, Long, Long> {
        private final Variant variant;
        private transient ValueState<Object> count;
        private transient ValueState<Object> last;
        private transient ValueState<Object> blob;
        private transient Class<?> eventClass;
        private transient Class<?> blobClass;

        Counter(Variant variant) {
            this.variant = variant;
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private void init() throws Exception {
            ClassLoader loader = getRuntimeContext().getUserCodeClassLoader();
            eventClass = Class.forName("flinkgen.Event", true, loader);
            blobClass = Class.forName(variant.kryoClass, true, loader);
            TypeInformation countType = variant.countAsString ? Types.STRING : Types.LONG;
            count = getRuntimeContext().getState(new ValueStateDescriptor<Object>("count", countType));
            last = getRuntimeContext().getState(new ValueStateDescriptor<Object>("last-event",
                    (TypeInformation) TypeInformation.of(eventClass)));
            if (variant.kryo) {
                blob = getRuntimeContext().getState(new ValueStateDescriptor<Object>("blob",
                        (TypeInformation) new GenericTypeInfo(blobClass)));
            }
        }

        @Override
        public void processElement(Long n, Context ctx, Collector<Long> out) throws Exception {
            if (count == null) {
                init();
            }
            Object current = count.value();
            long next = current == null ? 1 : Long.parseLong(current.toString()) + 1;
            count.update(variant.countAsString ? Long.toString(next) : next);
            Object event = eventClass.getConstructor().newInstance();
            Field id = eventClass.getField("id");
            id.set(event, "e" + n);
            eventClass.getField("seen").setLong(event, next);
            if (variant.eventShape.equals("list")) {
                eventClass.getField("tags").set(event, new ArrayList<>(List.of("t" + n % 3)));
            }
            last.update(event);
            if (blob != null) {
                blob.update(blobClass.getConstructor(long.class).newInstance(n));
            }
        }
    }
}
