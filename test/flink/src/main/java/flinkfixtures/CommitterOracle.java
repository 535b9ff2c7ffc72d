package flinkfixtures;

import org.apache.flink.core.io.SimpleVersionedSerialization;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The oracle of a Sink V2 committer's {@code streaming_committer_raw_states} element: Flink's own
 * {@code CommittableCollectorSerializer} with the sink's committable serializer reads it, and each commit request's
 * committable is shown by the caller. The collector and its managers are internal and differ between lines (1.20
 * keeps a drained count, 2.x does not), so they are reached by reflection and this compiles against every line.
 */
final class CommitterOracle {
    private CommitterOracle() {}

    @SuppressWarnings({"unchecked", "rawtypes"})
    static Map<String, Object> read(
            byte[] element, SimpleVersionedSerializer<?> committables, Function<Object, Object> committable)
            throws Exception {
        Class<?> collectorSerializer = Class.forName(
                "org.apache.flink.streaming.runtime.operators.sink.committables.CommittableCollectorSerializer");
        SimpleVersionedSerializer<Object> serializer;
        try {
            Class<?> metricGroupClass = Class.forName("org.apache.flink.metrics.groups.SinkCommitterMetricGroup");
            Object operatorGroup = Class.forName("org.apache.flink.metrics.groups.UnregisteredMetricsGroup")
                    .getMethod("createOperatorMetricGroup").invoke(null);
            Object metricGroup = Class.forName(
                            "org.apache.flink.runtime.metrics.groups.InternalSinkCommitterMetricGroup")
                    .getMethod("wrap", Class.forName("org.apache.flink.metrics.groups.OperatorMetricGroup"))
                    .invoke(null, operatorGroup);
            serializer = (SimpleVersionedSerializer<Object>) collectorSerializer
                    .getConstructor(SimpleVersionedSerializer.class, int.class, int.class, metricGroupClass)
                    .newInstance(committables, 0, 1, metricGroup);
        } catch (ClassNotFoundException beforeCommitterMetrics) {
            // Flink 1.15 to 1.17: the serializer takes no metric group
            serializer = (SimpleVersionedSerializer<Object>) collectorSerializer
                    .getConstructor(SimpleVersionedSerializer.class, int.class, int.class)
                    .newInstance(committables, 0, 1);
        }
        Object collector = SimpleVersionedSerialization.readVersionAndDeSerialize(serializer, element);
        // What the bytes hold, not what the objects default to: version 0 of these has no subtask count or id.
        int checkpointVersion = innerVersion(serializer, "CheckpointSimpleVersionedSerializer");
        int subtaskVersion = innerVersion(serializer, "SubtaskSimpleVersionedSerializer");
        List<Map<String, Object>> checkpoints = new ArrayList<>();
        for (Object checkpoint : (Iterable<?>) call(collector, "getCheckpointCommittables")) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("checkpointId", call(checkpoint, "getCheckpointId"));
            if (checkpointVersion >= 1) {
                row.put("numberOfSubtasks", call(checkpoint, "getNumberOfSubtasks"));
            }
            List<Map<String, Object>> subtasks = new ArrayList<>();
            for (Object subtask : (Iterable<?>) call(checkpoint, "getSubtaskCommittableManagers")) {
                Map<String, Object> s = new LinkedHashMap<>();
                if (subtaskVersion >= 1) {
                    s.put("subtaskId", call(subtask, "getSubtaskId"));
                }
                List<Object> requests = new ArrayList<>();
                for (Object request : (Iterable<?>) call(subtask, "getRequests")) {
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("committable", committable.apply(call(request, "getCommittable")));
                    r.put("numberOfRetries", call(request, "getNumberOfRetries"));
                    r.put("state", ((Enum) call(request, "getState")).name());
                    requests.add(r);
                }
                s.put("requests", requests);
                s.put("numCommittables", call(subtask, "getNumCommittables"));
                if (hasMethod(subtask, "getNumDrained")) {
                    s.put("numDrained", call(subtask, "getNumDrained"));
                }
                s.put("numFailed", call(subtask, "getNumFailed"));
                subtasks.add(s);
            }
            subtasks.sort(Comparator.comparingInt(s -> (Integer) s.getOrDefault("subtaskId", 0)));
            row.put("subtasks", subtasks);
            checkpoints.add(row);
        }
        checkpoints.sort(Comparator.comparingLong(r -> (Long) r.get("checkpointId")));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("committer", "sink");
        out.put("serializerVersion", serializer.getVersion());
        out.put("checkpoints", checkpoints);
        return out;
    }

    /** The version an inner serializer of the collector serializer writes (they are inner classes, not static). */
    static int innerVersion(Object outer, String simpleName) throws Exception {
        for (Class<?> k : outer.getClass().getDeclaredClasses()) {
            if (!k.getSimpleName().equals(simpleName)) {
                continue;
            }
            for (java.lang.reflect.Constructor<?> c : k.getDeclaredConstructors()) {
                c.setAccessible(true);
                Class<?>[] types = c.getParameterTypes();
                Object inner = types.length == 1 ? c.newInstance(outer)
                        : types.length == 2 && types[1] == long.class ? c.newInstance(outer, 0L) : null;
                if (inner != null) {
                    return ((SimpleVersionedSerializer<?>) inner).getVersion();
                }
            }
        }
        throw new NoSuchMethodException(outer.getClass().getName() + "$" + simpleName);
    }

    static boolean hasMethod(Object target, String method) {
        for (Class<?> k = target.getClass(); k != null; k = k.getSuperclass()) {
            for (Method m : k.getDeclaredMethods()) {
                if (m.getName().equals(method) && m.getParameterCount() == 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A no-argument method of the object's class or a superclass, however visible. */
    static Object call(Object target, String method) throws Exception {
        for (Class<?> k = target.getClass(); k != null; k = k.getSuperclass()) {
            for (Method m : k.getDeclaredMethods()) {
                if (m.getName().equals(method) && m.getParameterCount() == 0) {
                    m.setAccessible(true);
                    return m.invoke(target);
                }
            }
        }
        throw new NoSuchMethodException(target.getClass().getName() + "#" + method);
    }

    /** A field of the object's class or a superclass, however visible. */
    static Object field(Object target, String name) throws Exception {
        for (Class<?> k = target.getClass(); k != null; k = k.getSuperclass()) {
            try {
                java.lang.reflect.Field f = k.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(target);
            } catch (NoSuchFieldException next) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(target.getClass().getName() + "#" + name);
    }
}
