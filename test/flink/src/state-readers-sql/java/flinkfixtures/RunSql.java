package flinkfixtures;

import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ResultKind;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a SQL script, as {@code flink-checkpoints state --generate sql} writes it, in a Table environment (batch mode:
 * the savepoint connector is bounded) and prints every row of every query as one JSON document
 * {@code {"rows": [{"statement": n, "row": {column: value}}]}} (ROW and ARRAY values as lists, MAP values as
 * key/value entries, as {@code flink-checkpoints state --json} writes them).
 *
 * <p>Usage: {@code RunSql <script.sql>}.
 */
public final class RunSql {
    public static void main(String[] args) throws Exception {
        String script = Files.readString(Path.of(args[0]), StandardCharsets.UTF_8);
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        List<Object> out = new ArrayList<>();
        int n = 0;
        for (String statement : script.split(";\\s*(?:\\n|$)")) {
            String sql = statement.replaceAll("(?m)^--.*$", "").trim();
            if (sql.isEmpty()) {
                continue;
            }
            n++;
            TableResult result = env.executeSql(sql);
            if (result.getResultKind() != ResultKind.SUCCESS_WITH_CONTENT || !sql.toUpperCase().startsWith("SELECT")) {
                continue;
            }
            List<String> columns = result.getResolvedSchema().getColumnNames();
            try (CloseableIterator<Row> rows = result.collect()) {
                while (rows.hasNext()) {
                    Row row = rows.next();
                    Map<String, Object> fields = new LinkedHashMap<>();
                    for (int i = 0; i < columns.size(); i++) {
                        fields.put(columns.get(i), plain(row.getField(i)));
                    }
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("statement", n);
                    line.put("row", fields);
                    out.add(line);
                }
            }
        }
        System.out.print(Json.write(Map.of("rows", out)));
        System.exit(0);
    }

    static Object plain(Object value) {
        if (value instanceof Row) {
            Row row = (Row) value;
            List<Object> fields = new ArrayList<>();
            for (int i = 0; i < row.getArity(); i++) {
                fields.add(plain(row.getField(i)));
            }
            return fields;
        }
        if (value instanceof Object[]) {
            List<Object> items = new ArrayList<>();
            for (Object item : (Object[]) value) {
                items.add(plain(item));
            }
            return items;
        }
        if (value instanceof Map) {
            List<Object> entries = new ArrayList<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("key", plain(e.getKey()));
                entry.put("value", plain(e.getValue()));
                entries.add(entry);
            }
            return entries;
        }
        return value;
    }
}
