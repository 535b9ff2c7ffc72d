package flinkfixtures;

import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.MasterState;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.state.AbstractChannelStateHandle;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.KeyGroupsStateHandle;
import org.apache.flink.runtime.state.OperatorStreamStateHandle;
import org.apache.flink.runtime.state.StateObject;
import org.apache.flink.runtime.state.changelog.ChangelogStateBackendHandle;
import org.apache.flink.runtime.state.changelog.ChangelogStateHandleStreamImpl;
import org.apache.flink.runtime.state.changelog.inmemory.InMemoryChangelogStateHandle;
import org.apache.flink.runtime.state.filesystem.FileStateHandle;
import org.apache.flink.runtime.state.filesystem.RelativeFileStateHandle;
import org.apache.flink.runtime.state.memory.ByteStreamStateHandle;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The oracle: reads a {@code _metadata} file with this Flink line's own {@link Checkpoints#loadCheckpointMetadata}
 * and prints the summary JSON of the project's contract (notes/contracts.md), which the TypeScript parser's
 * {@code inspect --json} must reproduce for the same file and pointer.
 *
 * <pre>
 * Oracle [--pointer P] _metadata...          summary JSON (one file) or one JSON document per file
 * Oracle --write [--pointer P] _metadata...  writes _metadata.oracle.json beside each file
 * Oracle --time N [--warmup W] _metadata     loads the file N times after W warm-up loads; prints ms/op and bytes/s
 * </pre>
 *
 * Flink itself resolves relative handles against the directory it is given, which must exist; the oracle always
 * loads with the file's real directory and reports relative files against {@code --pointer} (default: that
 * directory as a {@code file:} URI, as Flink itself names a local checkpoint), so a fixture moved after generation keeps the paths Flink wrote it with.
 */
public final class Oracle {
    private Oracle() {}

    public static void main(String[] args) throws Exception {
        String pointer = null;
        boolean write = false;
        int timeIterations = 0;
        int warmup = -1;
        List<String> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--pointer": pointer = args[++i]; break;
                case "--write": write = true; break;
                case "--time": timeIterations = Integer.parseInt(args[++i]); break;
                case "--warmup": warmup = Integer.parseInt(args[++i]); break;
                default: files.add(args[i]);
            }
        }
        if (files.isEmpty() || (pointer != null && files.size() > 1)) {
            System.err.println("usage: oracle [--write] [--pointer <checkpoint dir>] <_metadata>... | oracle --time N [--warmup W] <_metadata>");
            System.exit(2);
        }
        if (timeIterations > 0) {
            System.out.print(Json.write(time(new File(files.get(0)), timeIterations, warmup < 0 ? Math.max(5, timeIterations / 5) : warmup)));
            return;
        }
        for (String name : files) {
            File file = new File(name).getAbsoluteFile();
            String json = Json.write(summarize(file, pointer));
            if (write) {
                Files.writeString(new File(file.getParentFile(), file.getName() + ".oracle.json").toPath(), json);
            } else {
                System.out.print(json);
            }
        }
    }

    /** Loads one file with Flink's reader and returns the contract summary. */
    static Map<String, Object> summarize(File file, String pointer) throws IOException {
        byte[] bytes = Files.readAllBytes(file.toPath());
        String realDir = file.getAbsoluteFile().getParent();
        String reported = stripSlash(pointer == null ? "file:" + realDir : pointer);
        CheckpointMetadata metadata = load(bytes, realDir);

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("metadataVersion", new DataInputStream(new ByteArrayInputStream(bytes, 4, 4)).readInt());
        out.put("checkpointId", metadata.getCheckpointId());
        Object properties = invokeIfPresent(metadata, "getCheckpointProperties");
        String kind = null;
        String format = null;
        if (properties != null) {
            Object type = invoke(properties, "getCheckpointType");
            boolean savepoint = (Boolean) invoke(type, "isSavepoint");
            kind = savepoint ? "savepoint" : "checkpoint";
            if (savepoint) {
                format = invoke(type, "getFormatType").toString().toLowerCase();
            }
        }
        out.put("kind", kind);
        out.put("savepointFormat", format);

        List<Object> masters = new ArrayList<>();
        for (MasterState master : metadata.getMasterStates()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", master.name());
            m.put("version", master.version());
            m.put("size", master.bytes().length);
            masters.add(m);
        }
        out.put("masterStates", masters);

        TreeSet<String> files = new TreeSet<>();
        List<Object> operators = new ArrayList<>();
        long total = 0;
        for (OperatorState operator : metadata.getOperatorStates()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("operatorId", operator.getOperatorID().toString());
            o.put("name", optionalString(operator, "getOperatorName"));
            o.put("uid", optionalString(operator, "getOperatorUid"));
            o.put("parallelism", operator.getParallelism());
            o.put("maxParallelism", operator.getMaxParallelism());
            o.put("finished", operator.isFullyFinished());
            StateObject coordinator = operator.getCoordinatorState();
            o.put("coordinatorStateSize", coordinator == null ? 0L : coordinator.getStateSize());
            collectFiles(coordinator, reported, files);
            int bodies = 0;
            int finished = 0;
            TreeMap<String, Integer> handleTypes = new TreeMap<>();
            for (OperatorSubtaskState subtask : operator.getSubtaskStates().values()) {
                if (subtask.isFinished()) {
                    finished++;
                    continue;
                }
                bodies++;
                List<Collection<? extends StateObject>> slots = List.of(
                        subtask.getManagedOperatorState(), subtask.getRawOperatorState(),
                        subtask.getManagedKeyedState(), subtask.getRawKeyedState(),
                        subtask.getInputChannelState(), subtask.getResultSubpartitionState());
                for (Collection<? extends StateObject> slot : slots) {
                    for (StateObject handle : slot) {
                        if (handle != null) {
                            handleTypes.merge(handle.getClass().getSimpleName(), 1, Integer::sum);
                            collectFiles(handle, reported, files);
                        }
                    }
                }
            }
            o.put("subtaskStates", bodies);
            o.put("finishedSubtasks", finished);
            long size = operator.getStateSize();
            total += size;
            o.put("stateSize", size);
            o.put("handleTypes", handleTypes);
            operators.add(o);
        }
        out.put("operators", operators);
        out.put("stateSize", total);
        out.put("referencedFiles", new ArrayList<>(files));
        out.put("externalPointer", reported);
        return out;
    }

    static CheckpointMetadata load(byte[] bytes, String pointer) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            return Checkpoints.loadCheckpointMetadata(in, Oracle.class.getClassLoader(), pointer);
        }
    }

    private static Map<String, Object> time(File file, int iterations, int warmup) throws IOException {
        byte[] bytes = Files.readAllBytes(file.toPath());
        String dir = file.getAbsoluteFile().getParent();
        for (int i = 0; i < warmup; i++) {
            load(bytes, dir);
        }
        // every result is used (operators summed), so the JIT cannot drop a load
        long operatorsLoaded = 0;
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            operatorsLoaded += load(bytes, dir).getOperatorStates().size();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long operators = operatorsLoaded / iterations;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("reader", "flink " + System.getProperty("flink.version", "unknown") + " Checkpoints.loadCheckpointMetadata");
        out.put("file", file.getPath());
        out.put("bytes", bytes.length);
        out.put("operators", operators);
        out.put("warmup", warmup);
        out.put("iterations", iterations);
        out.put("msPerOp", Math.round(seconds * 1000.0 / iterations * 1000.0) / 1000.0);
        out.put("bytesPerSecond", Math.round(bytes.length * (double) iterations / seconds));
        return out;
    }

    /**
     * Adds every file a handle points to. Relative handles are reported against the given pointer (contract), the
     * others exactly as Flink's {@link Path#toString()} prints them.
     */
    static void collectFiles(Object handle, String pointer, Collection<String> files) {
        if (handle == null || handle instanceof ByteStreamStateHandle || handle instanceof InMemoryChangelogStateHandle) {
            return;
        }
        String type = handle.getClass().getSimpleName();
        if (handle instanceof RelativeFileStateHandle) {
            files.add(new Path(pointer, ((RelativeFileStateHandle) handle).getRelativePath()).toString());
        } else if (handle instanceof FileStateHandle) {
            files.add(((FileStateHandle) handle).getFilePath().toString());
        } else if (type.equals("EmptySegmentFileStateHandle")) {
            return;
        } else if (type.equals("SegmentFileStateHandle")) {
            files.add(invoke(handle, "getFilePath").toString());
        } else if (handle instanceof KeyGroupsStateHandle) {
            collectFiles(((KeyGroupsStateHandle) handle).getDelegateStateHandle(), pointer, files);
        } else if (handle instanceof OperatorStreamStateHandle) {
            collectFiles(((OperatorStreamStateHandle) handle).getDelegateStateHandle(), pointer, files);
        } else if (handle instanceof IncrementalRemoteKeyedStateHandle) {
            IncrementalRemoteKeyedStateHandle incremental = (IncrementalRemoteKeyedStateHandle) handle;
            // getMetaStateHandle() up to 1.17, getMetaDataStateHandle() from 1.18
            Object meta = invokeIfPresent(incremental, "getMetaDataStateHandle");
            collectFiles(meta != null ? meta : invoke(incremental, "getMetaStateHandle"), pointer, files);
            // Map<StateHandleID, StreamStateHandle> up to 1.17, List<HandleAndLocalPath> from 1.18
            Object shared = incremental.getSharedState();
            Object owned = incremental.getPrivateState();
            for (Object handles : List.of(shared, owned)) {
                Collection<?> entries = handles instanceof Map ? ((Map<?, ?>) handles).values() : (Collection<?>) handles;
                for (Object entry : entries) {
                    collectFiles(entry instanceof StateObject ? entry : invoke(entry, "getHandle"), pointer, files);
                }
            }
        } else if (handle instanceof ChangelogStateBackendHandle) {
            ChangelogStateBackendHandle changelog = (ChangelogStateBackendHandle) handle;
            changelog.getMaterializedStateHandles().forEach(h -> collectFiles(h, pointer, files));
            changelog.getNonMaterializedStateHandles().forEach(h -> collectFiles(h, pointer, files));
        } else if (handle instanceof ChangelogStateHandleStreamImpl) {
            ((ChangelogStateHandleStreamImpl) handle).getHandlesAndOffsets().forEach(t -> collectFiles(t.f0, pointer, files));
        } else if (handle instanceof AbstractChannelStateHandle) {
            collectFiles(((AbstractChannelStateHandle<?>) handle).getDelegate(), pointer, files);
        } else if (type.startsWith("Merged")) {
            collectFiles(invoke(handle, "getDelegate"), pointer, files);
        } else {
            throw new IllegalStateException("The oracle does not know state handle type " + handle.getClass().getName());
        }
    }

    private static String optionalString(Object target, String method) {
        Object value = invokeIfPresent(target, method);
        if (value instanceof java.util.Optional) {
            value = ((java.util.Optional<?>) value).orElse(null);
        }
        return value == null || value.toString().isEmpty() ? null : value.toString();
    }

    private static Object invokeIfPresent(Object target, String method) {
        Method m;
        try {
            m = target.getClass().getMethod(method);
        } catch (NoSuchMethodException e) {
            return null;
        }
        return call(m, target);
    }

    static Object invoke(Object target, String method) {
        try {
            return call(target.getClass().getMethod(method), target);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(target.getClass().getName() + " has no " + method + "()", e);
        }
    }

    private static Object call(Method m, Object target) {
        try {
            m.setAccessible(true);
            return m.invoke(target);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Calling " + m, e);
        }
    }

    static String stripSlash(String pointer) {
        String p = pointer;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }
}
