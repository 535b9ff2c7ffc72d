package flinkfixtures;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.ReduceFunction;
import org.apache.flink.api.common.state.AggregatingState;
import org.apache.flink.api.common.state.AggregatingStateDescriptor;
import org.apache.flink.api.common.state.BroadcastState;
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
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.formats.avro.typeutils.GenericRecordAvroTypeInfo;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;

import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The serializer zoo: one job whose state covers the serializers a user's job typically has — primitives, String,
 * BigDecimal, Instant, primitive and object arrays, Tuple, Row, a POJO with collection fields, an Avro GenericRecord,
 * a class only Kryo can serialize (registered with Kryo), JDK collections and maps Kryo serializes (its own collection
 * and map serializers, which differ between Kryo 2 of Flink 1.x and Kryo 5 of 2.x), an enum, Either — as value, list, map, reducing and
 * aggregating keyed state, with and without TTL, plus processing- and event-time timers, split and union operator list
 * state, and broadcast state. Only APIs of every line from 1.15 to 2.x are used (state is created on first use, as
 * {@code open} changed its signature in 2.0). Eight keys, so the state stays tiny however long the job runs.
 */
final class ZooJob {
    private ZooJob() {}

    /** A POJO (public fields, default constructor) with collection fields: Kryo in 1.x, List/Map serializers in 2.x. */
    public static class Account {
        public String id;
        public long balance;
        public List<String> tags;
        public Map<String, Integer> limits;

        public Account() {}
    }

    /** Not a POJO (no default constructor, final field): Flink falls back to Kryo. */
    public static final class Opaque {
        private final int value;

        public Opaque(int value) {
            this.value = value;
        }

        public int value() {
            return value;
        }
    }

    public enum Color { RED, GREEN, BLUE }

    /**
     * Not a POJO either (final fields, no default constructor), holding what Kryo's FieldSerializer writes without
     * field names: collections, a map, an enum, java.time values, a nested object and a null field.
     */
    public static final class Basket {
        private final String id;
        private final List<String> items;
        private final Map<String, Integer> counts;
        private final Color color;
        private final Instant at;
        private final LocalDate day;
        private final Opaque nested;
        private final Basket parent;

        Basket(long n) {
            id = "basket-" + n;
            items = new ArrayList<>(List.of("i" + n % 3, "j"));
            counts = new HashMap<>(Map.of("a", (int) n));
            color = Color.values()[(int) (n % 3)];
            at = Instant.ofEpochSecond(1_700_000_000L + n);
            day = LocalDate.of(2024, 1, 1 + (int) (n % 28));
            nested = new Opaque((int) n);
            parent = null;
        }

        public String id() {
            return id + items + counts + color + at + day + nested + parent;
        }
    }

    /**
     * A JDK list of what Kryo writes with its own serializers: boxed primitives, strings (ASCII and not), null, a
     * nested LinkedList, Arrays.asList, Collections.emptyList and singletonList, a TreeSet, and one list twice (a
     * shared reference). No enum: Kryo writes an enum like a user class, by name, with no sign that it is one.
     */
    static ArrayList<Object> kryoList(long n) {
        List<String> shared = new ArrayList<>(List.of("shared" + n % 2));
        return new ArrayList<>(Arrays.asList(
                "x" + n, (int) n, n * 1_000_000_000_000L, Long.MAX_VALUE, n / 4.0, (float) n / 2, (short) -n, 'c',
                (byte) n, n % 2 == 0, null, "é" + n,
                new LinkedList<>(List.of(1, (int) n)), Arrays.asList("p", "q"), Collections.emptyList(),
                Collections.singletonList("one"), new TreeSet<>(List.of("t2", "t1")), shared, shared));
    }

    /**
     * A JDK map (keys whose hash order is the same whatever the table size) of lists of one element class, with and
     * without nulls (Kryo 5 writes those with the class once), a TreeMap, a HashSet, a LinkedHashMap and a null.
     */
    static HashMap<String, Object> kryoMap(long n) {
        HashMap<String, Object> map = new HashMap<>();
        map.put("a", (int) n);
        map.put("b", new ArrayList<>(List.of("b1", "b" + n)));
        map.put("c", null);
        map.put("d", new TreeMap<>(Map.of("x", n, "y", -n)));
        map.put("e", new HashSet<>(List.of(1, 2, (int) n % 5 + 3)));
        LinkedHashMap<Object, Object> linked = new LinkedHashMap<>();
        linked.put(2L, "two");
        linked.put("one", 1.5);
        map.put("f", linked);
        map.put("g", new ArrayList<>(Arrays.asList("g", null, "g" + n)));
        return map;
    }

    static final String AVRO_SCHEMA = "{\"type\":\"record\",\"name\":\"Reading\",\"namespace\":\"flinkfixtures.avro\","
            + "\"fields\":[{\"name\":\"sensor\",\"type\":\"string\"},{\"name\":\"value\",\"type\":\"double\"}]}";

    static final MapStateDescriptor<String, Color> COLORS = new MapStateDescriptor<>("colors", Types.STRING, Types.ENUM(Color.class));

    static void build(StreamExecutionEnvironment env) {
        DataStream<Long> numbers = env
                .fromSource(new NumberSequenceSource(0, Long.MAX_VALUE), WatermarkStrategy.noWatermarks(), "Numbers")
                .uid("numbers").name("Numbers")
                .map(new OperatorStates()).uid("operator-states").name("Operator states");
        BroadcastStream<Long> colors = env
                .fromSource(new NumberSequenceSource(0, Long.MAX_VALUE), WatermarkStrategy.noWatermarks(), "Colors")
                .uid("colors").name("Colors").setParallelism(1)
                .map(new Slow()).uid("slow-colors").name("Slow colors").setParallelism(1)
                .broadcast(COLORS);
        numbers.connect(colors).process(new ColorFilter()).uid("broadcast").name("Broadcast")
                .keyBy(new Bucket())
                .process(new Zoo()).uid("zoo").name("Zoo");
    }

    /** TTL of one hour: StateTtlConfig.newBuilder takes a Duration from 1.19 on and only Duration from 2.0 on. */
    static StateTtlConfig ttl() {
        try {
            Object builder;
            try {
                builder = StateTtlConfig.class.getMethod("newBuilder", Duration.class).invoke(null, Duration.ofHours(1));
            } catch (NoSuchMethodException e) {
                Class<?> time = Class.forName("org.apache.flink.api.common.time.Time");
                Object hour = time.getMethod("hours", long.class).invoke(null, 1L);
                builder = StateTtlConfig.class.getMethod("newBuilder", time).invoke(null, hour);
            }
            return ((StateTtlConfig.Builder) builder).build();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    static <D extends StateDescriptor<?, ?>> D withTtl(D descriptor) {
        descriptor.enableTimeToLive(ttl());
        return descriptor;
    }

    /** Split (list) and union operator list state, of a Tuple and of a POJO. */
    static final class OperatorStates implements MapFunction<Long, Long>, CheckpointedFunction {
        private transient ListState<Tuple2<String, Long>> split;
        private transient ListState<Account> union;
        private long seen;

        @Override
        public Long map(Long n) throws Exception {
            Thread.sleep(20);
            seen++;
            return n;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            split.clear();
            split.add(Tuple2.of("seen", seen));
            union.clear();
            union.add(account(seen));
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            split = context.getOperatorStateStore().getListState(
                    new ListStateDescriptor<>("split-tuples", Types.TUPLE(Types.STRING, Types.LONG)));
            union = context.getOperatorStateStore().getUnionListState(
                    new ListStateDescriptor<>("union-accounts", Types.POJO(Account.class)));
        }
    }

    static Account account(long n) {
        Account a = new Account();
        a.id = "account-" + n;
        a.balance = n;
        a.tags = new ArrayList<>(List.of("t" + (n % 3)));
        a.limits = new TreeMap<>(Map.of("daily", (int) (n % 100)));
        return a;
    }

    /** Chained to its source, so the source itself slows down (no backlog for checkpoint barriers to queue behind). */
    static final class Slow implements MapFunction<Long, Long> {
        @Override
        public Long map(Long n) throws Exception {
            Thread.sleep(200);
            return n;
        }
    }

    /** Broadcast state of enum values. */
    static final class ColorFilter extends BroadcastProcessFunction<Long, Long, Long> {
        @Override
        public void processElement(Long n, ReadOnlyContext ctx, Collector<Long> out) {
            out.collect(n);
        }

        @Override
        public void processBroadcastElement(Long n, Context ctx, Collector<Long> out) throws Exception {
            BroadcastState<String, Color> colors = ctx.getBroadcastState(COLORS);
            colors.put("c" + (n % 3), Color.values()[(int) (n % 3)]);
        }
    }

    static final class Bucket implements KeySelector<Long, Long> {
        @Override
        public Long getKey(Long n) {
            return n % 8;
        }
    }

    static final class Sum implements ReduceFunction<Long> {
        @Override
        public Long reduce(Long a, Long b) {
            return a + b;
        }
    }

    static final class Average implements AggregateFunction<Long, Tuple2<Long, Long>, Double> {
        @Override
        public Tuple2<Long, Long> createAccumulator() {
            return Tuple2.of(0L, 0L);
        }

        @Override
        public Tuple2<Long, Long> add(Long value, Tuple2<Long, Long> acc) {
            return Tuple2.of(acc.f0 + value, acc.f1 + 1);
        }

        @Override
        public Double getResult(Tuple2<Long, Long> acc) {
            return acc.f1 == 0 ? 0.0 : (double) acc.f0 / acc.f1;
        }

        @Override
        public Tuple2<Long, Long> merge(Tuple2<Long, Long> a, Tuple2<Long, Long> b) {
            return Tuple2.of(a.f0 + b.f0, a.f1 + b.f1);
        }
    }

    /** Every kind of keyed state over the zoo of types, and timers. */
    static final class Zoo extends KeyedProcessFunction<Long, Long, Long> {
        private transient boolean created;
        private transient ValueState<Integer> vInt;
        private transient ValueState<String> vString;
        private transient ValueState<BigDecimal> vDecimal;
        private transient ValueState<Instant> vInstant;
        private transient ValueState<int[]> vInts;
        private transient ValueState<Tuple2<String, Integer>[]> vTuples;
        private transient ValueState<Tuple3<String, Long, Double>> vTuple;
        private transient ValueState<Row> vRow;
        private transient ValueState<Account> vPojo;
        private transient ValueState<GenericRecord> vAvro;
        private transient ValueState<Opaque> vKryo;
        private transient ValueState<ArrayList<Object>> kList;
        private transient ValueState<HashMap<String, Object>> kMap;
        private transient ValueState<Basket> kBasket;
        private transient ValueState<Color> vEnum;
        private transient ValueState<Either<String, Long>> vEither;
        private transient ListState<Account> lPojo;
        private transient MapState<String, Row> mRow;
        private transient ReducingState<Long> rSum;
        private transient AggregatingState<Long, Double> aAverage;
        private transient ValueState<String> ttlValue;
        private transient ListState<Long> ttlList;
        private transient MapState<String, Long> ttlMap;
        private transient Schema schema;

        @SuppressWarnings({"unchecked", "rawtypes"})
        private void create() {
            TypeInformation<Row> row = Types.ROW_NAMED(new String[] {"name", "score"}, Types.STRING, Types.DOUBLE);
            schema = new Schema.Parser().parse(AVRO_SCHEMA);
            vInt = getRuntimeContext().getState(new ValueStateDescriptor<>("v-int", Types.INT));
            vString = getRuntimeContext().getState(new ValueStateDescriptor<>("v-string", Types.STRING));
            vDecimal = getRuntimeContext().getState(new ValueStateDescriptor<>("v-decimal", Types.BIG_DEC));
            vInstant = getRuntimeContext().getState(new ValueStateDescriptor<>("v-instant", Types.INSTANT));
            vInts = getRuntimeContext().getState(new ValueStateDescriptor<>("v-int-array", (TypeInformation<int[]>) Types.PRIMITIVE_ARRAY(Types.INT)));
            vTuples = getRuntimeContext().getState(new ValueStateDescriptor<>("v-tuple-array",
                    (TypeInformation) Types.OBJECT_ARRAY(Types.TUPLE(Types.STRING, Types.INT))));
            vTuple = getRuntimeContext().getState(new ValueStateDescriptor<>("v-tuple", Types.TUPLE(Types.STRING, Types.LONG, Types.DOUBLE)));
            vRow = getRuntimeContext().getState(new ValueStateDescriptor<>("v-row", row));
            vPojo = getRuntimeContext().getState(new ValueStateDescriptor<>("v-pojo", Types.POJO(Account.class)));
            vAvro = getRuntimeContext().getState(new ValueStateDescriptor<>("v-avro-generic", new GenericRecordAvroTypeInfo(schema)));
            vKryo = getRuntimeContext().getState(new ValueStateDescriptor<>("v-kryo", Types.GENERIC(Opaque.class)));
            kList = getRuntimeContext().getState(new ValueStateDescriptor<>("k-list", (TypeInformation) Types.GENERIC(ArrayList.class)));
            kMap = getRuntimeContext().getState(new ValueStateDescriptor<>("k-map", (TypeInformation) Types.GENERIC(HashMap.class)));
            kBasket = getRuntimeContext().getState(new ValueStateDescriptor<>("k-basket", Types.GENERIC(Basket.class)));
            vEnum = getRuntimeContext().getState(new ValueStateDescriptor<>("v-enum", Types.ENUM(Color.class)));
            vEither = getRuntimeContext().getState(new ValueStateDescriptor<>("v-either", new EitherTypeInfo<>(Types.STRING, Types.LONG)));
            lPojo = getRuntimeContext().getListState(new ListStateDescriptor<>("l-pojo", Types.POJO(Account.class)));
            mRow = getRuntimeContext().getMapState(new MapStateDescriptor<>("m-row", Types.STRING, row));
            rSum = getRuntimeContext().getReducingState(new ReducingStateDescriptor<>("r-sum", new Sum(), Types.LONG));
            aAverage = getRuntimeContext().getAggregatingState(
                    new AggregatingStateDescriptor<>("a-average", new Average(), Types.TUPLE(Types.LONG, Types.LONG)));
            ttlValue = getRuntimeContext().getState(withTtl(new ValueStateDescriptor<>("ttl-v-string", Types.STRING)));
            ttlList = getRuntimeContext().getListState(withTtl(new ListStateDescriptor<>("ttl-l-long", Types.LONG)));
            ttlMap = getRuntimeContext().getMapState(withTtl(new MapStateDescriptor<>("ttl-m-string-long", Types.STRING, Types.LONG)));
            created = true;
        }

        @Override
        @SuppressWarnings("unchecked")
        public void processElement(Long n, Context ctx, Collector<Long> out) throws Exception {
            if (!created) {
                create();
            }
            vInt.update((int) (long) n);
            vString.update("s" + n);
            vDecimal.update(BigDecimal.valueOf(n, 2));
            vInstant.update(Instant.ofEpochMilli(n));
            vInts.update(new int[] {(int) (long) n, 1});
            vTuples.update(new Tuple2[] {Tuple2.of("a", 1), Tuple2.of("b", (int) (n % 5))});
            vTuple.update(Tuple3.of("t", n, n / 2.0));
            vRow.update(Row.of("r" + (n % 4), n / 3.0));
            vPojo.update(account(n));
            GenericRecord reading = new GenericData.Record(schema);
            reading.put("sensor", "s" + (n % 4));
            reading.put("value", n / 7.0);
            vAvro.update(reading);
            vKryo.update(new Opaque((int) (n % 10)));
            kList.update(kryoList(n));
            kMap.update(kryoMap(n));
            kBasket.update(new Basket(n));
            vEnum.update(Color.values()[(int) (n % 3)]);
            vEither.update(n % 2 == 0 ? Either.Left("even") : Either.Right(n));
            lPojo.update(List.of(account(n)));
            mRow.put("k" + (n % 3), Row.of("m", (double) n));
            rSum.add(n);
            aAverage.add(n);
            ttlValue.update("ttl" + n);
            ttlList.update(List.of(n));
            ttlMap.put("k" + (n % 2), n);
            long later = ctx.timerService().currentProcessingTime() + 3_600_000L;
            ctx.timerService().registerProcessingTimeTimer(later - later % 3_600_000L);
            ctx.timerService().registerEventTimeTimer(n % 8 + 1_000_000L);
            out.collect(n);
        }
    }
}
