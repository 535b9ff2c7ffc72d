package flinkfixtures;

import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.java.tuple.Tuple;
import org.apache.flink.types.Either;
import org.apache.flink.types.Row;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The canonical JSON rendering of state values that the TypeScript reader also produces, so the two can be compared
 * entry by entry: longs beyond 2^53, BigInteger and BigDecimal (plain) as strings, NaN and the infinities as strings,
 * Instant as ISO-8601 with milliseconds, Tuple and arrays as arrays, Row as {kind, fields}, POJO and Avro records as
 * objects of their fields, Map as [{key, value}], Either as {left} or {right}, enums by name.
 */
final class Canon {
    private Canon() {}

    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final long SAFE = (1L << 53) - 1;

    static Object render(Object v) {
        if (v == null || v instanceof Boolean || v instanceof String || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return v;
        }
        if (v instanceof Long) {
            long l = (Long) v;
            return Math.abs(l) <= SAFE ? (Object) l : Long.toString(l);
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            return Double.isFinite(d) ? (Object) d : Double.toString(d);
        }
        if (v instanceof Character) {
            return v.toString();
        }
        if (v instanceof BigDecimal) {
            return ((BigDecimal) v).toPlainString();
        }
        if (v instanceof BigInteger) {
            return v.toString();
        }
        if (v instanceof Instant) {
            Instant i = (Instant) v;
            return i.getNano() % 1_000_000 == 0
                    ? MILLIS.format(i)
                    : SECONDS.format(i) + "." + String.format("%09d", i.getNano()) + "Z";
        }
        if (v instanceof Enum) {
            return ((Enum<?>) v).name();
        }
        if (v instanceof Tuple) {
            Tuple t = (Tuple) v;
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < t.getArity(); i++) {
                out.add(render(t.getField(i)));
            }
            return out;
        }
        if (v instanceof Row) {
            Row r = (Row) v;
            List<Object> fields = new ArrayList<>();
            for (int i = 0; i < r.getArity(); i++) {
                fields.add(render(r.getField(i)));
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("kind", r.getKind().shortString());
            out.put("fields", fields);
            return out;
        }
        if (v instanceof Either) {
            Either<?, ?> e = (Either<?, ?>) v;
            Map<String, Object> out = new LinkedHashMap<>();
            if (e.isLeft()) {
                out.put("left", render(e.left()));
            } else {
                out.put("right", render(e.right()));
            }
            return out;
        }
        if (v instanceof GenericRecord) {
            GenericRecord r = (GenericRecord) v;
            Map<String, Object> out = new LinkedHashMap<>();
            for (org.apache.avro.Schema.Field f : r.getSchema().getFields()) {
                Object x = r.get(f.name());
                out.put(f.name(), x instanceof CharSequence ? x.toString() : render(x));
            }
            return out;
        }
        if (v instanceof CharSequence) {
            return v.toString();
        }
        if (v instanceof Collection) {
            List<Object> out = new ArrayList<>();
            for (Object x : (Collection<?>) v) {
                out.add(render(x));
            }
            return out;
        }
        if (v instanceof Map) {
            List<Object> out = new ArrayList<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("key", render(e.getKey()));
                entry.put("value", render(e.getValue()));
                out.add(entry);
            }
            return out;
        }
        if (v.getClass() == byte[].class) {
            return hex((byte[]) v);
        }
        if (v.getClass().isArray()) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < Array.getLength(v); i++) {
                out.add(render(Array.get(v, i)));
            }
            return out;
        }
        // a POJO: its fields by name (PojoSerializer's fields: non-static, non-transient, of the class and its parents)
        Map<String, Object> out = new TreeMap<>();
        for (Class<?> c = v.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || Modifier.isTransient(f.getModifiers())) {
                    continue;
                }
                try {
                    f.setAccessible(true);
                    out.put(f.getName(), render(f.get(v)));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return out;
    }

    static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            s.append(String.format("%02x", b));
        }
        return s.toString();
    }

    /** Compact JSON, one line. */
    static String json(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value);
        return out.toString();
    }

    private static void write(StringBuilder out, Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String) {
            string(out, (String) value);
        } else if (value instanceof Number || value instanceof Boolean) {
            out.append(value);
        } else if (value instanceof Map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                string(out, String.valueOf(e.getKey()));
                out.append(':');
                write(out, e.getValue());
            }
            out.append('}');
        } else if (value instanceof List) {
            out.append('[');
            boolean first = true;
            for (Object x : (List<?>) value) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                write(out, x);
            }
            out.append(']');
        } else {
            throw new IllegalArgumentException("Not a JSON value: " + value.getClass());
        }
    }

    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }
}
