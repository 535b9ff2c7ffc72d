package flinkfixtures;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableDescriptor;
import org.apache.flink.table.api.bridge.java.StreamStatementSet;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Table API / SQL job: {@value #ROWS} order rows with known contents (DECIMAL compact and not, TIMESTAMP(3) and
 * (9), TIMESTAMP_LTZ, VARCHAR, a nullable STRING, DOUBLE, BOOLEAN, ARRAY, MAP and a named ROW) feed a GROUP BY
 * aggregation, a deduplication (keep the last row by event time), a Top-2, a regular join with a dimension table and a
 * tumbling window aggregation whose last window never fires (the watermark stops at the last row). The rows stop after
 * {@value #ROWS}, the job keeps running, so every checkpoint after the first seconds holds the same state, which
 * {@link #expected()} computes from the rows alone: the oracle of the state values.
 */
final class TableJob {
    static final int ROWS = 40;
    static final int KEYS = 4;
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
        set.attachAsDataStream();
    }

    private static void sink(StreamStatementSet set, Table table) {
        set.add(table.insertInto(TableDescriptor.forConnector("blackhole")
                .schema(Schema.newBuilder().fromResolvedSchema(table.getResolvedSchema()).build()).build()));
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
    static Map<String, Object> expected() {
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
        states.put("accState", acc);
        states.put("deduplicate-state", dedup);
        states.put("data-state-with-append", topN);
        states.put("left-records", left);
        states.put("right-records", right);
        states.put("window-aggs", windows);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rows", ROWS);
        out.put("states", states);
        return out;
    }

    private static Map<String, Object> userEntry(String key, Object userKey, Object value) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("key", List.of(key));
        e.put("userKey", userKey);
        e.put("value", value);
        return e;
    }
}
