package flinkfixtures;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableDescriptor;
import org.apache.flink.table.api.bridge.java.StreamStatementSet;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.api.dataview.ListView;
import org.apache.flink.table.api.dataview.MapView;
import org.apache.flink.table.dataview.NullSerializer;
import org.apache.flink.table.functions.AggregateFunction;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Table API / SQL job: {@value #ROWS} order rows with known contents (DECIMAL compact and not, TIMESTAMP(3) and
 * (9), TIMESTAMP_LTZ, VARCHAR, a nullable STRING, DOUBLE, BOOLEAN, ARRAY, MAP and a named ROW) feed a GROUP BY
 * aggregation, a deduplication (keep the last row by event time), a Top-2, a regular join with a dimension table and a
 * tumbling window aggregation whose last window never fires (the watermark stops at the last row). Rows replaced by
 * later ones ({@code latest}: the newest row of each of {@value #SLOTS} slots) feed retracting aggregates whose
 * accumulators keep data views in states of their own (COUNT(DISTINCT), MIN and MAX with retraction, LISTAGG,
 * COLLECT) and a Top-2 with retraction (a sorted map and the rows per sort key); a user aggregate keeps a MapView and
 * a ListView, a window aggregation a COUNT(DISTINCT …) view per window, a Top-2 over growing counts its rows by row key
 * (UpdatableTopNFunction), an over aggregation on event time its rows of the last 10 s and its timers' times; a
 * deduplication keeps DATE, TIME,
 * TIMESTAMP_LTZ (compact and not, before the epoch too) and INTERVAL columns. The rows stop after {@value #ROWS}, the
 * job keeps running, so every checkpoint after the first seconds holds the same state, which {@link #expected()}
 * computes from the rows alone: the oracle of the state values.
 */
final class TableJob {
    static final int ROWS = 40;
    static final int KEYS = 4;
    /** Rows replace the row of their slot (id mod SLOTS) in the retracting queries. */
    static final int SLOTS = 10;
    /** 2023-11-14T22:13:20Z, a multiple of the 10 s window. */
    static final long BASE_MILLIS = 1_700_000_000_000L;
    static final long WINDOW_MILLIS = 10_000L;

    private TableJob() {}

    /** Writes {@link #expected()} as JSON to the file named. */
    public static void main(String[] args) throws Exception {
        java.nio.file.Files.writeString(java.nio.file.Path.of(args[0]), Json.write(expected()));
    }

    static void build(StreamExecutionEnvironment env) {
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        tEnv.getConfig().set("table.local-time-zone", "UTC");
        // one-phase aggregation: the window and group states are the ones the SQL names, without a local pre-aggregation
        tEnv.getConfig().set("table.optimizer.agg-phase-strategy", "ONE_PHASE");
        tEnv.createTemporaryView("numbers", tEnv.fromDataStream(numbers(env, ROWS, "Orders"), Schema.newBuilder()
                .column("f0", DataTypes.BIGINT())
                .columnByExpression("rowtime", "TO_TIMESTAMP_LTZ(" + BASE_MILLIS + " + f0 * 1000, 3)")
                .watermark("rowtime", "rowtime")
                .build()));
        tEnv.createTemporaryView("dim_numbers", tEnv.fromDataStream(numbers(env, KEYS, "Dimensions")));
        tEnv.executeSql("CREATE TEMPORARY VIEW orders AS SELECT"
                + " 'k' || CAST(MOD(f0, " + KEYS + ") AS STRING) AS k,"
                + " CAST(f0 AS INT) AS id,"
                + " CAST(CAST(f0 AS DOUBLE) * 1.25 AS DECIMAL(10, 2)) AS amount,"
                + " CAST('12345678901234567890' || CAST(f0 AS STRING) || '.25' AS DECIMAL(30, 4)) AS big,"
                + " CAST(rowtime AS TIMESTAMP(3)) AS ts,"
                + " CAST('2024-02-29 12:34:' || LPAD(CAST(f0 AS STRING), 2, '0') || '.123456789' AS TIMESTAMP(9)) AS ts9,"
                + " CAST('name-' || CAST(f0 AS STRING) AS VARCHAR(20)) AS name,"
                + " CASE WHEN MOD(f0, 3) = 0 THEN CAST(NULL AS STRING) ELSE 'maybe-' || CAST(f0 AS STRING) END AS maybe,"
                + " CAST(f0 AS DOUBLE) / 4 AS d,"
                + " MOD(f0, 2) = 0 AS flag,"
                + " ARRAY['t' || CAST(f0 AS STRING), 'a-longer-tag-' || CAST(f0 AS STRING)] AS tags,"
                + " MAP['a', CAST(f0 AS INT), 'b', CAST(f0 * 2 AS INT)] AS attrs,"
                + " CAST(ROW(CAST(f0 AS INT), 'nested-' || CAST(f0 AS STRING)) AS ROW<x INT, y STRING>) AS nested,"
                + " rowtime"
                + " FROM numbers");
        tEnv.executeSql("CREATE TEMPORARY VIEW dims AS SELECT 'k' || CAST(f0 AS STRING) AS k,"
                + " 'label-' || CAST(f0 AS STRING) AS label FROM dim_numbers");
        StreamStatementSet set = tEnv.createStatementSet();
        sink(set, tEnv.sqlQuery("SELECT k, COUNT(*) AS c, SUM(amount) AS s, MAX(big) AS mb, MAX(ts) AS mt,"
                + " MAX(name) AS mn, SUM(d) AS sd FROM orders GROUP BY k"));
        sink(set, tEnv.sqlQuery("SELECT k, id, amount, big, ts, ts9, name, maybe, d, flag, tags, attrs, nested FROM ("
                + "SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY rowtime DESC) AS rn FROM orders) WHERE rn = 1"));
        sink(set, tEnv.sqlQuery("SELECT k, id, amount FROM ("
                + "SELECT k, id, amount, ROW_NUMBER() OVER (PARTITION BY k ORDER BY amount DESC) AS rn FROM orders)"
                + " WHERE rn <= 2"));
        sink(set, tEnv.sqlQuery("SELECT o.k, o.id, o.tags, o.nested, d.label FROM orders o JOIN dims d ON o.k = d.k"));
        sink(set, tEnv.sqlQuery("SELECT k, window_start, window_end, COUNT(*) AS c, SUM(amount) AS s, MAX(name) AS mn"
                + " FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(rowtime), INTERVAL '10' SECOND))"
                + " GROUP BY k, window_start, window_end"));
        // rows replaced by later ones: every slot keeps its newest row, the aggregates and the Top-N below it retract
        tEnv.executeSql("CREATE TEMPORARY VIEW latest AS SELECT slot, k, id, amount, name, ts FROM ("
                + "SELECT *, ROW_NUMBER() OVER (PARTITION BY slot ORDER BY rowtime DESC) AS rn FROM ("
                + "SELECT *, MOD(id, " + SLOTS + ") AS slot FROM orders)) WHERE rn = 1");
        sink(set, tEnv.sqlQuery("SELECT k, COUNT(DISTINCT name) AS dn, MIN(amount) AS mina, MAX(ts) AS maxt,"
                + " LISTAGG(name) AS names, COLLECT(id) AS ids FROM latest GROUP BY k"));
        sink(set, tEnv.sqlQuery("SELECT k, id, amount FROM ("
                + "SELECT k, id, amount, ROW_NUMBER() OVER (PARTITION BY k ORDER BY amount DESC) AS rn FROM latest)"
                + " WHERE rn <= 2"));
        // a user aggregate whose accumulator has a MapView and a ListView
        tEnv.createTemporarySystemFunction("names_by_id", NamesById.class);
        sink(set, tEnv.sqlQuery("SELECT k, names_by_id(name, id) AS names FROM orders GROUP BY k"));
        // a Top-2 over counts that only grow (UpdatableTopNFunction)
        sink(set, tEnv.sqlQuery("SELECT k, c FROM (SELECT k, c, ROW_NUMBER() OVER (ORDER BY c DESC) AS rn FROM ("
                + "SELECT k, COUNT(*) AS c FROM orders GROUP BY k)) WHERE rn <= 2"));
        // a window aggregation with a data view per window (COUNT(DISTINCT …))
        sink(set, tEnv.sqlQuery("SELECT k, window_start, window_end, COUNT(DISTINCT id) AS di"
                + " FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(rowtime), INTERVAL '10' SECOND))"
                + " GROUP BY k, window_start, window_end"));
        // an over aggregation on event time: rows of the last 10 s by timestamp, MAX with retraction keeps a MapView
        sink(set, tEnv.sqlQuery("SELECT k, id, COUNT(*) OVER w AS c, SUM(id) OVER w AS s, MAX(name) OVER w AS mn"
                + " FROM orders WINDOW w AS (PARTITION BY k ORDER BY rowtime"
                + " RANGE BETWEEN INTERVAL '10' SECOND PRECEDING AND CURRENT ROW)"));
        // dates, times, instants and intervals in a row
        sink(set, tEnv.sqlQuery("SELECT k, id, dt, tm, ltz9, ltz_old, ivd, ivm FROM ("
                + "SELECT k, id,"
                + " CAST('2024-02-' || LPAD(CAST(MOD(id, 28) + 1 AS STRING), 2, '0') AS DATE) AS dt,"
                + " CAST('23:59:' || CAST(id + 10 AS STRING) AS TIME) AS tm,"
                + " CAST(ts9 AS TIMESTAMP_LTZ(9)) AS ltz9,"
                + " CAST(CAST('1969-07-20 20:17:' || CAST(id + 10 AS STRING) || '.5' AS TIMESTAMP(3))"
                + " AS TIMESTAMP_LTZ(3)) AS ltz_old,"
                + " INTERVAL '1' DAY * id AS ivd,"
                + " INTERVAL '1' MONTH * id AS ivm,"
                + " ROW_NUMBER() OVER (PARTITION BY k ORDER BY rowtime DESC) AS rn FROM orders) WHERE rn = 1"));
        set.attachAsDataStream();
    }

    private static void sink(StreamStatementSet set, Table table) {
        set.add(table.insertInto(TableDescriptor.forConnector("blackhole")
                .schema(Schema.newBuilder().fromResolvedSchema(table.getResolvedSchema()).build()).build()));
    }

    /** The names of the ids seen: its accumulator keeps a MapView and a ListView, each a state of its own. */
    public static final class NamesById extends AggregateFunction<String, NamesById.Acc> {
        /** The accumulator: views backed by state, and a plain field kept in the accumulator row. */
        public static final class Acc {
            public MapView<Integer, String> names = new MapView<>();
            public ListView<Integer> ids = new ListView<>();
            public long seen;
        }

        @Override
        public Acc createAccumulator() {
            return new Acc();
        }

        public void accumulate(Acc acc, String name, Integer id) throws Exception {
            acc.names.put(id, name);
            acc.ids.add(id);
            acc.seen++;
        }

        @Override
        public String getValue(Acc acc) {
            return Long.toString(acc.seen);
        }
    }

    /** 0 .. limit-1, then nothing (the source keeps running, slowly, so that checkpoints go on). */
    private static DataStream<Long> numbers(StreamExecutionEnvironment env, long limit, String name) {
        return env.fromSource(new NumberSequenceSource(0, Long.MAX_VALUE), WatermarkStrategy.noWatermarks(), name)
                .setParallelism(1)
                .map(new Idle(limit)).setParallelism(1).name(name + " idle")
                .filter(n -> n < limit).setParallelism(1).name(name + " rows");
    }

    /** Chained to its source: past the rows, the source slows down instead of spinning. */
    static final class Idle implements MapFunction<Long, Long> {
        private final long limit;

        Idle(long limit) {
            this.limit = limit;
        }

        @Override
        public Long map(Long n) throws Exception {
            if (n >= limit) {
                Thread.sleep(50);
            }
            return n;
        }
    }

    // ---- the oracle: the state every checkpoint holds, computed from the rows ----

    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ISO_LOCAL_DATE_TIME;

    private static String key(long n) {
        return "k" + (n % KEYS);
    }

    private static String amount(long n) {
        return BigDecimal.valueOf(n * 125, 2).toPlainString();
    }

    private static BigDecimal big(long n) {
        return new BigDecimal("12345678901234567890" + n + ".25").setScale(4);
    }

    private static String ts(long n) {
        return LOCAL.format(LocalDateTime.ofEpochSecond(BASE_MILLIS / 1000 + n, 0, ZoneOffset.UTC));
    }

    private static String rowtime(long n) {
        return Instant.ofEpochMilli(BASE_MILLIS + n * 1000).toString();
    }

    private static List<Object> tags(long n) {
        return List.of("t" + n, "a-longer-tag-" + n);
    }

    private static List<Object> attrs(long n) {
        return List.of(entry("a", n), entry("b", n * 2));
    }

    private static Map<String, Object> entry(Object key, Object value) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("key", key);
        e.put("value", value);
        return e;
    }

    private static Map<String, Object> nested(long n) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("x", n);
        e.put("y", "nested-" + n);
        return e;
    }

    /** The order row as the deduplication keeps it: the planner moves the event time to the front. */
    private static List<Object> order(long n) {
        List<Object> row = new ArrayList<>();
        row.add(rowtime(n));
        row.add(key(n));
        row.add(n);
        row.add(amount(n));
        row.add(big(n).toPlainString());
        row.add(ts(n));
        row.add(String.format("2024-02-29T12:34:%02d.123456789", n));
        row.add("name-" + n);
        row.add(n % 3 == 0 ? null : "maybe-" + n);
        row.add(n / 4.0);
        row.add(n % 2 == 0);
        row.add(tags(n));
        row.add(attrs(n));
        row.add(nested(n));
        return row;
    }

    private static Map<String, Object> state(Object key, Object value) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("key", List.of(key));
        e.put("value", value);
        return e;
    }

    /** Per state name, its entries: key and value (and user key, namespace) as positional lists of column values. */
    static Map<String, Object> expected() throws IOException {
        Map<String, Object> states = new LinkedHashMap<>();
        List<Object> acc = new ArrayList<>();
        List<Object> dedup = new ArrayList<>();
        List<Object> topN = new ArrayList<>();
        List<Object> left = new ArrayList<>();
        List<Object> right = new ArrayList<>();
        List<Object> windows = new ArrayList<>();
        long lastWindowStart = (ROWS - 1) * 1000L / WINDOW_MILLIS * WINDOW_MILLIS / 1000;
        for (int j = 0; j < KEYS; j++) {
            long count = 0;
            BigDecimal sum = BigDecimal.ZERO.setScale(2);
            BigDecimal maxBig = null;
            String maxName = null;
            double sumD = 0;
            long last = -1;
            long windowCount = 0;
            BigDecimal windowSum = BigDecimal.ZERO.setScale(2);
            String windowMaxName = null;
            for (long n = j; n < ROWS; n += KEYS) {
                count++;
                sum = sum.add(new BigDecimal(amount(n)));
                maxBig = maxBig == null || big(n).compareTo(maxBig) > 0 ? big(n) : maxBig;
                String name = "name-" + n;
                maxName = maxName == null || name.compareTo(maxName) > 0 ? name : maxName;
                sumD += n / 4.0;
                last = n;
                if (n >= lastWindowStart) {
                    windowCount++;
                    windowSum = windowSum.add(new BigDecimal(amount(n)));
                    windowMaxName = windowMaxName == null || name.compareTo(windowMaxName) > 0 ? name : windowMaxName;
                }
                left.add(userEntry(key(n), List.of(key(n), n, tags(n), nested(n)), 1));
            }
            acc.add(state(key(j), List.of(count, sum.toPlainString(), maxBig.toPlainString(), ts(last), maxName, sumD)));
            dedup.add(state(key(j), order(last)));
            for (long n = last; n > last - 2 * KEYS; n -= KEYS) {
                topN.add(userEntry(key(j), List.of(amount(n)), List.of(List.of(key(n), n, amount(n)))));
            }
            right.add(userEntry(key(j), List.of(key(j), "label-" + j), 1));
            Map<String, Object> window = state(key(j), List.of(windowCount, windowSum.toPlainString(), windowMaxName));
            window.put("namespace", BASE_MILLIS + (lastWindowStart * 1000) + WINDOW_MILLIS);
            windows.add(window);
        }
        retracting(acc, dedup);
        times(dedup);
        states.put("accState", acc);
        states.put("deduplicate-state", dedup);
        states.put("data-state-with-append", topN);
        states.put("left-records", left);
        states.put("right-records", right);
        states.put("window-aggs", windows);
        topNWithRetraction(states);
        dataViews(states);
        userDataViews(states);
        updatableTopN(states);
        windowDataViews(states);
        overAggregation(states);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rows", ROWS);
        out.put("states", states);
        return out;
    }

    // ---- rows replaced by later ones: each slot keeps its newest row ----

    /** The rows left in {@code latest}: the newest of each slot, in the order they arrived. */
    private static List<Long> latestRows() {
        List<Long> rows = new ArrayList<>();
        for (long n = ROWS - SLOTS; n < ROWS; n++) {
            rows.add(n);
        }
        return rows;
    }

    private static List<Long> latestRows(int j) {
        List<Long> rows = new ArrayList<>();
        for (long n : latestRows()) {
            if (n % KEYS == j) {
                rows.add(n);
            }
        }
        return rows;
    }

    /**
     * A data view backed by state keeps nothing in its accumulator field: the RAW field holds what Flink's
     * {@link NullSerializer} writes, the entries are in the view's own state.
     */
    private static Map<String, Object> dataView(Class<?> view) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(8);
        NullSerializer.INSTANCE.serialize(null, out);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("class", view.getName());
        e.put("hex", HexFormat.of().formatHex(out.getCopyOfBuffer()));
        return e;
    }

    private static Map<String, Object> fields(Object... namesAndValues) {
        Map<String, Object> e = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            e.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return e;
    }

    /**
     * The deduplications under {@code latest} (keyed by slot; the planner keeps all columns for one consumer and the
     * used ones for the other) and the retracting aggregate's accumulators: COUNT(DISTINCT name), MIN(amount) and
     * MAX(ts) with retraction (the value and the map's size), LISTAGG and COLLECT (views only), the row count, and the
     * distinct view.
     */
    private static void retracting(List<Object> acc, List<Object> dedup) throws IOException {
        for (long n : latestRows()) {
            List<Object> all = order(n);
            all.add(n % SLOTS);
            dedup.add(state(n % SLOTS, all));
            dedup.add(state(n % SLOTS, List.of(rowtime(n), key(n), n, amount(n), ts(n), "name-" + n, n % SLOTS)));
        }
        for (int j = 0; j < KEYS; j++) {
            List<Long> rows = latestRows(j);
            long count = rows.size();
            BigDecimal min = null;
            long maxTs = -1;
            for (long n : rows) {
                min = min == null || new BigDecimal(amount(n)).compareTo(min) < 0 ? new BigDecimal(amount(n)) : min;
                maxTs = Math.max(maxTs, n);
            }
            List<Object> value = new ArrayList<>();
            value.add(count);
            value.add(fields("min", min.toPlainString(), "mapSize", count, "map", dataView(MapView.class)));
            value.add(fields("max", ts(maxTs), "mapSize", count, "map", dataView(MapView.class)));
            value.add(fields("list", dataView(ListView.class), "retractList", dataView(ListView.class)));
            value.add(fields("map", dataView(MapView.class)));
            value.add(count);
            value.add(dataView(MapView.class));
            acc.add(state(key(j), value));
        }
    }

    /**
     * The states of the data views: per key the distinct names and how often each was counted, MIN's amounts and
     * MAX's timestamps with their counts, LISTAGG's names in arrival order (no retraction came before its row, so its
     * retract list is empty), COLLECT's ids with their counts.
     */
    private static void dataViews(Map<String, Object> states) {
        List<Object> distinct = new ArrayList<>();
        List<Object> minMap = new ArrayList<>();
        List<Object> maxMap = new ArrayList<>();
        List<Object> list = new ArrayList<>();
        List<Object> collect = new ArrayList<>();
        for (int j = 0; j < KEYS; j++) {
            List<Object> names = new ArrayList<>();
            for (long n : latestRows(j)) {
                distinct.add(userEntry(key(j), "name-" + n, 1));
                minMap.add(userEntry(key(j), amount(n), 1));
                maxMap.add(userEntry(key(j), ts(n), 1));
                collect.add(userEntry(key(j), n, 1));
                names.add("name-" + n);
            }
            list.add(state(key(j), names));
        }
        states.put("distinctAcc_0", distinct);
        states.put("distinctAcc_0_null_state", List.of());
        states.put("agg1$map", minMap);
        states.put("agg2$map", maxMap);
        states.put("agg3$list", list);
        states.put("agg3$retractList", List.of());
        states.put("agg4$map", collect);
    }

    /**
     * Top-2 by amount over {@code latest} (RetractableTopNFunction): every row of the key is kept by its sort key
     * (with its slot), and the sort keys in a sorted map, highest amount first, each counted once.
     */
    private static void topNWithRetraction(Map<String, Object> states) {
        List<Object> rows = new ArrayList<>();
        List<Object> sorted = new ArrayList<>();
        for (int j = 0; j < KEYS; j++) {
            List<Object> sortKeys = new ArrayList<>();
            List<Long> latest = latestRows(j);
            latest.sort((a, b) -> Long.compare(b, a));
            for (long n : latest) {
                rows.add(userEntry(key(j), List.of(amount(n)), List.of(List.of(key(n), n, amount(n), n % SLOTS))));
                sortKeys.add(fields("key", List.of(amount(n)), "value", 1));
            }
            sorted.add(state(key(j), sortKeys));
        }
        states.put("data-state", rows);
        states.put("sorted-map", sorted);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> entries(Map<String, Object> states, String name) {
        return (List<Object>) states.computeIfAbsent(name, n -> new ArrayList<>());
    }

    /**
     * {@link NamesById} per key: its accumulator row (the planner orders a POJO accumulator's fields by name) with the
     * count of rows, the names by id in its MapView's state and the ids in arrival order in its ListView's state.
     */
    private static void userDataViews(Map<String, Object> states) throws IOException {
        List<Object> names = new ArrayList<>();
        List<Object> ids = new ArrayList<>();
        for (int j = 0; j < KEYS; j++) {
            List<Object> seen = new ArrayList<>();
            for (long n = j; n < ROWS; n += KEYS) {
                names.add(userEntry(key(j), n, "name-" + n));
                seen.add(n);
            }
            Map<String, Object> acc = new TreeMap<>();
            acc.put("names", dataView(MapView.class));
            acc.put("ids", dataView(ListView.class));
            acc.put("seen", seen.size());
            entries(states, "accState").add(state(key(j), List.of(acc)));
            ids.add(state(key(j), seen));
        }
        states.put("agg0$names", names);
        states.put("agg0$ids", ids);
    }

    /**
     * Top-2 of the row counts per key (UpdatableTopNFunction, one global partition: an empty key): the two rows
     * ranked highest by count, earlier to reach an equal count first, by their key, with their place among rows of
     * the same count; and the counts themselves in the aggregation below it.
     */
    private static void updatableTopN(Map<String, Object> states) {
        List<long[]> counts = new ArrayList<>(); // key, count, the row that brought the count
        for (int j = 0; j < KEYS; j++) {
            long count = 0;
            long last = -1;
            for (long n = j; n < ROWS; n += KEYS) {
                count++;
                last = n;
            }
            counts.add(new long[] {j, count, last});
            entries(states, "accState").add(state(key(j), List.of(count)));
        }
        counts.sort((a, b) -> a[1] != b[1] ? Long.compare(b[1], a[1]) : Long.compare(a[2], b[2]));
        List<Object> ranked = new ArrayList<>();
        int sameCount = 0;
        for (int r = 0; r < 2; r++) {
            long[] c = counts.get(r);
            sameCount = r > 0 && counts.get(r - 1)[1] == c[1] ? sameCount + 1 : 1;
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("key", List.of());
            e.put("userKey", List.of(key(c[0])));
            e.put("value", List.of(List.of(key(c[0]), c[1]), sameCount));
            ranked.add(e);
        }
        states.put("data-state-with-update", ranked);
    }

    /** COUNT(DISTINCT id) per window: the last window's count beside its view, and the ids in its state per window. */
    private static void windowDataViews(Map<String, Object> states) throws IOException {
        long lastWindowStart = (ROWS - 1) * 1000L / WINDOW_MILLIS * WINDOW_MILLIS / 1000;
        long windowEnd = BASE_MILLIS + lastWindowStart * 1000 + WINDOW_MILLIS;
        for (int j = 0; j < KEYS; j++) {
            long distinct = 0;
            for (long n = j; n < ROWS; n += KEYS) {
                if (n >= lastWindowStart) {
                    distinct++;
                    Map<String, Object> e = userEntry(key(j), n, 1);
                    e.put("namespace", windowEnd);
                    entries(states, "distinctAcc_0").add(e);
                }
            }
            Map<String, Object> window = state(key(j), List.of(distinct, dataView(MapView.class)));
            window.put("namespace", windowEnd);
            entries(states, "window-aggs").add(window);
        }
    }

    /**
     * The over aggregation on event time (RowTimeRangeBoundedPrecedingFunction), after the watermark reached the last
     * row: per key the rows of the last 10 s by timestamp, their count, SUM(id) (its count, then the sum) and MAX(name)
     * with its MapView's state; the last timer that fired and the cleanup time its rule gives (set to the row's time
     * + 1.5 × the range + 1 whenever the one set is earlier than the row's time + the range + 1).
     */
    private static void overAggregation(Map<String, Object> states) throws IOException {
        long range = 10_000;
        long watermark = BASE_MILLIS + (ROWS - 1) * 1000L;
        for (int j = 0; j < KEYS; j++) {
            Long cleanup = null;
            long lastTimer = -1;
            long last = -1;
            for (long n = j; n < ROWS; n += KEYS) {
                long ts = BASE_MILLIS + n * 1000;
                lastTimer = Math.max(lastTimer, ts);
                if (cleanup == null || cleanup < ts + range + 1) {
                    cleanup = ts + (long) (range * 1.5) + 1;
                    if (cleanup <= watermark) {
                        lastTimer = Math.max(lastTimer, cleanup);
                    }
                }
                last = n;
            }
            long count = 0;
            long sum = 0;
            String max = null;
            for (long n = j; n < ROWS; n += KEYS) {
                if ((last - n) * 1000 <= range) {
                    count++;
                    sum += n;
                    max = max == null || ("name-" + n).compareTo(max) > 0 ? "name-" + n : max;
                    entries(states, "inputState").add(userEntry(key(j), BASE_MILLIS + n * 1000,
                            List.of(List.of(rowtime(n), key(n), n, "name-" + n))));
                    entries(states, "agg3$map").add(userEntry(key(j), "name-" + n, 1));
                }
            }
            entries(states, "accState").add(state(key(j), List.of(count, count, sum,
                    fields("max", max, "mapSize", count, "map", dataView(MapView.class)))));
            entries(states, "lastTriggeringTsState").add(state(key(j), lastTimer));
            entries(states, "cleanupTsState").add(state(key(j), cleanup));
        }
    }

    /** The newest row per key with its DATE, TIME, TIMESTAMP_LTZ(9), TIMESTAMP_LTZ(3) before 1970 and intervals. */
    private static void times(List<Object> dedup) {
        for (int j = 0; j < KEYS; j++) {
            long n = ROWS - KEYS + j;
            List<Object> row = new ArrayList<>();
            row.add(rowtime(n));
            row.add(key(n));
            row.add(n);
            row.add(LocalDate.of(2024, 2, (int) (n % 28) + 1).toString());
            row.add(LocalTime.of(23, 59, (int) n + 10).toString());
            row.add(LocalDateTime.of(2024, 2, 29, 12, 34, (int) n, 123_456_789).toInstant(ZoneOffset.UTC).toString());
            row.add(LocalDateTime.of(1969, 7, 20, 20, 17, (int) n + 10, 500_000_000).toInstant(ZoneOffset.UTC).toString());
            row.add(Duration.ofDays(n).toMillis());
            row.add(n);
            dedup.add(state(key(n), row));
        }
    }

    private static Map<String, Object> userEntry(String key, Object userKey, Object value) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("key", List.of(key));
        e.put("userKey", userKey);
        e.put("value", value);
        return e;
    }
}
