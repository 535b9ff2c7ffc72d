package flinkfixtures;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.AggregatingState;
import org.apache.flink.api.common.state.AggregatingStateDescriptor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReducingState;
import org.apache.flink.api.common.state.ReducingStateDescriptor;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.GenericRecordAvroTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.state.api.runtime.SavepointLoader;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The State Processor API as the oracle of state values: reads every keyed state (and timers), operator list/union
 * state and broadcast state of the serializer-zoo job from each snapshot of a line's zoo fixtures and writes them as
 * canonical JSON ({@link Canon}) to {@code _metadata.values.json} beside each {@code _metadata}.
 *
 * <pre>ValuesOracle --flink-version 1.20.5 --spa-version 1.20.0 --root test/fixtures/flink-zoo/1.20.5 [scenario...]</pre>
 *
 * What the State Processor API cannot show is said in the file, never guessed: TTL states are read through it as user
 * values (it hides the last-access timestamps), and snapshots it fails on keep the failure as {@code unreadable}.
 */
public final class ValuesOracle {
    private ValuesOracle() {}

    static final String ZOO = "zoo";
    static final String OPERATOR_STATES = "operator-states";
    static final String BROADCAST = "broadcast";

    public static void main(String[] args) throws Exception {
        String version = null;
        String spaVersion = null;
        String root = null;
        List<String> scenarios = new ArrayList<>();
        boolean wordCount = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--flink-version": version = args[++i]; break;
                case "--spa-version": spaVersion = args[++i]; break;
                case "--root": root = args[++i]; break;
                case "--job": wordCount = args[++i].equals("wordcount"); break;
                default: scenarios.add(args[i]);
            }
        }
        operators = wordCount ? WORD_COUNT : List.of(ZOO, OPERATOR_STATES, BROADCAST);
        if (version == null || spaVersion == null || root == null) {
            System.err.println("usage: ValuesOracle --flink-version <v> --spa-version <v> --root <dir> [scenario...]");
            System.exit(2);
        }
        String index = Files.readString(Path.of(root, "scenarios.json"));
        File[] dirs = new File(root).listFiles(File::isDirectory);
        if (dirs == null) {
            throw new IOException("No scenarios under " + root);
        }
        java.util.Arrays.sort(dirs);
        List<Path> snapshots = new ArrayList<>();
        List<String> backends = new ArrayList<>();
        for (File scenario : dirs) {
            if (!scenarios.isEmpty() && !scenarios.contains(scenario.getName())) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(scenario.toPath())) {
                for (Path m : walk.filter(p -> p.getFileName().toString().equals("_metadata")).sorted().collect(Collectors.toList())) {
                    snapshots.add(m.getParent());
                    backends.add(backendOf(index, scenario.getName()));
                }
            }
        }
        long start = System.nanoTime();
        List<Path> links = stage(index, root, dirs, scenarios);
        List<Map<String, Object>> results;
        try {
            results = readAll(snapshots, backends, version, spaVersion);
        } finally {
            for (Path link : links) {
                Files.deleteIfExists(link);
            }
        }
        int failures = 0;
        for (int i = 0; i < snapshots.size(); i++) {
            Map<String, Object> result = results.get(i);
            Files.writeString(snapshots.get(i).resolve("_metadata.values.json"), write(result), StandardCharsets.UTF_8);
            List<?> unreadable = (List<?>) result.get("unreadable");
            failures += unreadable.isEmpty() ? 0 : 1;
            System.out.printf("%s %s: %d entries%s%n", version, Path.of(root).relativize(snapshots.get(i)),
                    ((List<?>) result.get("entries")).size(), unreadable.isEmpty() ? "" : ", unreadable: " + unreadable);
        }
        System.out.printf("%s: %d snapshots in %.1f s, %d with parts the State Processor API could not read%n",
                version, snapshots.size(), (System.nanoTime() - start) / 1e9, failures);
        System.exit(0);
    }

    /**
     * One job reads every snapshot of the line (a MiniCluster per job is what costs); when it fails, each snapshot
     * is read on its own, and a failing snapshot operator by operator, so each failure is pinned to what caused it.
     */
    static List<Map<String, Object>> readAll(List<Path> snapshots, List<String> backends, String version, String spaVersion) throws Exception {
        List<Map<String, Object>> results = new ArrayList<>();
        List<Integer> maxParallelism = new ArrayList<>();
        for (int i = 0; i < snapshots.size(); i++) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("flinkVersion", version);
            result.put("stateProcessorApi", spaVersion);
            result.put("backend", backends.get(i));
            result.put("ttl", "TTL states hold user values only: the State Processor API hides the last-access timestamps");
            result.put("unreadable", new ArrayList<Map<String, Object>>());
            result.put("entries", new ArrayList<String>());
            results.add(result);
            try {
                CheckpointMetadata metadata = SavepointLoader.loadSavepointMetadata(snapshots.get(i).toString());
                int mp = metadata.getOperatorStates().stream().mapToInt(OperatorState::getMaxParallelism).max().orElse(128);
                result.put("maxParallelism", mp);
                maxParallelism.add(mp);
            } catch (Exception e) {
                unreadable(result).add(problem("*", e));
                maxParallelism.add(-1);
            }
        }
        List<int[]> all = new ArrayList<>();
        for (int i = 0; i < snapshots.size(); i++) {
            if (maxParallelism.get(i) > 0) {
                all.add(new int[] {i, -1});
            }
        }
        try {
            collect(snapshots, backends, maxParallelism, all, results);
            return results;
        } catch (Exception e) {
            System.out.println("one job for all snapshots failed (" + problem("*", e).get("reason") + "): reading them one by one");
        }
        for (int[] part : all) {
            int i = part[0];
            try {
                collect(snapshots, backends, maxParallelism, List.<int[]>of(part), results);
                continue;
            } catch (Exception e) {
                // below: operator by operator
            }
            for (int op = 0; op < operators.size(); op++) {
                try {
                    collect(snapshots, backends, maxParallelism, List.<int[]>of(new int[] {i, op}), results);
                } catch (Exception e) {
                    unreadable(results.get(i)).add(problem(operators.get(op), e));
                }
            }
        }
        return results;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> unreadable(Map<String, Object> result) {
        return (List<Map<String, Object>>) result.get("unreadable");
    }

    /** The operators read: the zoo job's, or with {@code --job wordcount} the word-count job's (test/fixtures/flink). */
    static List<String> operators = List.of(ZOO, OPERATOR_STATES, BROADCAST);
    static final List<String> WORD_COUNT = List.of("counter", "lines", "tokenizer", "stop-word-filter");

    /**
     * Checkpoints name their files by absolute path, where the fixture was written: each scenario's tree is linked
     * from there while the State Processor API reads (savepoints are relative and need none). Returns the links made.
     */
    static List<Path> stage(String index, String root, File[] dirs, List<String> scenarios) throws IOException {
        List<Path> links = new ArrayList<>();
        for (File scenario : dirs) {
            if (!scenarios.isEmpty() && !scenarios.contains(scenario.getName())) {
                continue;
            }
            int at = index.indexOf("\"" + scenario.getName() + "\": {");
            Matcher m = Pattern.compile("\"(?:execution\\.checkpointing\\.dir|state\\.checkpoints\\.dir)\": \"file:([^\"]+)\"").matcher(index);
            if (at < 0 || !m.find(at)) {
                continue;
            }
            Path original = Path.of(m.group(1));
            if (Files.exists(original, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                System.out.println("left alone: " + original + " exists (its checkpoints are read through it)");
                continue;
            }
            Files.createDirectories(original.getParent());
            Files.createSymbolicLink(original, scenario.toPath().toAbsolutePath());
            links.add(original);
        }
        return links;
    }

    /** The scenario's configured state backend (scenarios.json), so RocksDB/ForSt native snapshots get their own. */
    static String backendOf(String index, String scenario) {
        int at = index.indexOf("\"" + scenario + "\": {");
        if (at < 0) {
            return "hashmap";
        }
        Matcher m = Pattern.compile("\"state\\.backend(?:\\.type)?\": \"(\\w+)\"").matcher(index);
        return m.find(at) ? m.group(1) : "hashmap";
    }

    static StateBackend backend(String type) throws Exception {
        String[] candidates;
        switch (type) {
            case "rocksdb":
                candidates = new String[] {"org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend",
                        "org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend"};
                break;
            case "forst":
                candidates = new String[] {"org.apache.flink.state.forst.ForStStateBackend"};
                break;
            default:
                candidates = new String[] {"org.apache.flink.runtime.state.hashmap.HashMapStateBackend"};
        }
        for (String c : candidates) {
            try {
                return (StateBackend) Class.forName(c).getConstructor().newInstance();
            } catch (ClassNotFoundException e) {
                // the other package of this line
            }
        }
        throw new IllegalStateException("No state backend class for '" + type + "' in this line");
    }

    static Map<String, Object> problem(String operator, Throwable e) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("operator", operator);
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getClass().getName() + ": " + String.valueOf(root.getMessage());
        p.put("reason", message.length() > 400 ? message.substring(0, 400) + "…" : message);
        return p;
    }

    /** Reads the parts ({snapshot, operator or −1 for all}) in one job; entries go to their snapshot's result. */
    @SuppressWarnings("unchecked")
    static void collect(List<Path> snapshots, List<String> backends, List<Integer> maxParallelism, List<int[]> parts,
                        List<Map<String, Object>> results) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, new Configuration());
        DataStream<String> lines = null;
        for (int[] part : parts) {
            int i = part[0];
            SavepointReader reader = SavepointReader.read(env, snapshots.get(i).toUri().toString(), backend(backends.get(i)));
            for (int op = 0; op < operators.size(); op++) {
                if (part[1] >= 0 && part[1] != op) {
                    continue;
                }
                DataStream<String> s = operator(reader, operators.get(op), maxParallelism.get(i)).map(new Tag(i));
                lines = lines == null ? s : lines.union(s);
            }
        }
        if (lines == null) {
            return;
        }
        List<String> out = new ArrayList<>();
        try (CloseableIterator<String> it = lines.executeAndCollect()) {
            it.forEachRemaining(out::add);
        }
        for (String line : out) {
            int tab = line.indexOf('\t');
            List<String> entries = (List<String>) results.get(Integer.parseInt(line.substring(0, tab))).get("entries");
            entries.add(line.substring(tab + 1));
        }
        for (int[] part : parts) {
            Collections.sort((List<String>) results.get(part[0]).get("entries"));
        }
    }

    static final class Tag implements MapFunction<String, String> {
        private final int snapshot;

        Tag(int snapshot) {
            this.snapshot = snapshot;
        }

        @Override
        public String map(String line) {
            return snapshot + "\t" + line;
        }
    }

    static DataStream<String> operator(SavepointReader reader, String operator, int maxParallelism) throws Exception {
        switch (operator) {
            case ZOO:
                return invoke(reader, "readKeyedState", operator, new ZooReader(maxParallelism));
            case OPERATOR_STATES: {
                DataStream<Tuple2<String, Long>> split = invoke(reader, "readListState", operator, "split-tuples", Types.TUPLE(Types.STRING, Types.LONG));
                DataStream<ZooJob.Account> union = invoke(reader, "readUnionState", operator, "union-accounts", Types.POJO(ZooJob.Account.class));
                return split.map(new OperatorEntry<>(operator, "split-tuples")).union(union.map(new OperatorEntry<>(operator, "union-accounts")));
            }
            case "counter":
                return invoke(reader, "readKeyedState", operator, new CountReader(maxParallelism));
            case "lines":
                return ValuesOracle.<DataStream<Long>>invoke(reader, "readListState", operator, "emitted-lines", Types.LONG)
                        .map(new OperatorEntry<>(operator, "emitted-lines"));
            case "tokenizer":
                return ValuesOracle.<DataStream<Long>>invoke(reader, "readUnionState", operator, "words-seen", Types.LONG)
                        .map(new OperatorEntry<>(operator, "words-seen"));
            case "stop-word-filter":
                return ValuesOracle.<DataStream<Tuple2<String, Boolean>>>invoke(reader, "readBroadcastState", operator, "stop-words", Types.STRING, Types.BOOLEAN)
                        .map(new StopWordEntry(operator, "stop-words"));
            default: {
                DataStream<Tuple2<String, ZooJob.Color>> colors = invoke(reader, "readBroadcastState", operator, "colors", Types.STRING, Types.ENUM(ZooJob.Color.class));
                return colors.map(new BroadcastEntry(operator, "colors"));
            }
        }
    }

    /** {@code SavepointReader} takes an {@code OperatorIdentifier} from 1.17 on, a uid string before (gone in 2.x). */
    @SuppressWarnings("unchecked")
    static <T> T invoke(SavepointReader reader, String method, String uid, Object... rest) throws Exception {
        Object id;
        try {
            id = Class.forName("org.apache.flink.state.api.OperatorIdentifier").getMethod("forUid", String.class).invoke(null, uid);
        } catch (ClassNotFoundException e) {
            id = uid;
        }
        for (Method m : SavepointReader.class.getMethods()) {
            if (m.getName().equals(method) && m.getParameterCount() == rest.length + 1 && m.getParameterTypes()[0].isInstance(id)) {
                Object[] args = new Object[rest.length + 1];
                args[0] = id;
                System.arraycopy(rest, 0, args, 1, rest.length);
                return (T) m.invoke(reader, args);
            }
        }
        throw new NoSuchMethodException("SavepointReader#" + method);
    }

    static String entry(String operator, String state, Object keyGroup, Object key, Object namespace, Object userKey, boolean hasUserKey, Object value) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("operator", operator);
        e.put("state", state);
        e.put("keyGroup", keyGroup);
        e.put("key", Canon.render(key));
        e.put("namespace", namespace);
        if (hasUserKey) {
            e.put("userKey", Canon.render(userKey));
        }
        e.put("value", value);
        return Canon.json(e);
    }

    static final class OperatorEntry<T> implements MapFunction<T, String> {
        private final String operator;
        private final String state;

        OperatorEntry(String operator, String state) {
            this.operator = operator;
            this.state = state;
        }

        @Override
        public String map(T value) {
            return entry(operator, state, null, null, null, null, false, Canon.render(value));
        }
    }

    static final class BroadcastEntry implements MapFunction<Tuple2<String, ZooJob.Color>, String> {
        private final String operator;
        private final String state;

        BroadcastEntry(String operator, String state) {
            this.operator = operator;
            this.state = state;
        }

        @Override
        public String map(Tuple2<String, ZooJob.Color> value) {
            return entry(operator, state, null, value.f0, null, null, false, Canon.render(value.f1));
        }
    }

    static final class StopWordEntry implements MapFunction<Tuple2<String, Boolean>, String> {
        private final String operator;
        private final String state;

        StopWordEntry(String operator, String state) {
            this.operator = operator;
            this.state = state;
        }

        @Override
        public String map(Tuple2<String, Boolean> value) {
            return entry(operator, state, null, value.f0, null, null, false, value.f1);
        }
    }

    /** The word count's Counter: a count per word. */
    static final class CountReader extends StateReaderBase<String, String> {
        private final int maxParallelism;
        private transient ValueState<Long> count;

        CountReader(int maxParallelism) {
            this.maxParallelism = maxParallelism;
        }

        @Override
        void register() {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
        }

        @Override
        public void readKey(String key, KeyedStateReaderFunction.Context ctx, Collector<String> out) throws Exception {
            Long v = count.value();
            if (v != null) {
                out.collect(entry("counter", "count", KeyGroupRangeAssignment.assignToKeyGroup(key, maxParallelism), key, null, null, false, Canon.render(v)));
            }
        }
    }

    /** Reads the accumulator itself, which is what the state holds (the job's function would give the average). */
    static final class Accumulator implements AggregateFunction<Long, Tuple2<Long, Long>, Tuple2<Long, Long>> {
        @Override
        public Tuple2<Long, Long> createAccumulator() {
            return Tuple2.of(0L, 0L);
        }

        @Override
        public Tuple2<Long, Long> add(Long value, Tuple2<Long, Long> acc) {
            return Tuple2.of(acc.f0 + value, acc.f1 + 1);
        }

        @Override
        public Tuple2<Long, Long> getResult(Tuple2<Long, Long> acc) {
            return acc;
        }

        @Override
        public Tuple2<Long, Long> merge(Tuple2<Long, Long> a, Tuple2<Long, Long> b) {
            return Tuple2.of(a.f0 + b.f0, a.f1 + b.f1);
        }
    }

    /**
     * A TTL long enough that nothing read is expired whenever the oracle runs (the job's is one hour), and expired
     * values returned anyway: the TTL duration is not part of the state's serializers, so this restores the same.
     */
    static <D extends StateDescriptor<?, ?>> D readTtl(D descriptor) {
        try {
            Object builder;
            try {
                builder = StateTtlConfig.class.getMethod("newBuilder", Duration.class).invoke(null, Duration.ofDays(36500));
            } catch (NoSuchMethodException e) {
                Class<?> time = Class.forName("org.apache.flink.api.common.time.Time");
                Object days = time.getMethod("days", long.class).invoke(null, 36500L);
                builder = StateTtlConfig.class.getMethod("newBuilder", time).invoke(null, days);
            }
            StateTtlConfig.Builder b = (StateTtlConfig.Builder) builder;
            b.setStateVisibility(StateTtlConfig.StateVisibility.ReturnExpiredIfNotCleanedUp);
            descriptor.enableTimeToLive(b.build());
            return descriptor;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The zoo's states of Kryo-serialized values. */
    static final Set<String> KRYO_STATES = Set.of("v-kryo", "k-list", "k-map", "k-basket");

    /** The JDK collections and maps whose Kryo serializers the reader knows (kryo.ts). */
    static final Set<String> KRYO_SHAPES = Set.of(
            "java.util.ArrayList", "java.util.LinkedList", "java.util.HashSet", "java.util.LinkedHashSet",
            "java.util.TreeSet", "java.util.ArrayDeque", "java.util.Vector", "java.util.HashMap",
            "java.util.LinkedHashMap", "java.util.TreeMap", "java.util.Hashtable", "java.util.Arrays$ArrayList",
            "java.util.Collections$EmptyList", "java.util.Collections$EmptySet", "java.util.Collections$EmptyMap",
            "java.util.Collections$SingletonList", "java.util.Collections$SingletonSet",
            "java.util.Collections$SingletonMap");

    /** The zoo operator's keyed state, descriptor for descriptor as {@link ZooJob.Zoo} creates it, and its timers. */
    static final class ZooReader extends StateReaderBase<Long, String> {
        private final int maxParallelism;
        private transient Map<String, ValueState<?>> values;
        private transient Map<String, StateDescriptor<?, ?>> descriptors;
        private transient ListState<ZooJob.Account> lPojo;
        private transient MapState<String, Row> mRow;
        private transient ReducingState<Long> rSum;
        private transient AggregatingState<Long, Tuple2<Long, Long>> aAverage;
        private transient ListState<Long> ttlList;
        private transient MapState<String, Long> ttlMap;

        ZooReader(int maxParallelism) {
            this.maxParallelism = maxParallelism;
        }

        private void value(String name, TypeInformation<?> type, boolean ttl) {
            @SuppressWarnings({"unchecked", "rawtypes"})
            ValueStateDescriptor<?> d = new ValueStateDescriptor(name, type);
            if (ttl) {
                readTtl(d);
            }
            descriptors.put(name, d);
            values.put(name, getRuntimeContext().getState(d));
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        void register() {
            values = new LinkedHashMap<>();
            descriptors = new LinkedHashMap<>();
            TypeInformation<Row> row = Types.ROW_NAMED(new String[] {"name", "score"}, Types.STRING, Types.DOUBLE);
            Schema schema = new Schema.Parser().parse(ZooJob.AVRO_SCHEMA);
            value("v-int", Types.INT, false);
            value("v-string", Types.STRING, false);
            value("v-decimal", Types.BIG_DEC, false);
            value("v-instant", Types.INSTANT, false);
            value("v-int-array", Types.PRIMITIVE_ARRAY(Types.INT), false);
            value("v-tuple-array", Types.OBJECT_ARRAY(Types.TUPLE(Types.STRING, Types.INT)), false);
            value("v-tuple", Types.TUPLE(Types.STRING, Types.LONG, Types.DOUBLE), false);
            value("v-row", row, false);
            value("v-pojo", Types.POJO(ZooJob.Account.class), false);
            value("v-avro-generic", new GenericRecordAvroTypeInfo(schema), false);
            value("v-kryo", Types.GENERIC(ZooJob.Opaque.class), false);
            value("k-list", Types.GENERIC(ArrayList.class), false);
            value("k-map", Types.GENERIC(HashMap.class), false);
            value("k-basket", Types.GENERIC(ZooJob.Basket.class), false);
            value("v-enum", Types.ENUM(ZooJob.Color.class), false);
            value("v-either", new EitherTypeInfo<>(Types.STRING, Types.LONG), false);
            value("ttl-v-string", Types.STRING, true);
            lPojo = getRuntimeContext().getListState(new ListStateDescriptor<>("l-pojo", Types.POJO(ZooJob.Account.class)));
            mRow = getRuntimeContext().getMapState(new MapStateDescriptor<>("m-row", Types.STRING, row));
            rSum = getRuntimeContext().getReducingState(new ReducingStateDescriptor<>("r-sum", new ZooJob.Sum(), Types.LONG));
            aAverage = getRuntimeContext().getAggregatingState(
                    new AggregatingStateDescriptor<>("a-average", new Accumulator(), Types.TUPLE(Types.LONG, Types.LONG)));
            ttlList = getRuntimeContext().getListState(readTtl(new ListStateDescriptor<>("ttl-l-long", Types.LONG)));
            ttlMap = getRuntimeContext().getMapState(readTtl(new MapStateDescriptor<>("ttl-m-string-long", Types.STRING, Types.LONG)));
        }

        @Override
        public void readKey(Long key, KeyedStateReaderFunction.Context ctx, Collector<String> out) throws Exception {
            int keyGroup = KeyGroupRangeAssignment.assignToKeyGroup(key, maxParallelism);
            for (Map.Entry<String, ValueState<?>> e : values.entrySet()) {
                Object v = e.getValue().value();
                if (v == null) {
                    continue;
                }
                Object rendered = KRYO_STATES.contains(e.getKey())
                        ? (kryoShapes(v) ? Canon.render(v) : kryo(descriptors.get(e.getKey()), v))
                        : Canon.render(v);
                out.collect(entry(ZOO, e.getKey(), keyGroup, key, null, null, false, rendered));
            }
            list(out, "l-pojo", keyGroup, key, lPojo.get());
            list(out, "ttl-l-long", keyGroup, key, ttlList.get());
            for (Map.Entry<String, Row> e : mRow.entries()) {
                out.collect(entry(ZOO, "m-row", keyGroup, key, null, e.getKey(), true, Canon.render(e.getValue())));
            }
            for (Map.Entry<String, Long> e : ttlMap.entries()) {
                out.collect(entry(ZOO, "ttl-m-string-long", keyGroup, key, null, e.getKey(), true, Canon.render(e.getValue())));
            }
            if (rSum.get() != null) {
                out.collect(entry(ZOO, "r-sum", keyGroup, key, null, null, false, Canon.render(rSum.get())));
            }
            Tuple2<Long, Long> acc = aAverage.get();
            if (acc != null) {
                out.collect(entry(ZOO, "a-average", keyGroup, key, null, null, false, Canon.render(acc)));
            }
            for (long t : ctx.registeredEventTimeTimers()) {
                out.collect(entry(ZOO, "_timer_state/event_user-timers", keyGroup, key, null, null, false, Map.of("timestamp", Canon.render(t))));
            }
            for (long t : ctx.registeredProcessingTimeTimers()) {
                out.collect(entry(ZOO, "_timer_state/processing_user-timers", keyGroup, key, null, null, false, Map.of("timestamp", Canon.render(t))));
            }
        }

        private static void list(Collector<String> out, String state, int keyGroup, long key, Iterable<?> values) {
            if (values == null) {
                return;
            }
            List<Object> all = new ArrayList<>();
            for (Object v : values) {
                all.add(Canon.render(v));
            }
            if (!all.isEmpty()) {
                out.collect(entry(ZOO, state, keyGroup, key, null, null, false, all));
            }
        }

        /**
         * Whether a Kryo value is made only of what Kryo writes with its own serializers, which the reader decodes
         * without the job's classes: boxed primitives, String, the JDK collections and maps and their empty,
         * singleton and Arrays.asList forms (sorted ones in natural order). A user class or an enum is written by
         * Kryo's FieldSerializer or EnumSerializer, which leave no field names or constant names in the snapshot.
         */
        private static boolean kryoShapes(Object v) {
            if (v == null || v instanceof String || v instanceof Number && v.getClass().getName().startsWith("java.lang.")
                    || v instanceof Boolean || v instanceof Character) {
                return true;
            }
            if (!KRYO_SHAPES.contains(v.getClass().getName())) {
                return false;
            }
            if (v instanceof SortedSet && ((SortedSet<?>) v).comparator() != null
                    || v instanceof SortedMap && ((SortedMap<?, ?>) v).comparator() != null) {
                return false;
            }
            if (v instanceof Map) {
                for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                    if (!kryoShapes(e.getKey()) || !kryoShapes(e.getValue())) {
                        return false;
                    }
                }
                return true;
            }
            for (Object x : (Collection<?>) v) {
                if (!kryoShapes(x)) {
                    return false;
                }
            }
            return true;
        }

        /** A Kryo value as the reader shows what it cannot decode: its class and the bytes Flink's serializer writes. */
        @SuppressWarnings({"unchecked", "rawtypes"})
        private static Object kryo(StateDescriptor<?, ?> descriptor, Object v) throws IOException {
            TypeSerializer serializer = descriptor.getSerializer();
            DataOutputSerializer bytes = new DataOutputSerializer(64);
            serializer.serialize(v, bytes);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("class", v.getClass().getName());
            out.put("hex", Canon.hex(bytes.getCopyOfBuffer()));
            return out;
        }
    }

    /** The oracle file: the header as pretty JSON, the entries one per line (sorted) so diffs stay readable. */
    static String write(Map<String, Object> result) {
        StringBuilder out = new StringBuilder("{\n");
        for (Map.Entry<String, Object> e : result.entrySet()) {
            if (e.getKey().equals("entries")) {
                continue;
            }
            out.append("  ").append(Canon.json(e.getKey())).append(": ").append(Canon.json(e.getValue())).append(",\n");
        }
        List<?> entries = (List<?>) result.get("entries");
        out.append("  \"entries\": [");
        for (int i = 0; i < entries.size(); i++) {
            out.append(i == 0 ? "\n    " : ",\n    ").append(entries.get(i));
        }
        out.append(entries.isEmpty() ? "]\n}\n" : "\n  ]\n}\n");
        return out.toString();
    }
}
