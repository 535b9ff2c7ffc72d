package flinkfixtures;

import org.apache.flink.api.common.typeutils.CompositeTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.state.KeyGroupsStateHandle;
import org.apache.flink.runtime.state.KeyedBackendSerializationProxy;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.OperatorBackendSerializationProxy;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.changelog.ChangelogStateBackendHandle;
import org.apache.flink.runtime.state.metainfo.StateMetaInfoSnapshot;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The schema oracle: reads the serialization proxies at the head of every state file a {@code _metadata} references
 * with this Flink line's own {@link KeyedBackendSerializationProxy} and {@link OperatorBackendSerializationProxy}
 * (serializer snapshots restored through the job's class loader), and prints the {@code schema --json} shape the
 * TypeScript reader must reproduce: per operator, each state's name, kind, backend and serializer snapshot trees.
 * Snapshot parts Flink keeps private (nested snapshots, POJO fields, enum constants, Kryo registrations, the Avro
 * schema) are read from the restored snapshot objects by reflection.
 *
 * <pre>SchemaOracle [--map FROM=TO] _metadata...   writes _metadata.schema.json beside each file</pre>
 *
 * {@code --map} reads files Flink recorded under FROM from TO (a fixture moved after it was written).
 */
public final class SchemaOracle {
    private final String from;
    private final String to;

    private SchemaOracle(String from, String to) {
        this.from = from;
        this.to = to;
    }

    public static void main(String[] args) throws Exception {
        String from = null;
        String to = null;
        List<String> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--map")) {
                String[] parts = args[++i].split("=", 2);
                from = parts[0];
                to = parts[1];
            } else {
                files.add(args[i]);
            }
        }
        if (files.isEmpty()) {
            System.err.println("usage: SchemaOracle [--map FROM=TO] <_metadata>...");
            System.exit(2);
        }
        SchemaOracle oracle = new SchemaOracle(from, to);
        for (String name : files) {
            File file = new File(name).getAbsoluteFile();
            Files.writeString(new File(file.getParentFile(), "_metadata.schema.json").toPath(), Json.write(oracle.schema(file)));
        }
    }

    static int writeAll(List<File> metadataFiles) throws IOException {
        SchemaOracle oracle = new SchemaOracle(null, null);
        for (File file : metadataFiles) {
            Files.writeString(new File(file.getParentFile(), "_metadata.schema.json").toPath(), Json.write(oracle.schema(file)));
        }
        return metadataFiles.size();
    }

    Map<String, Object> schema(File file) throws IOException {
        byte[] bytes = Files.readAllBytes(file.toPath());
        CheckpointMetadata metadata;
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            metadata = Checkpoints.loadCheckpointMetadata(in, SchemaOracle.class.getClassLoader(), file.getParent());
        }
        List<Object> operators = new ArrayList<>();
        for (OperatorState op : metadata.getOperatorStates()) {
            Map<String, Map<String, Object>> states = new LinkedHashMap<>();
            for (OperatorSubtaskState subtask : op.getStates()) {
                for (OperatorStateHandle handle : subtask.getManagedOperatorState()) {
                    if (handle.getDelegateStateHandle().getClass().getSimpleName().equals("EmptySegmentFileStateHandle")) {
                        continue;
                    }
                    OperatorBackendSerializationProxy proxy = new OperatorBackendSerializationProxy(SchemaOracle.class.getClassLoader());
                    try (InputStream in = open(handle.getDelegateStateHandle())) {
                        proxy.read(new DataInputViewStreamWrapper(in));
                    }
                    for (StateMetaInfoSnapshot info : proxy.getOperatorStateMetaInfoSnapshots()) {
                        states.putIfAbsent("operator/" + info.getName(), state(info, null));
                    }
                    for (StateMetaInfoSnapshot info : proxy.getBroadcastStateMetaInfoSnapshots()) {
                        states.putIfAbsent("broadcast/" + info.getName(), state(info, null));
                    }
                }
                for (KeyedStateHandle handle : subtask.getManagedKeyedState()) {
                    for (StreamStateHandle stream : keyedProxyStreams(handle)) {
                        if (stream.getClass().getSimpleName().equals("EmptySegmentFileStateHandle")) {
                            // file merging's handle of a state file with no bytes: nothing Flink restores from
                            continue;
                        }
                        KeyedBackendSerializationProxy<?> proxy = new KeyedBackendSerializationProxy<>(SchemaOracle.class.getClassLoader());
                        try (InputStream in = open(stream)) {
                            proxy.read(new DataInputViewStreamWrapper(in));
                        }
                        for (StateMetaInfoSnapshot info : proxy.getStateMetaInfoSnapshots()) {
                            states.putIfAbsent("keyed/" + info.getName(), state(info, proxy.getKeySerializerSnapshot()));
                        }
                    }
                }
            }
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("operatorId", op.getOperatorID().toHexString());
            o.put("states", new ArrayList<>(states.values()));
            operators.add(o);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("reader", "flink " + System.getProperty("flink.version", "unknown") + " KeyedBackendSerializationProxy / OperatorBackendSerializationProxy");
        out.put("operators", operators);
        return out;
    }

    /** The streams that start with a keyed backend serialization proxy (heap and canonical, RocksDB native, changelog). */
    private static List<StreamStateHandle> keyedProxyStreams(KeyedStateHandle handle) {
        List<StreamStateHandle> streams = new ArrayList<>();
        if (handle instanceof KeyGroupsStateHandle) {
            streams.add(((KeyGroupsStateHandle) handle).getDelegateStateHandle());
        } else if (handle instanceof ChangelogStateBackendHandle) {
            for (KeyedStateHandle materialized : ((ChangelogStateBackendHandle) handle).getMaterializedStateHandles()) {
                streams.addAll(keyedProxyStreams(materialized));
            }
        } else {
            // IncrementalRemoteKeyedStateHandle: getMetaStateHandle up to 1.x, getMetaDataStateHandle in 2.x
            Object meta = invokeFirst(handle, "getMetaDataStateHandle", "getMetaStateHandle");
            if (meta != null) {
                streams.add((StreamStateHandle) meta);
            }
        }
        return streams;
    }

    /** Opens a state stream where it is now (FROM mapped to TO), from its start offset for file-merged segments. */
    private InputStream open(StreamStateHandle handle) throws IOException {
        Object path = invokeFirst(handle, "getFilePath");
        if (path == null) {
            return handle.openInputStream();
        }
        String local = path.toString().replaceFirst("^file:", "");
        if (from != null && local.startsWith(from)) {
            local = to + local.substring(from.length());
        }
        FileInputStream in = new FileInputStream(local);
        Object start = invokeFirst(handle, "getStartPos");
        if (start != null) {
            in.getChannel().position((Long) start);
        }
        return in;
    }

    private static Map<String, Object> state(StateMetaInfoSnapshot info, TypeSerializerSnapshot<?> keySerializer) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", info.getName());
        String kind;
        String backend;
        Map<String, String> options = info.getOptionsImmutable();
        switch (info.getBackendStateType()) {
            case KEY_VALUE:
                kind = options.get("KEYED_STATE_TYPE").toLowerCase();
                backend = "keyed";
                break;
            case PRIORITY_QUEUE:
                kind = "priority-queue";
                backend = "keyed";
                break;
            case OPERATOR:
                kind = "UNION".equals(options.get("OPERATOR_STATE_DISTRIBUTION_MODE")) ? "union" : "list";
                backend = "operator";
                break;
            default:
                kind = "broadcast";
                backend = "broadcast";
                keySerializer = info.getTypeSerializerSnapshot("KEY_SERIALIZER");
        }
        s.put("kind", kind);
        s.put("backend", backend);
        s.put("keySerializer", node(keySerializer));
        s.put("namespaceSerializer", node(info.getTypeSerializerSnapshot("NAMESPACE_SERIALIZER")));
        TypeSerializerSnapshot<?> value = info.getTypeSerializerSnapshot("VALUE_SERIALIZER");
        s.put("valueSerializer", node(value));
        s.put("ttl", isTtl(value));
        return s;
    }

    /**
     * Whether TtlStateFactory wrapped the state's values: the value serializer itself (value, reducing, aggregating),
     * or the element of a list, or the value of a map.
     */
    private static boolean isTtl(TypeSerializerSnapshot<?> value) {
        if (value == null) {
            return false;
        }
        if (value.getClass().getName().endsWith("TtlSerializerSnapshot")) {
            return true;
        }
        String name = value.getClass().getName();
        if (name.endsWith("ListSerializerSnapshot") || name.endsWith("MapSerializerSnapshot")) {
            Object delegate = field(value, "nestedSerializersSnapshotDelegate");
            TypeSerializerSnapshot<?>[] nested = (TypeSerializerSnapshot<?>[]) invokeFirst(delegate, "getNestedSerializerSnapshots");
            return nested.length > 0 && nested[nested.length - 1].getClass().getName().endsWith("TtlSerializerSnapshot");
        }
        return false;
    }

    /** A restored snapshot as the tree the TypeScript reader prints. */
    static Map<String, Object> node(TypeSerializerSnapshot<?> snapshot) {
        if (snapshot == null) {
            return null;
        }
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("class", snapshot.getClass().getName());
        n.put("version", snapshot.getCurrentVersion());
        String name = snapshot.getClass().getName();
        Object typeClass = field(snapshot, "tupleClass", "componentClass", "enumClass", "runtimeType");
        if (typeClass instanceof Class) {
            n.put("type", ((Class<?>) typeClass).getName());
        }
        // composites, and snapshots holding a delegate of their own (RowDataSerializerSnapshot)
        Object nestedDelegate = field(snapshot, "nestedSerializersSnapshotDelegate");
        if (snapshot instanceof CompositeTypeSerializerSnapshot || nestedDelegate != null) {
            Object delegate = nestedDelegate;
            TypeSerializerSnapshot<?>[] nested = (TypeSerializerSnapshot<?>[]) invokeFirst(delegate, "getNestedSerializerSnapshots");
            List<Object> list = new ArrayList<>();
            for (TypeSerializerSnapshot<?> s : nested) {
                list.add(node(s));
            }
            n.put("nested", list);
        }
        if (name.endsWith("PojoSerializerSnapshot")) {
            Object data = field(snapshot, "snapshotData");
            n.put("type", ((Class<?>) field(data, "pojoClass")).getName());
            List<Object> fields = new ArrayList<>();
            for (Map.Entry<String, Object[]> e : optionalMap(field(data, "fieldSerializerSnapshots")).entrySet()) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("name", e.getKey());
                f.put("serializer", node((TypeSerializerSnapshot<?>) e.getValue()[1]));
                fields.add(f);
            }
            n.put("fields", fields);
        }
        if (name.endsWith("EnumSerializerSnapshot")) {
            Object[] constants = (Object[]) field(snapshot, "previousEnums", "enums");
            List<Object> list = new ArrayList<>();
            for (Object c : constants) {
                list.add(((Enum<?>) c).name());
            }
            n.put("constants", list);
        }
        if (name.endsWith("KryoSerializerSnapshot")) {
            Object data = field(snapshot, "snapshotData");
            n.put("type", ((Class<?>) field(data, "typeClass")).getName());
            n.put("registrations", new ArrayList<>(optionalMap(field(data, "kryoRegistrations")).keySet()));
        }
        if (name.startsWith("org.apache.flink.table.")) {
            // Table API snapshots keep the LogicalTypes of their fields (RowData) or elements (ArrayData, MapData)
            List<Object> types = new ArrayList<>();
            for (String f : new String[] {"previousTypes", "types", "eleType", "previousType", "keyType", "valueType"}) {
                Object t = field(snapshot, f);
                for (Object type : t instanceof Object[] ? (Object[]) t : new Object[] {t}) {
                    if (type != null && type.getClass().getName().startsWith("org.apache.flink.table.types.logical.")) {
                        types.add(invokeFirst(type, "asSummaryString"));
                    }
                }
            }
            // ExternalSerializer (SQL data views) keeps the DataType it converts from: its LogicalType
            Object dataType = field(snapshot, "dataType");
            if (dataType != null && dataType.getClass().getName().startsWith("org.apache.flink.table.types.")) {
                types.add(invokeFirst(invokeFirst(dataType, "getLogicalType"), "asSummaryString"));
            }
            // DecimalData and TimestampData serializers keep only their precision (and scale)
            List<Object> ints = new ArrayList<>();
            for (Field f : snapshot.getClass().getDeclaredFields()) {
                if (f.getType() == int.class && !java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                    ints.add(field(snapshot, f.getName()));
                }
            }
            if (name.endsWith("DecimalSerializerSnapshot") && ints.size() == 2) {
                types.add("DECIMAL(" + ints.get(0) + ", " + ints.get(1) + ")");
            } else if (name.endsWith("TimestampDataSerializerSnapshot") && ints.size() == 1) {
                types.add("TIMESTAMP(" + ints.get(0) + ")");
            }
            if (!types.isEmpty()) {
                n.put("logicalTypes", types);
            }
        }
        if (name.endsWith("AvroSerializerSnapshot")) {
            Object schema = field(snapshot, "schema");
            n.put("schema", schema == null ? null : schema.toString());
        }
        return n;
    }

    /** {@code LinkedOptionalMap}: name -> [key or null, value or null]. */
    private static Map<String, Object[]> optionalMap(Object map) {
        Map<String, Object[]> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) field(map, "underlyingMap")).entrySet()) {
            out.put((String) e.getKey(), new Object[] {field(e.getValue(), "key"), field(e.getValue(), "value")});
        }
        return out;
    }

    /** The first of the named fields the object's class (or a superclass) declares, or null. */
    private static Object field(Object target, String... names) {
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            for (String name : names) {
                try {
                    Field f = c.getDeclaredField(name);
                    f.setAccessible(true);
                    return f.get(target);
                } catch (NoSuchFieldException e) {
                    // not declared here
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return null;
    }

    private static Object invokeFirst(Object target, String... names) {
        for (String name : names) {
            try {
                Method m = target.getClass().getMethod(name);
                return m.invoke(target);
            } catch (NoSuchMethodException e) {
                // not in this line
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return null;
    }
}
