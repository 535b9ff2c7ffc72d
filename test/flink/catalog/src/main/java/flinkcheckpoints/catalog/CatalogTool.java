package flinkcheckpoints.catalog;

import java.io.File;
import java.io.PrintStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Reads one Flink release line's own configuration machinery through reflection, so the same compiled tool runs
 * against any line's jars (the class path decides which line it is).
 *
 * <ul>
 *   <li>{@code options}: every public static {@code ConfigOption} field of the *Options classes in the flink-* jars
 *       on the class path, as JSON lines.
 *   <li>{@code load <dir>...}: {@code GlobalConfiguration.loadConfiguration(dir).toMap()} for each conf dir, as JSON.
 *   <li>{@code flinkmigrate <legacyDir> <outDir>}: Flink's own flink-conf.yaml → config.yaml migration (1.19/1.20),
 *       then the reloaded map.
 *   <li>{@code values <file>}: for each {@code key<TAB>value} line, whether Flink's own conversion accepts the value.
 *   <li>{@code lookup <keys-file>}: for each key (one a line), which option of this line answers to it and how
 *       (its own key, a deprecated key, a fallback key), using the options' own {@code key()} and
 *       {@code fallbackKeys()} and {@code Configuration.contains}.
 * </ul>
 */
public final class CatalogTool {

    private CatalogTool() {}

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        if (args.length == 0) {
            System.err.println("usage: CatalogTool options | load <confDir>... | lookup <keysFile>");
            System.exit(2);
        }
        try {
            run(args, out);
        } catch (IncompleteCatalogException e) {
            System.err.println(e.getMessage());
            System.exit(3);
        }
    }

    static void run(String[] args, PrintStream out) throws Exception {
        switch (args[0]) {
            case "options":
                for (OptionRecord record : discover()) {
                    out.println(record.toJson());
                }
                break;
            case "load":
                for (int i = 1; i < args.length; i++) {
                    out.println(load(args[i]));
                }
                break;
            case "flinkmigrate":
                out.println(flinkMigrate(args[1], args[2]));
                break;
            case "values":
                values(Path.of(args[1]), out);
                break;
            case "lookup":
                lookup(Path.of(args[1]), out);
                break;
            case "get":
                for (int i = 2; i < args.length; i++) {
                    out.println(get(args[i], Path.of(args[1])));
                }
                break;
            default:
                System.err.println("unknown mode " + args[0]);
                System.exit(2);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // options

    /** One public static ConfigOption field. */
    static final class OptionRecord {
        String key;
        String className;
        String field;
        String jar;
        String type;
        String defaultValue;
        List<String> enumValues;
        List<String> deprecatedEnumValues;
        final List<String[]> fallbackKeys = new ArrayList<>();
        boolean fieldDeprecated;
        boolean classDeprecated;
        boolean excludedFromDocs;
        Object option;

        String toJson() {
            StringBuilder sb = new StringBuilder("{");
            Json.field(sb, "key", key).append(',');
            Json.field(sb, "class", className).append(',');
            Json.field(sb, "field", field).append(',');
            Json.field(sb, "jar", jar).append(',');
            Json.field(sb, "type", type).append(',');
            Json.field(sb, "default", defaultValue).append(',');
            sb.append("\"enumValues\":").append(Json.list(enumValues)).append(',');
            sb.append("\"deprecatedEnumValues\":").append(Json.list(deprecatedEnumValues)).append(',');
            sb.append("\"fallbackKeys\":[");
            for (int i = 0; i < fallbackKeys.size(); i++) {
                if (i > 0) sb.append(',');
                sb.append("{");
                Json.field(sb, "key", fallbackKeys.get(i)[0]).append(',');
                sb.append("\"deprecated\":").append(fallbackKeys.get(i)[1]).append('}');
            }
            sb.append("],");
            sb.append("\"fieldDeprecated\":").append(fieldDeprecated).append(',');
            sb.append("\"classDeprecated\":").append(classDeprecated).append(',');
            sb.append("\"excludedFromDocs\":").append(excludedFromDocs);
            return sb.append('}').toString();
        }
    }

    static List<OptionRecord> discover() throws Exception {
        ClassLoader loader = CatalogTool.class.getClassLoader();
        Class<?> configOption = Class.forName("org.apache.flink.configuration.ConfigOption", false, loader);
        List<OptionRecord> records = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            File jarFile = new File(entry);
            String jarName = jarFile.getName();
            if (!jarName.startsWith("flink-") || jarName.startsWith("flink-shaded") || !jarName.endsWith(".jar")) {
                continue;
            }
            List<String> classNames = new ArrayList<>();
            try (JarFile jar = new JarFile(jarFile)) {
                Enumeration<JarEntry> entries = jar.entries();
                while (entries.hasMoreElements()) {
                    String name = entries.nextElement().getName();
                    if (!name.startsWith("org/apache/flink/") || !name.endsWith(".class") || name.contains("$")) {
                        continue;
                    }
                    String simple = name.substring(name.lastIndexOf('/') + 1, name.length() - ".class".length());
                    if (simple.endsWith("Options") || simple.endsWith("OptionsInternal")) {
                        classNames.add(name.substring(0, name.length() - ".class".length()).replace('/', '.'));
                    }
                }
            }
            classNames.sort(null);
            for (String className : classNames) {
                readOptionClass(className, jarName, loader, configOption, records, problems);
            }
        }
        if (!problems.isEmpty()) {
            // A catalog missing a class's options marks valid keys unknown or removed: refuse to produce one.
            throw new IncompleteCatalogException(problems);
        }
        records.addAll(deprecatedConstants());
        return records;
    }

    /** Thrown when an option class of the line could not be read completely; lists every such class. */
    static final class IncompleteCatalogException extends Exception {
        IncompleteCatalogException(List<String> problems) {
            super("option classes that could not be read (their keys would be missing from the catalog):\n  "
                    + String.join("\n  ", problems));
        }
    }

    /**
     * Reads the public static ConfigOption fields of one *Options class. A class that declares none (the CLI's
     * commons-cli option holders, ...) is not an option class; one that declares some must initialise and yield every
     * one of them, otherwise the reason goes to {@code problems}.
     */
    static void readOptionClass(String className, String jarName, ClassLoader loader, Class<?> configOption,
            List<OptionRecord> records, List<String> problems) {
        List<Field> optionFields = new ArrayList<>();
        Class<?> clazz;
        try {
            clazz = Class.forName(className, false, loader);
            for (Field f : clazz.getDeclaredFields()) {
                int mod = f.getModifiers();
                if (Modifier.isStatic(mod) && Modifier.isPublic(mod) && configOption.isAssignableFrom(f.getType())) {
                    optionFields.add(f);
                }
            }
        } catch (Throwable e) {
            problems.add(className + " (" + jarName + "): " + e);
            return;
        }
        if (optionFields.isEmpty()) return;
        try {
            Class.forName(className, true, loader);
        } catch (Throwable e) {
            problems.add(className + " (" + jarName + "): cannot initialise: " + rootCause(e));
            return;
        }
        boolean classDeprecated = clazz.isAnnotationPresent(Deprecated.class);
        int read = 0;
        for (Field f : optionFields) {
            try {
                Object option = f.get(null);
                if (option == null) {
                    problems.add(className + "." + f.getName() + " (" + jarName + "): is null");
                    continue;
                }
                records.add(describe(option, clazz, f, jarName, classDeprecated));
                read++;
            } catch (Throwable e) {
                problems.add(className + "." + f.getName() + " (" + jarName + "): " + rootCause(e));
            }
        }
        if (read == 0) problems.add(className + " (" + jarName + "): yields no options");
    }

    static String rootCause(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null && c.getCause() != c) c = c.getCause();
        return c == e ? e.toString() : e + " / caused by " + c;
    }

    /**
     * Keys that 1.x still read through deprecated String constants of ConfigConstants but no ConfigOption defines
     * (fs.hdfs.hadoopconf, ...): recorded as deprecated String options so the catalog knows them and when they go.
     */
    static List<OptionRecord> deprecatedConstants() {
        List<OptionRecord> out = new ArrayList<>();
        Class<?> constants;
        try {
            constants = Class.forName("org.apache.flink.configuration.ConfigConstants");
        } catch (Throwable e) {
            return out;
        }
        for (Field f : constants.getDeclaredFields()) {
            int mod = f.getModifiers();
            if (!Modifier.isStatic(mod) || !Modifier.isPublic(mod) || f.getType() != String.class
                    || !f.isAnnotationPresent(Deprecated.class) || f.getName().startsWith("DEFAULT_")) {
                continue;
            }
            String value;
            try {
                value = (String) f.get(null);
            } catch (Throwable e) {
                continue;
            }
            if (value == null || !value.matches("[a-z][a-z0-9-]*(\\.[a-zA-Z0-9_-]+)+") || value.endsWith(".")) continue;
            OptionRecord r = new OptionRecord();
            r.key = value;
            r.className = constants.getName();
            r.field = f.getName();
            r.jar = jarOf(constants);
            r.type = "String";
            r.fieldDeprecated = true;
            r.excludedFromDocs = true;
            out.add(r);
        }
        return out;
    }

    static String jarOf(Class<?> c) {
        String location = c.getProtectionDomain().getCodeSource().getLocation().getPath();
        return location.substring(location.lastIndexOf('/') + 1);
    }

    static OptionRecord describe(Object option, Class<?> clazz, Field f, String jarName, boolean classDeprecated)
            throws Exception {
        OptionRecord r = new OptionRecord();
        r.option = option;
        r.key = (String) call(option, "key");
        r.className = clazz.getName();
        r.field = f.getName();
        r.jar = jarName;
        r.classDeprecated = classDeprecated;
        r.fieldDeprecated = f.isAnnotationPresent(Deprecated.class);
        for (Annotation a : f.getAnnotations()) {
            String n = a.annotationType().getName();
            if (n.endsWith("Documentation$ExcludeFromDocumentation")) r.excludedFromDocs = true;
        }
        // Internal option classes and $internal keys never appear in Flink's generated option tables.
        if (clazz.getSimpleName().endsWith("Internal") || r.key.startsWith("$internal.")) r.excludedFromDocs = true;
        Class<?> valueClass = (Class<?>) call(option, "getClazz");
        boolean isList = (Boolean) call(option, "isList");
        String base = typeName(valueClass);
        r.type = isList ? "List<" + base + ">" : base;
        if (valueClass.isEnum()) {
            r.enumValues = new ArrayList<>();
            r.deprecatedEnumValues = new ArrayList<>();
            for (Object constant : valueClass.getEnumConstants()) {
                // Flink matches a configured value against toString() (ConfigurationUtils.convertToEnum).
                String name = ((Enum<?>) constant).name();
                r.enumValues.add(constant.toString());
                if (valueClass.getField(name).isAnnotationPresent(Deprecated.class)) {
                    r.deprecatedEnumValues.add(constant.toString());
                }
            }
        }
        if ((Boolean) call(option, "hasDefaultValue")) {
            Object def = call(option, "defaultValue");
            r.defaultValue = def == null ? null : formatValue(def);
        }
        for (Object fallback : (Iterable<?>) call(option, "fallbackKeys")) {
            r.fallbackKeys.add(new String[] {(String) call(fallback, "getKey"), String.valueOf(call(fallback, "isDeprecated"))});
        }
        return r;
    }

    static String typeName(Class<?> c) {
        if (c.isEnum()) return "Enum";
        switch (c.getName()) {
            case "java.time.Duration":
                return "Duration";
            case "org.apache.flink.configuration.MemorySize":
                return "MemorySize";
            case "java.util.Map":
                return "Map";
            case "java.lang.String":
            case "java.lang.Boolean":
            case "java.lang.Integer":
            case "java.lang.Long":
            case "java.lang.Double":
            case "java.lang.Float":
                return c.getSimpleName();
            default:
                return c.getName();
        }
    }

    /** Formats a default value the way the line's own ConfigurationUtils writes it into a configuration. */
    static String formatValue(Object value) throws Exception {
        Class<?> utils = Class.forName("org.apache.flink.configuration.ConfigurationUtils");
        for (Method m : utils.getDeclaredMethods()) {
            if (!m.getName().equals("convertToString")) continue;
            m.setAccessible(true);
            if (m.getParameterCount() == 1) return (String) m.invoke(null, value);
            // 1.19/1.20: (value, standardYaml); the legacy form is what the docs tables of those lines print.
            if (m.getParameterCount() == 2) return (String) m.invoke(null, value, false);
        }
        return value.toString();
    }

    static Object call(Object target, String method) throws Exception {
        Class<?> c = target.getClass();
        while (c != null) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.getName().equals(method) && m.getParameterCount() == 0) {
                    m.setAccessible(true);
                    return m.invoke(target);
                }
            }
            c = c.getSuperclass();
        }
        throw new NoSuchMethodException(target.getClass().getName() + "." + method);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // load

    static String load(String dir) {
        StringBuilder sb = new StringBuilder("{");
        Json.field(sb, "dir", new File(dir).getName()).append(',');
        try {
            Class<?> global = Class.forName("org.apache.flink.configuration.GlobalConfiguration");
            Object conf = global.getMethod("loadConfiguration", String.class).invoke(null, dir);
            @SuppressWarnings("unchecked")
            Map<String, String> map = (Map<String, String>) conf.getClass().getMethod("toMap").invoke(conf);
            sb.append("\"map\":{");
            boolean first = true;
            for (Map.Entry<String, String> e : new TreeMap<>(map).entrySet()) {
                if (!first) sb.append(',');
                first = false;
                sb.append(Json.quote(e.getKey())).append(':').append(Json.quote(e.getValue()));
            }
            sb.append('}');
        } catch (java.lang.reflect.InvocationTargetException e) {
            StringBuilder chain = new StringBuilder();
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                if (chain.length() > 0) chain.append(" / caused by ");
                chain.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage());
            }
            Json.field(sb, "error", chain.toString());
        } catch (Exception e) {
            Json.field(sb, "error", e.toString());
        }
        return sb.append('}').toString();
    }

    /**
     * What bin/migrate-config-file.sh (1.19/1.20) does: load the legacy flink-conf.yaml, copy it into a standard-YAML
     * configuration and dump it nested with {@code ConfigurationUtils.convertConfigToWritableLines}; then load the
     * written config.yaml again. Prints the reloaded map, or the error the dump or the reload ran into.
     */
    static String flinkMigrate(String legacyDir, String outDir) {
        try {
            Class<?> global = Class.forName("org.apache.flink.configuration.GlobalConfiguration");
            Class<?> confClass = Class.forName("org.apache.flink.configuration.Configuration");
            Class<?> utils = Class.forName("org.apache.flink.configuration.ConfigurationUtils");
            Object legacy = global.getMethod("loadConfiguration", String.class).invoke(null, legacyDir);
            Object standard = confClass.getConstructor(boolean.class).newInstance(true);
            confClass.getMethod("addAll", confClass).invoke(standard, legacy);
            @SuppressWarnings("unchecked")
            List<String> lines = (List<String>) utils.getMethod("convertConfigToWritableLines", confClass, boolean.class)
                    .invoke(null, standard, false);
            Files.createDirectories(Path.of(outDir));
            Files.write(Path.of(outDir, "config.yaml"), lines, StandardCharsets.UTF_8);
        } catch (java.lang.reflect.InvocationTargetException e) {
            StringBuilder sb = new StringBuilder("{");
            Json.field(sb, "dir", new File(outDir).getName()).append(',');
            Json.field(sb, "error", "migration failed: " + e.getCause());
            return sb.append('}').toString();
        } catch (Exception e) {
            StringBuilder sb = new StringBuilder("{");
            Json.field(sb, "dir", new File(outDir).getName()).append(',');
            Json.field(sb, "error", "migration failed: " + e);
            return sb.append('}').toString();
        }
        return load(outDir);
    }

    /**
     * For each {@code key<TAB>value} line: set the value as a string and read the key's live option back with
     * {@code Configuration.get}, which runs Flink's own conversion (durations, memory sizes, booleans, enums,
     * numbers, lists). Prints whether Flink accepted it.
     */
    static void values(Path file, PrintStream out) throws Exception {
        List<OptionRecord> records = discover();
        Class<?> confClass = Class.forName("org.apache.flink.configuration.Configuration");
        Class<?> optionClass = Class.forName("org.apache.flink.configuration.ConfigOption");
        Method setString = confClass.getMethod("setString", String.class, String.class);
        Method get = confClass.getMethod("get", optionClass);
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int tab = line.indexOf('\t');
            if (tab < 0) continue;
            String key = line.substring(0, tab);
            String value = line.substring(tab + 1);
            OptionRecord option = null;
            for (OptionRecord r : records) {
                if (r.key.equals(key) && r.option != null && (option == null || (!r.fieldDeprecated && !r.classDeprecated))) option = r;
            }
            StringBuilder sb = new StringBuilder("{");
            Json.field(sb, "key", key).append(',');
            Json.field(sb, "value", value).append(',');
            if (option == null) {
                sb.append("\"ok\":null");
            } else {
                Object conf = confClass.getConstructor().newInstance();
                setString.invoke(conf, key, value);
                try {
                    get.invoke(conf, option.option);
                    sb.append("\"ok\":true");
                } catch (java.lang.reflect.InvocationTargetException e) {
                    sb.append("\"ok\":false,");
                    Json.field(sb, "error", String.valueOf(e.getCause()));
                }
            }
            out.println(sb.append('}'));
        }
    }

    /**
     * For a conf dir: the value each listed option (one key a line) has in the loaded configuration, read with
     * {@code Configuration.get} so deprecated and fallback keys count as Flink counts them; null when unset.
     */
    static String get(String dir, Path keysFile) throws Exception {
        List<OptionRecord> records = discover();
        Class<?> global = Class.forName("org.apache.flink.configuration.GlobalConfiguration");
        Class<?> optionClass = Class.forName("org.apache.flink.configuration.ConfigOption");
        Object conf = global.getMethod("loadConfiguration", String.class).invoke(null, dir);
        Method get = conf.getClass().getMethod("getOptional", optionClass);
        StringBuilder sb = new StringBuilder("{");
        Json.field(sb, "dir", new File(dir).getName()).append(",\"values\":{");
        boolean first = true;
        for (String key : Files.readAllLines(keysFile, StandardCharsets.UTF_8)) {
            if (key.isBlank()) continue;
            OptionRecord option = null;
            for (OptionRecord r : records) {
                if (r.key.equals(key) && r.option != null && !r.fieldDeprecated && !r.classDeprecated) option = r;
            }
            if (option == null) continue;
            String text;
            try {
                java.util.Optional<?> value = (java.util.Optional<?>) get.invoke(conf, option.option);
                text = value.isPresent() ? Json.quote(formatValue(value.get())) : "null";
            } catch (java.lang.reflect.InvocationTargetException e) {
                // A value Flink cannot convert: its reason, without the key (which differs between old and new keys).
                Throwable c = e.getCause();
                while (c.getCause() != null) c = c.getCause();
                text = Json.quote("invalid: " + c);
            }
            if (!first) sb.append(',');
            first = false;
            sb.append(Json.quote(key)).append(':').append(text);
        }
        return sb.append("}}").toString();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // lookup

    /**
     * For each key: "current" when a non-deprecated option of this line has it as its key, "deprecated" with the
     * option's key when it is only a deprecated key of an option, "fallback" when only a non-deprecated fallback key,
     * "deprecated-option" when only @Deprecated fields define it, "unknown" otherwise. The option is also checked with
     * {@code Configuration.contains}: setting the key must make Flink see the option as set.
     */
    static void lookup(Path keysFile, PrintStream out) throws Exception {
        List<OptionRecord> records = discover();
        Class<?> confClass = Class.forName("org.apache.flink.configuration.Configuration");
        Class<?> optionClass = Class.forName("org.apache.flink.configuration.ConfigOption");
        Method setString = confClass.getMethod("setString", String.class, String.class);
        Method contains = confClass.getMethod("contains", optionClass);
        for (String key : Files.readAllLines(keysFile, StandardCharsets.UTF_8)) {
            if (key.isBlank()) continue;
            String verdict = "unknown";
            String target = null;
            boolean current = false;
            boolean deprecatedOnly = false;
            OptionRecord via = null;
            for (OptionRecord r : records) {
                if (r.key.equals(key)) {
                    if (!r.fieldDeprecated && !r.classDeprecated) current = true;
                    else deprecatedOnly = true;
                    via = via == null ? r : via;
                }
            }
            if (current) {
                verdict = "current";
            } else {
                // Rank the options that list the key as a fallback: a live option beats a @Deprecated one, and a
                // deprecated key beats a plain fallback key.
                int best = -1;
                for (OptionRecord r : records) {
                    for (String[] fb : r.fallbackKeys) {
                        if (!fb[0].equals(key)) continue;
                        boolean dep = Boolean.parseBoolean(fb[1]);
                        boolean live = !r.fieldDeprecated && !r.classDeprecated;
                        int rank = (live ? 2 : 0) + (dep ? 1 : 0);
                        if (rank > best) {
                            best = rank;
                            verdict = dep ? "deprecated" : "fallback";
                            target = r.key;
                            via = r;
                        }
                    }
                }
                if (target == null && deprecatedOnly) verdict = "deprecated-option";
            }
            // Constants-only keys have no ConfigOption to ask; they count as seen.
            boolean seen = via != null && via.option == null;
            if (via != null && via.option != null) {
                Object conf = confClass.getConstructor().newInstance();
                setString.invoke(conf, key, "x");
                seen = (Boolean) contains.invoke(conf, via.option);
            }
            // Every live option that reads the key (a deprecated key may feed several), each checked with contains.
            List<String> readers = new ArrayList<>();
            if (!current) {
                for (OptionRecord r : records) {
                    if (r.fieldDeprecated || r.classDeprecated || r.option == null || readers.contains(r.key)) continue;
                    for (String[] fb : r.fallbackKeys) {
                        if (!fb[0].equals(key)) continue;
                        Object conf = confClass.getConstructor().newInstance();
                        setString.invoke(conf, key, "x");
                        if ((Boolean) contains.invoke(conf, r.option)) readers.add(r.key);
                    }
                }
            }
            readers.sort(null);
            StringBuilder sb = new StringBuilder("{");
            Json.field(sb, "key", key).append(',');
            Json.field(sb, "verdict", verdict).append(',');
            Json.field(sb, "option", target).append(',');
            sb.append("\"containsSeesIt\":").append(seen).append(',');
            sb.append("\"readers\":").append(Json.list(readers));
            out.println(sb.append('}'));
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    static final class Json {
        static StringBuilder field(StringBuilder sb, String name, String value) {
            return sb.append(quote(name)).append(':').append(value == null ? "null" : quote(value));
        }

        static String list(Collection<String> values) {
            if (values == null) return "null";
            StringBuilder sb = new StringBuilder("[");
            boolean first = true;
            for (String v : values) {
                if (!first) sb.append(',');
                first = false;
                sb.append(quote(v));
            }
            return sb.append(']').toString();
        }

        static String quote(String s) {
            StringBuilder sb = new StringBuilder("\"");
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"': sb.append("\\\""); break;
                    case '\\': sb.append("\\\\"); break;
                    case '\n': sb.append("\\n"); break;
                    case '\r': sb.append("\\r"); break;
                    case '\t': sb.append("\\t"); break;
                    default:
                        if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                        else sb.append(c);
                }
            }
            return sb.append('"').toString();
        }
    }
}
