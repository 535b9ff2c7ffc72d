import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.runtime.state.KeyedBackendSerializationProxy;
import org.apache.flink.runtime.state.OperatorBackendSerializationProxy;
import org.apache.flink.runtime.state.metainfo.StateMetaInfoSnapshot;

/**
 * The oracle for the serialization proxies of Flink 1.3 to 1.6: Flink 1.7's own readers, which read every older
 * proxy version (its legacy meta-info readers), applied to the inline state of a {@code _metadata} file.
 *
 * <pre>java LegacyProxyOracle &lt;_metadata&gt; keyed:&lt;offset&gt; operator:&lt;offset&gt; ...</pre>
 *
 * <p>Prints one JSON line per proxy: its version, the key serializer (keyed), and per state its name, backend state
 * type, options and, per serializer key, the serializer Flink restores (the Java-serialized one, or Flink's
 * placeholder when its class is not on the class path) and the config snapshot class.
 */
public class LegacyProxyOracle {

  public static void main(String[] args) throws Exception {
    byte[] file = Files.readAllBytes(Paths.get(args[0]));
    ClassLoader classLoader = LegacyProxyOracle.class.getClassLoader();
    for (int i = 1; i < args.length; i++) {
      String[] head = args[i].split(":");
      int offset = Integer.parseInt(head[1]);
      DataInputViewStreamWrapper in =
          new DataInputViewStreamWrapper(new ByteArrayInputStream(file, offset, file.length - offset));
      StringBuilder out = new StringBuilder("{\"offset\":" + offset + ",\"kind\":" + quote(head[0]));
      List<StateMetaInfoSnapshot> states = new ArrayList<>();
      if (head[0].equals("keyed")) {
        KeyedBackendSerializationProxy<?> proxy = new KeyedBackendSerializationProxy<>(classLoader);
        proxy.read(in);
        out.append(",\"version\":").append(proxy.getReadVersion());
        out.append(",\"key\":").append(serializer(proxy.getKeySerializerConfigSnapshot()));
        states.addAll(proxy.getStateMetaInfoSnapshots());
      } else {
        OperatorBackendSerializationProxy proxy = new OperatorBackendSerializationProxy(classLoader);
        proxy.read(in);
        out.append(",\"version\":").append(proxy.getReadVersion());
        states.addAll(proxy.getOperatorStateMetaInfoSnapshots());
        states.addAll(proxy.getBroadcastStateMetaInfoSnapshots());
      }
      out.append(",\"states\":[");
      for (int s = 0; s < states.size(); s++) {
        out.append(s == 0 ? "" : ",").append(state(states.get(s)));
      }
      System.out.println(out.append("]}"));
    }
  }

  private static String state(StateMetaInfoSnapshot info) {
    StringBuilder b = new StringBuilder("{\"name\":" + quote(info.getName()));
    b.append(",\"backendStateType\":").append(quote(info.getBackendStateType().name())).append(",\"options\":{");
    String sep = "";
    for (Map.Entry<String, String> e : new TreeMap<>(info.getOptionsImmutable()).entrySet()) {
      b.append(sep).append(quote(e.getKey())).append(':').append(quote(e.getValue()));
      sep = ",";
    }
    b.append("},\"serializers\":{");
    sep = "";
    for (Map.Entry<String, TypeSerializerSnapshot<?>> e :
        new TreeMap<>(info.getSerializerSnapshotsImmutable()).entrySet()) {
      b.append(sep).append(quote(e.getKey())).append(':').append(serializer(e.getValue()));
      sep = ",";
    }
    return b.append("}}").toString();
  }

  private static String serializer(TypeSerializerSnapshot<?> snapshot) {
    if (snapshot == null) {
      return "null";
    }
    String restored;
    try {
      restored = snapshot.restoreSerializer().getClass().getName();
    } catch (RuntimeException e) {
      restored = null;
    }
    return "{\"serializer\":" + quote(restored) + ",\"snapshot\":" + quote(snapshot.getClass().getName()) + "}";
  }

  private static String quote(String s) {
    return s == null ? "null" : "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
