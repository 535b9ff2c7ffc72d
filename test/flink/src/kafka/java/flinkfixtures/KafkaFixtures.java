package flinkfixtures;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumStateSerializer;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplitSerializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.io.SimpleVersionedSerialization;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.runtime.state.memory.ByteStreamStateHandle;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The Kafka fixtures: a Kafka broker in KRaft mode inside this JVM (from Maven Central, the release the line's Kafka
 * connector is built against), a topic with known offsets, and a Flink job reading it with KafkaSource and writing it
 * with KafkaSink exactly-once. Once every record is read and committed, the retained checkpoint and a canonical savepoint
 * hold the source's splits at the end offsets. A second pipeline copies a topic the fixture keeps ticking into the
 * same way, so every snapshot's committer holds an open transaction's committable. Beside each {@code _metadata} the
 * oracle, {@code _metadata.connectors.json}, is what the connector's own serializers read back from it.
 *
 * <pre>KafkaFixtures --root DIR --flink-version V</pre>
 */
public final class KafkaFixtures {
    static final String TOPIC = "orders";
    /** Records per partition of {@link #TOPIC}: the end offsets every split reaches. */
    static final int[] RECORDS = {5, 7, 11};
    static final String OUT = "orders-copy";
    static final String GROUP = "fixture-group";
    static final String TRANSACTIONAL_ID_PREFIX = "fixture-tx";
    /** The ticking topic: records arrive between checkpoints, so its sink's transactions are open at each one. */
    static final String TICKS = "ticks";
    static final String TICKS_TRANSACTIONAL_ID_PREFIX = "fixture-tick-tx";
    static final long TICK_MILLIS = 20;
    static final long TIMEOUT_MILLIS = 180_000;

    public static void main(String[] args) throws Exception {
        String root = null;
        String flinkVersion = "unknown";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--root": root = args[++i]; break;
                case "--flink-version": flinkVersion = args[++i]; break;
                default: throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (root == null) {
            throw new IllegalArgumentException("give --root DIR");
        }
        File dir = new File(root);
        Files.createDirectories(dir.toPath());
        File logs = Files.createTempDirectory("kafka-fixture-broker").toFile();
        KafkaRaftServer broker = null;
        try {
            int port = freePort();
            int controllerPort = freePort();
            broker = startBroker(logs, port, controllerPort);
            String bootstrap = "127.0.0.1:" + port;
            writeRecords(bootstrap);
            Ticker ticker = new Ticker(bootstrap);
            ticker.start();
            String jobId;
            try {
                jobId = runJob(bootstrap, dir, flinkVersion);
            } finally {
                ticker.halt();
            }
            int written = 0;
            for (File metadata : Scenarios.metadataFiles(dir)) {
                Map<String, Object> oracle = read(metadata);
                Files.writeString(new File(metadata.getParentFile(), "_metadata.connectors.json").toPath(),
                        Json.write(oracle) + "\n");
                written++;
            }
            Map<String, Object> about = new LinkedHashMap<>();
            about.put("flinkVersion", flinkVersion);
            about.put("jobId", jobId);
            about.put("topic", TOPIC);
            List<Integer> records = new ArrayList<>();
            for (int r : RECORDS) {
                records.add(r);
            }
            about.put("recordsPerPartition", records);
            about.put("transactionalIdPrefix", TRANSACTIONAL_ID_PREFIX);
            about.put("ticksTopic", TICKS);
            about.put("ticksTransactionalIdPrefix", TICKS_TRANSACTIONAL_ID_PREFIX);
            about.put("snapshots", written);
            Files.writeString(new File(dir, "kafka.json").toPath(), Json.write(about) + "\n");
            System.out.println("kafka fixtures: " + written + " snapshots with their oracle under " + dir);
        } finally {
            if (broker != null) {
                broker.shutdown();
                broker.awaitShutdown();
            }
            Scenarios.deleteTree(logs.toPath());
        }
        System.exit(0);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /** One combined broker and controller, formatted like {@code kafka-storage.sh format}, on 127.0.0.1 only. */
    static KafkaRaftServer startBroker(File logs, int port, int controllerPort) throws Exception {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logs.getPath());
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        new Formatter()
                .setPrintStream(new PrintStream(PrintStream.nullOutputStream()))
                .setClusterId(Uuid.randomUuid().toString())
                .setNodeId(1)
                .setControllerListenerName("CONTROLLER")
                .setMetadataLogDirectory(logs.getPath())
                .setDirectories(List.of(logs.getPath()))
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .run();
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(p), Time.SYSTEM);
        server.startup();
        return server;
    }

    static void writeRecords(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, RECORDS.length, (short) 1), new NewTopic(OUT, 1, (short) 1),
                            new NewTopic(TICKS, 1, (short) 1), new NewTopic(TICKS + "-copy", 1, (short) 1)))
                    .all().get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        }
        Map<String, Object> config = Map.of("bootstrap.servers", bootstrap, "acks", "all",
                "key.serializer", StringSerializer.class.getName(), "value.serializer", StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            for (int partition = 0; partition < RECORDS.length; partition++) {
                for (int n = 0; n < RECORDS[partition]; n++) {
                    producer.send(new ProducerRecord<>(TOPIC, partition, "order-" + partition + "-" + n, "amount " + n));
                }
            }
            producer.flush();
        }
    }

    /** Writes a record to {@link #TICKS} every {@link #TICK_MILLIS} until halted. */
    static final class Ticker extends Thread {
        private final KafkaProducer<String, String> producer;
        private volatile boolean running = true;

        Ticker(String bootstrap) {
            super("kafka-fixture-ticker");
            producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all",
                    "key.serializer", StringSerializer.class.getName(),
                    "value.serializer", StringSerializer.class.getName()));
        }

        @Override
        public void run() {
            try {
                for (long n = 0; running; n++) {
                    producer.send(new ProducerRecord<>(TICKS, 0, null, "tick-" + n));
                    Thread.sleep(TICK_MILLIS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void halt() throws InterruptedException {
            running = false;
            join();
            producer.close();
        }
    }

    static KafkaSink<String> sink(String bootstrap, String topic, String transactionalIdPrefix) {
        return KafkaSink.<String>builder()
                .setBootstrapServers(bootstrap)
                .setRecordSerializer(KafkaRecordSerializationSchema.builder()
                        .setTopic(topic)
                        .setValueSerializationSchema(new SimpleStringSchema())
                        .build())
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setProperty("transaction.timeout.ms", "60000")
                .build();
    }

    static KafkaSource<String> source(String bootstrap, String topic, String group) {
        return KafkaSource.<String>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(topic)
                .setGroupId(group)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setValueOnlyDeserializer(new SimpleStringSchema())
                .build();
    }

    /** Runs the job until the group's committed offsets are the end offsets; a savepoint, then cancel. */
    static String runJob(String bootstrap, File dir, String flinkVersion) throws Exception {
        Configuration conf = new Configuration();
        String jobId = md5(flinkVersion + "/kafka");
        conf.setString("$internal.pipeline.job-id", jobId);
        conf.setString("execution.checkpointing.interval", "1 s");
        conf.setString("execution.checkpointing.dir", "file:" + new File(dir, "checkpoints").getPath());
        conf.setString("execution.checkpointing.savepoint-dir", "file:" + new File(dir, "savepoints").getPath());
        conf.setString("execution.checkpointing.num-retained", "1");
        conf.setString("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        conf.setString("state.backend.type", "hashmap");
        conf.setString("rest.bind-address", "127.0.0.1");
        conf.setString("rest.bind-port", "0");
        conf.setString("taskmanager.host", "127.0.0.1");
        conf.setString("taskmanager.bind-host", "127.0.0.1");
        conf.setString("jobmanager.bind-host", "127.0.0.1");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.setMaxParallelism(128);
        env.fromSource(source(bootstrap, TOPIC, GROUP), WatermarkStrategy.noWatermarks(), "Kafka orders")
                .uid("kafka-source")
                .sinkTo(sink(bootstrap, OUT, TRANSACTIONAL_ID_PREFIX)).uid("kafka-sink").name("Kafka orders copy");
        env.fromSource(source(bootstrap, TICKS, GROUP + "-ticks"), WatermarkStrategy.noWatermarks(), "Kafka ticks")
                .uid("tick-source")
                .sinkTo(sink(bootstrap, TICKS + "-copy", TICKS_TRANSACTIONAL_ID_PREFIX)).uid("tick-sink")
                .name("Kafka ticks copy");
        JobClient client = env.executeAsync("kafka fixtures");
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            while (!allCommitted(admin)) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("the job did not commit the end offsets within " + TIMEOUT_MILLIS + " ms");
                }
                if (client.getJobStatus().get().isGloballyTerminalState()) {
                    client.getJobExecutionResult().get();
                    throw new IllegalStateException("the job ended early");
                }
                Thread.sleep(200);
            }
        }
        // Offsets are committed when a checkpoint completes: the next one holds the same splits.
        Thread.sleep(2500);
        String target = "file:" + new File(dir, "savepoints").getPath();
        while (true) {
            try {
                client.triggerSavepoint(target, SavepointFormatType.CANONICAL).get();
                break;
            } catch (Exception e) {
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
        client.cancel().get();
        try {
            client.getJobExecutionResult().get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (Exception cancelled) {
            // a cancelled job ends its result future exceptionally: that is the expected end
        }
        return jobId;
    }

    static boolean allCommitted(Admin admin) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get();
        for (int partition = 0; partition < RECORDS.length; partition++) {
            OffsetAndMetadata o = committed.get(new TopicPartition(TOPIC, partition));
            if (o == null || o.offset() != RECORDS[partition]) {
                return false;
            }
        }
        return true;
    }

    static String md5(String text) throws Exception {
        StringBuilder hex = new StringBuilder();
        for (byte b : MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8))) {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }

    /** The oracle of one snapshot: per operator, the coordinator's enumerator state and the connector list states. */
    static Map<String, Object> read(File metadataFile) throws Exception {
        byte[] bytes = Files.readAllBytes(metadataFile.toPath());
        String pointer = "file:" + metadataFile.getParentFile().getPath();
        CheckpointMetadata metadata = Oracle.load(bytes, pointer);
        Map<String, Object> operators = new LinkedHashMap<>();
        for (OperatorState op : metadata.getOperatorStates()) {
            Map<String, Object> out = new LinkedHashMap<>();
            ByteStreamStateHandle coordinator = op.getCoordinatorState();
            if (coordinator != null) {
                out.put("coordinator", enumerator(coordinator.getData()));
            }
            List<Object> entries = new ArrayList<>();
            for (Map.Entry<Integer, OperatorSubtaskState> subtask : op.getSubtaskStates().entrySet()) {
                for (OperatorStateHandle handle : subtask.getValue().getManagedOperatorState()) {
                    entries.addAll(entries(handle, subtask.getKey()));
                }
            }
            if (!entries.isEmpty()) {
                out.put("entries", entries);
            }
            if (!out.isEmpty()) {
                operators.put(op.getOperatorID().toHexString(), out);
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("reader", "flink " + System.getProperty("flink.version", "unknown")
                + " with the Kafka connector's KafkaPartitionSplitSerializer, KafkaSourceEnumStateSerializer,"
                + " KafkaWriterStateSerializer and KafkaCommittableSerializer in CommittableCollectorSerializer");
        result.put("operators", operators);
        return result;
    }

    /** {@code SourceCoordinator#writeCheckpointBytes}: serde version, enumerator serializer version, length, bytes. */
    static Map<String, Object> enumerator(byte[] data) throws Exception {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
        int serde = in.readInt();
        if (serde != 1) {
            throw new IOException("coordinator serde version " + serde);
        }
        int version = in.readInt();
        byte[] checkpoint = new byte[in.readInt()];
        in.readFully(checkpoint);
        KafkaSourceEnumState state = new KafkaSourceEnumStateSerializer().deserialize(version, checkpoint);
        // Connector 5.x keeps each partition as a split with its offsets (splits()); earlier ones the partition alone.
        boolean withSplits = hasMethod(state, "splits");
        List<Map<String, Object>> list = new ArrayList<>();
        for (Object p : (Iterable<?>) call(state, withSplits ? "splits" : "partitions")) {
            Map<String, Object> row = new LinkedHashMap<>();
            if (withSplits) {
                KafkaPartitionSplit split = (KafkaPartitionSplit) call(p, "split");
                row.put("topic", split.getTopic());
                row.put("partition", split.getPartition());
                row.put("assignment", assignment(call(p, "assignmentStatus")));
                row.put("startingOffset", offset(split.getStartingOffset()));
                row.put("stoppingOffset", split.getStoppingOffset().map(KafkaFixtures::offset).orElse(null));
            } else {
                TopicPartition tp = (TopicPartition) call(p, "topicPartition");
                row.put("topic", tp.topic());
                row.put("partition", tp.partition());
                row.put("assignment", assignment(call(p, "assignmentStatus")));
            }
            list.add(row);
        }
        list.sort(Comparator.comparing((Map<String, Object> r) -> (String) r.get("topic"))
                .thenComparingInt(r -> (Integer) r.get("partition")));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("enumerator", "kafka");
        out.put("serializerVersion", version);
        out.put("partitions", list);
        out.put("initialDiscoveryFinished", state.initialDiscoveryFinished());
        return out;
    }

    static String assignment(Object status) {
        return ((Enum<?>) status).name().toLowerCase().replace('_', '-');
    }

    static boolean hasMethod(Object target, String method) {
        for (Method m : target.getClass().getMethods()) {
            if (m.getName().equals(method) && m.getParameterCount() == 0) {
                return true;
            }
        }
        return false;
    }

    /** The elements of the connector list states at the offsets the handle records, read by the connector's serializers. */
    static List<Object> entries(OperatorStateHandle handle, int subtask) throws Exception {
        List<Object> out = new ArrayList<>();
        for (Map.Entry<String, OperatorStateHandle.StateMetaInfo> state : handle.getStateNameToPartitionOffsets().entrySet()) {
            String name = state.getKey();
            if (!name.equals("SourceReaderState") && !name.equals("writer_raw_states")
                    && !name.equals("streaming_committer_raw_states")) {
                continue;
            }
            long[] offsets = state.getValue().getOffsets();
            for (int index = 0; index < offsets.length; index++) {
                byte[] element;
                try (FSDataInputStream in = handle.openInputStream()) {
                    in.seek(offsets[index]);
                    element = BytePrimitiveArraySerializer.INSTANCE.deserialize(new DataInputViewStreamWrapper(in));
                }
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("state", name);
                entry.put("subtask", subtask);
                entry.put("index", index);
                entry.put("value", name.equals("SourceReaderState") ? split(element)
                        : name.equals("writer_raw_states") ? writer(element) : committer(element));
                out.add(entry);
            }
        }
        return out;
    }

    /** The committer's collector, its committables read by KafkaSink's own committable serializer. */
    static Map<String, Object> committer(byte[] element) throws Exception {
        return CommitterOracle.read(element, sink("127.0.0.1:9", OUT, TRANSACTIONAL_ID_PREFIX).getCommittableSerializer(),
                c -> {
                    try {
                        Map<String, Object> out = new LinkedHashMap<>();
                        out.put("committable", "kafka");
                        out.put("producerId", call(c, "getProducerId"));
                        out.put("epoch", ((Number) call(c, "getEpoch")).intValue());
                        out.put("transactionalId", call(c, "getTransactionalId"));
                        return out;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
    }

    static Map<String, Object> split(byte[] element) throws IOException {
        KafkaPartitionSplit split =
                SimpleVersionedSerialization.readVersionAndDeSerialize(new KafkaPartitionSplitSerializer(), element);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("split", "kafka");
        out.put("topic", split.getTopic());
        out.put("partition", split.getPartition());
        out.put("startingOffset", offset(split.getStartingOffset()));
        out.put("stoppingOffset", split.getStoppingOffset().map(KafkaFixtures::offset).orElse(null));
        return out;
    }

    static Object offset(long offset) {
        if (offset == KafkaPartitionSplit.EARLIEST_OFFSET) {
            return "earliest";
        }
        if (offset == KafkaPartitionSplit.LATEST_OFFSET) {
            return "latest";
        }
        if (offset == KafkaPartitionSplit.COMMITTED_OFFSET) {
            return "committed";
        }
        return offset;
    }

    /** KafkaSink's writer state: its serializer and state class are package-private, so reached by reflection. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> writer(byte[] element) throws Exception {
        Constructor<?> c = Class.forName("org.apache.flink.connector.kafka.sink.KafkaWriterStateSerializer")
                .getDeclaredConstructor();
        c.setAccessible(true);
        SimpleVersionedSerializer<Object> serializer = (SimpleVersionedSerializer<Object>) c.newInstance();
        Object state = SimpleVersionedSerialization.readVersionAndDeSerialize(serializer, element);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("writer", "kafka");
        out.put("transactionalIdPrefix", call(state, "getTransactionalIdPrefix"));
        if (serializer.getVersion() >= 2) {
            out.put("ownedSubtaskId", call(state, "getOwnedSubtaskId"));
            out.put("totalNumberOfOwnedSubtasks", call(state, "getTotalNumberOfOwnedSubtasks"));
            out.put("transactionOwnership", String.valueOf(call(state, "getTransactionOwnership")));
            List<Object> precommitted = new ArrayList<>();
            for (Object t : (Iterable<Object>) call(state, "getPrecommittedTransactionalIds")) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("transactionalId", call(t, "getTransactionalId"));
                row.put("checkpointId", call(t, "getCheckpointId"));
                precommitted.add(row);
            }
            out.put("precommittedTransactionalIds", precommitted);
        }
        return out;
    }

    static Object call(Object target, String method) throws Exception {
        Method m = target.getClass().getDeclaredMethod(method);
        m.setAccessible(true);
        return m.invoke(target);
    }
}
