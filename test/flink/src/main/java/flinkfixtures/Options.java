package flinkfixtures;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds a Flink {@link Configuration} from {@link ConfigOption} constants that moved or were renamed between
 * release lines. Each setting names its candidate constants ("Class#FIELD", newest first); the first one present on
 * the classpath supplies the key, so the key string is always the one this Flink line expects.
 */
final class Options {
    private final Map<String, String> values = new LinkedHashMap<>();

    /** Sets the first existing option among {@code candidates}; fails if none exists. */
    Options set(String value, String... candidates) {
        String key = keyOf(candidates);
        if (key == null) {
            throw new IllegalStateException("None of these options exists in this Flink line: " + String.join(", ", candidates));
        }
        values.put(key, value);
        return this;
    }

    /** Sets the first existing option among {@code candidates}; returns false when this line has none of them. */
    boolean setIfPresent(String value, String... candidates) {
        String key = keyOf(candidates);
        if (key == null) {
            return false;
        }
        values.put(key, value);
        return true;
    }

    static boolean exists(String candidate) {
        return keyOf(candidate) != null;
    }

    Configuration toConfiguration() {
        return Configuration.fromMap(values);
    }

    Map<String, String> asMap() {
        return values;
    }

    private static String keyOf(String... candidates) {
        for (String candidate : candidates) {
            int hash = candidate.indexOf('#');
            String className = candidate.substring(0, hash);
            String field = candidate.substring(hash + 1);
            try {
                Object option = Class.forName(className).getField(field).get(null);
                return ((ConfigOption<?>) option).key();
            } catch (ClassNotFoundException | NoSuchFieldException e) {
                // not in this line: try the next candidate
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(candidate, e);
            }
        }
        return null;
    }
}
