package sstoracle;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ChecksumType;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.EnvOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.IndexType;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.SstFileReader;
import org.rocksdb.SstFileReaderIterator;
import org.rocksdb.SstFileWriter;
import org.rocksdb.TableProperties;

/**
 * Writes SST files with RocksDB's own JNI build and records what RocksDB reads back, for the TypeScript reader's
 * property tests (`cases`), and writes and scans large files for the benchmark (`bench-write`, `scan`).
 *
 * <pre>
 * cases OUT SEED COUNT ENTRIES   one directory per case: *.sst, case.json (options and each file's table properties),
 *                                raw.jsonl (SstFileWriter cases: every entry as written), live.jsonl (what RocksDB's
 *                                iterator yields: SstFileReader for one file, the DB iterator for flushed DB cases)
 * chains OUT SEED COUNT ENTRIES  flushed DB cases whose files split one sorted key set into consecutive ranges (kind
 *                                chain-disjoint; versions kept under snapshots inside a file), and the same with a
 *                                later file reaching into an earlier range: a deletion (chain-delete), a put
 *                                (chain-put), a range tombstone (chain-range), a file across every range (chain-runs)
 * bench-write OUT BYTES COMPRESSION   SST files of about 64 MiB each in Flink's key layout, BYTES in total
 * scan FILE...                   iterates every file with SstFileReader, prints one JSON line of counts and time
 * </pre>
 */
public final class SstOracle {
  /** Flink configures this merge operator on every column family (list state appends with ','). */
  static final String MERGE_OPERATOR = "stringappendtest";

  public static void main(String[] args) throws Exception {
    RocksDB.loadLibrary();
    switch (args[0]) {
      case "cases" -> cases(Path.of(args[1]), Long.parseLong(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
      case "chains" -> chains(Path.of(args[1]), Long.parseLong(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
      case "bench-write" -> benchWrite(Path.of(args[1]), Long.parseLong(args[2]), args[3]);
      case "scan" -> scan(Arrays.copyOfRange(args, 1, args.length));
      default -> throw new IllegalArgumentException("unknown command " + args[0]);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Property-test cases

  static List<CompressionType> compressions() {
    List<CompressionType> out = new ArrayList<>();
    for (String name : new String[] {"NO_COMPRESSION", "SNAPPY_COMPRESSION", "LZ4_COMPRESSION", "LZ4HC_COMPRESSION",
        "ZSTD_COMPRESSION", "ZLIB_COMPRESSION"}) {
      try {
        out.add(CompressionType.valueOf(name));
      } catch (IllegalArgumentException absent) {
        // not in this JNI build's enum
      }
    }
    return out;
  }

  static List<ChecksumType> checksums() {
    List<ChecksumType> out = new ArrayList<>(Arrays.asList(ChecksumType.values()));
    return out;
  }

  static void cases(Path out, long seed, int count, int entries) throws Exception {
    Files.createDirectories(out);
    List<CompressionType> compressions = compressions();
    List<ChecksumType> checksums = checksums();
    int[] blockSizes = {128, 512, 4096, 16384};
    int[] restarts = {1, 2, 16};
    int[] formatVersions = {0, 1, 2, 3, 4, 5, 6, 7};
    for (int i = 0; i < count; i++) {
      Random r = new Random(mix(seed, i));
      Case c = new Case();
      c.dir = out.resolve(String.format(Locale.ROOT, "case-%03d", i));
      Files.createDirectories(c.dir);
      c.compression = compressions.get(i % compressions.size());
      // Every checksum type and format version comes round in turn; the rest is drawn.
      c.checksum = checksums.get((i + i / compressions.size()) % checksums.size());
      c.blockSize = blockSizes[r.nextInt(blockSizes.length)];
      c.restartInterval = restarts[r.nextInt(restarts.length)];
      c.formatVersion = formatVersions[(i + i / compressions.size()) % formatVersions.length];
      c.partitionedIndex = r.nextInt(3) == 0;
      c.db = (i / compressions.size()) % 2 == 1;
      c.entries = entries;
      c.random = r;
      // Newer format versions may be unknown to an older JNI build and the legacy ones (0, 1) refused by a newer one:
      // move towards 2 until RocksDB accepts one.
      while (true) {
        try {
          if (c.db) {
            writeDbCase(c);
          } else {
            writeWriterCase(c);
          }
          break;
        } catch (RocksDBException e) {
          if (c.formatVersion == 2) {
            throw e;
          }
          c.formatVersion = c.formatVersion < 2 ? 2 : c.formatVersion - 1;
          try (Stream<Path> files = Files.list(c.dir)) {
            for (Path p : files.toList()) {
              deleteTree(p);
            }
          }
          c.random = new Random(mix(seed, i));
        }
      }
    }
  }

  /**
   * One well-mixed seed per case (SplitMix64's finalizer): java.util.Random's first draws from neighbouring seeds
   * agree, which left every case of a run with the same options.
   */
  static long mix(long seed, int i) {
    long z = seed * 0x9E3779B97F4A7C15L + i;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  static final class Case {
    Path dir;
    CompressionType compression;
    ChecksumType checksum;
    int blockSize;
    int restartInterval;
    int formatVersion;
    boolean partitionedIndex;
    boolean db;
    /** What case.json calls the case when it is neither a writer nor a db case. */
    String kind;
    int entries;
    Random random;
  }

  static BlockBasedTableConfig tableConfig(Case c) {
    BlockBasedTableConfig t = new BlockBasedTableConfig();
    t.setBlockSize(c.blockSize);
    t.setBlockRestartInterval(c.restartInterval);
    t.setFormatVersion(c.formatVersion);
    t.setChecksumType(c.checksum);
    if (c.partitionedIndex) {
      t.setIndexType(IndexType.kTwoLevelIndexSearch);
      t.setMetadataBlockSize(256);
    }
    return t;
  }

  /** Keys share prefixes (a few heads, like Flink's key-group and key prefixes) so prefix compression matters. */
  static byte[] randomKey(Random r) {
    byte[] head = {(byte) r.nextInt(3), (byte) (r.nextInt(4) * 60)};
    byte[] tail = new byte[r.nextInt(12)];
    for (int i = 0; i < tail.length; i++) {
      tail[i] = (byte) (r.nextInt(3) == 0 ? r.nextInt(256) : 'a' + r.nextInt(4));
    }
    byte[] k = new byte[head.length + tail.length];
    System.arraycopy(head, 0, k, 0, head.length);
    System.arraycopy(tail, 0, k, head.length, tail.length);
    return k;
  }

  /** Values repeat runs so the compressors have something to do; a few are empty or large. */
  static byte[] randomValue(Random r) {
    int n = switch (r.nextInt(10)) {
      case 0 -> 0;
      case 1 -> 1000 + r.nextInt(3000);
      default -> r.nextInt(120);
    };
    byte[] v = new byte[n];
    int i = 0;
    while (i < n) {
      byte b = (byte) r.nextInt(256);
      int run = 1 + r.nextInt(8);
      for (int j = 0; j < run && i < n; j++) {
        v[i++] = b;
      }
    }
    return v;
  }

  static final Comparator<byte[]> BYTEWISE = Arrays::compareUnsigned;

  static void writeWriterCase(Case c) throws Exception {
    Random r = c.random;
    TreeMap<byte[], Integer> keys = new TreeMap<>(BYTEWISE);
    while (keys.size() < c.entries) {
      keys.put(randomKey(r), 0);
    }
    Path sst = c.dir.resolve("000001.sst");
    StringBuilder raw = new StringBuilder();
    List<byte[][]> ranges = new ArrayList<>();
    try (Options options = new Options().setCompressionType(c.compression).setMergeOperatorName(MERGE_OPERATOR)) {
      options.setTableFormatConfig(tableConfig(c));
      try (EnvOptions env = new EnvOptions(); SstFileWriter w = new SstFileWriter(env, options)) {
        w.open(sst.toString());
        for (byte[] k : keys.keySet()) {
          int op = r.nextInt(20);
          if (op < 2) {
            w.delete(k);
            raw.append(entry(k, 0, "delete", new byte[0]));
          } else if (op < 5) {
            byte[] v = randomValue(r);
            w.merge(k, v);
            raw.append(entry(k, 0, "merge", v));
          } else {
            byte[] v = randomValue(r);
            w.put(k, v);
            raw.append(entry(k, 0, "put", v));
          }
        }
        // SstFileWriter's JNI binding has no deleteRange: range tombstones come from the DB cases.
        w.finish();
      }
    }
    Files.writeString(c.dir.resolve("raw.jsonl"), raw.toString(), StandardCharsets.UTF_8);
    StringBuilder live = new StringBuilder();
    try (Options options = new Options().setMergeOperatorName(MERGE_OPERATOR);
        SstFileReader reader = new SstFileReader(options)) {
      reader.open(sst.toString());
      reader.verifyChecksum();
      try (ReadOptions ro = new ReadOptions(); SstFileReaderIterator it = reader.newIterator(ro)) {
        for (it.seekToFirst(); it.isValid(); it.next()) {
          live.append(entry(it.key(), -1, "put", it.value()));
        }
        it.status();
      }
    }
    Files.writeString(c.dir.resolve("live.jsonl"), live.toString(), StandardCharsets.UTF_8);
    writeCaseJson(c, ranges);
  }

  static void writeDbCase(Case c) throws Exception {
    Random r = c.random;
    Path dbDir = c.dir.resolve("db");
    List<byte[]> pool = new ArrayList<>();
    for (int i = 0; i < Math.max(8, c.entries / 2); i++) {
      pool.add(randomKey(r));
    }
    // Per key, whether its history since the last single delete is exactly one put (single delete is only defined then).
    Map<String, Integer> putsSinceSingleDelete = new HashMap<>();
    String cfName = "state-" + c.dir.getFileName();
    StringBuilder live = new StringBuilder();
    List<byte[][]> ranges = new ArrayList<>();
    try (ColumnFamilyOptions cfOptions = new ColumnFamilyOptions()) {
      cfOptions.setCompressionType(c.compression).setMergeOperatorName(MERGE_OPERATOR).setDisableAutoCompactions(true);
      cfOptions.setTableFormatConfig(tableConfig(c));
      List<ColumnFamilyDescriptor> descriptors = List.of(
          new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
          new ColumnFamilyDescriptor(cfName.getBytes(StandardCharsets.UTF_8), cfOptions));
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      try (DBOptions dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
          RocksDB db = RocksDB.open(dbOptions, dbDir.toString(), descriptors, handles);
          FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
        ColumnFamilyHandle cf = handles.get(1);
        int rounds = 2 + r.nextInt(3);
        for (int round = 0; round < rounds; round++) {
          for (int i = 0; i < c.entries / rounds; i++) {
            byte[] k = pool.get(r.nextInt(pool.size()));
            String id = hex(k);
            int op = r.nextInt(20);
            if (op < 2) {
              db.delete(cf, k);
              putsSinceSingleDelete.put(id, -1);
            } else if (op < 4) {
              if (putsSinceSingleDelete.getOrDefault(id, -1) == 1) {
                db.singleDelete(cf, k);
                putsSinceSingleDelete.put(id, 0);
              }
            } else if (op < 7) {
              db.merge(cf, k, randomValue(r));
              putsSinceSingleDelete.put(id, -1);
            } else if (op == 7 && r.nextInt(4) == 0) {
              byte[] a = randomKey(r);
              byte[] b = randomKey(r);
              if (BYTEWISE.compare(a, b) != 0) {
                byte[] lo = BYTEWISE.compare(a, b) < 0 ? a : b;
                byte[] hi = lo == a ? b : a;
                db.deleteRange(cf, lo, hi);
                ranges.add(new byte[][] {lo, hi});
                // Keys in the range lose their history: a later single delete is no longer defined on them.
                for (byte[] p : pool) {
                  if (BYTEWISE.compare(p, lo) >= 0 && BYTEWISE.compare(p, hi) < 0) {
                    putsSinceSingleDelete.put(hex(p), -1);
                  }
                }
              }
            } else {
              int seen = putsSinceSingleDelete.getOrDefault(id, 0);
              db.put(cf, k, randomValue(r));
              putsSinceSingleDelete.put(id, seen == 0 ? 1 : -1);
            }
          }
          db.flush(flush, cf);
        }
        appendLive(db, cf, live);
        for (ColumnFamilyHandle h : handles) {
          h.close();
        }
      }
    }
    finishCase(c, dbDir, live, ranges);
  }

  /** What RocksDB's own iterator sees live in the column family: the entries a reader of the SST files must give. */
  static void appendLive(RocksDB db, ColumnFamilyHandle cf, StringBuilder live) throws Exception {
    try (ReadOptions ro = new ReadOptions(); RocksIterator it = db.newIterator(cf, ro)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        live.append(entry(it.key(), -1, "put", it.value()));
      }
      it.status();
    }
  }

  /** Writes the live entries, keeps only the column family's SST files (the default one is empty and not flushed). */
  static void finishCase(Case c, Path dbDir, StringBuilder live, List<byte[][]> ranges) throws Exception {
    Files.writeString(c.dir.resolve("live.jsonl"), live.toString(), StandardCharsets.UTF_8);
    try (Stream<Path> files = Files.list(dbDir)) {
      for (Path p : files.filter(p -> p.toString().endsWith(".sst")).toList()) {
        Files.move(p, c.dir.resolve(p.getFileName()));
      }
    }
    deleteTree(dbDir);
    writeCaseJson(c, ranges);
  }

  static final String[] CHAIN_KINDS = {"chain-disjoint", "chain-delete", "chain-put", "chain-range", "chain-runs"};

  static void chains(Path out, long seed, int count, int entries) throws Exception {
    Files.createDirectories(out);
    List<CompressionType> compressions = compressions();
    int[] blockSizes = {128, 512, 4096};
    for (int i = 0; i < count; i++) {
      Random r = new Random(mix(seed, i));
      Case c = new Case();
      c.dir = out.resolve(String.format(Locale.ROOT, "case-%03d", i));
      Files.createDirectories(c.dir);
      c.compression = compressions.get(i % compressions.size());
      c.checksum = ChecksumType.kCRC32c;
      c.blockSize = blockSizes[r.nextInt(blockSizes.length)];
      c.restartInterval = 1 + r.nextInt(16);
      // 2..5: every JNI build the tests use writes them.
      c.formatVersion = 2 + i % 4;
      c.partitionedIndex = r.nextInt(3) == 0;
      c.db = true;
      c.kind = CHAIN_KINDS[i % CHAIN_KINDS.length];
      c.entries = entries;
      c.random = r;
      writeChainCase(c);
    }
  }

  static void writeChainCase(Case c) throws Exception {
    Random r = c.random;
    TreeMap<byte[], Integer> sorted = new TreeMap<>(BYTEWISE);
    while (sorted.size() < c.entries) {
      sorted.put(randomKey(r), 0);
    }
    List<byte[]> keys = new ArrayList<>(sorted.keySet());
    int files = 2 + r.nextInt(4);
    Path dbDir = c.dir.resolve("db");
    String cfName = "state-" + c.dir.getFileName();
    StringBuilder live = new StringBuilder();
    List<byte[][]> ranges = new ArrayList<>();
    try (ColumnFamilyOptions cfOptions = new ColumnFamilyOptions()) {
      cfOptions.setCompressionType(c.compression).setMergeOperatorName(MERGE_OPERATOR).setDisableAutoCompactions(true);
      cfOptions.setTableFormatConfig(tableConfig(c));
      List<ColumnFamilyDescriptor> descriptors = List.of(
          new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
          new ColumnFamilyDescriptor(cfName.getBytes(StandardCharsets.UTF_8), cfOptions));
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      try (DBOptions dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
          RocksDB db = RocksDB.open(dbOptions, dbDir.toString(), descriptors, handles);
          FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
        ColumnFamilyHandle cf = handles.get(1);
        for (int f = 0; f < files; f++) {
          List<Snapshot> snapshots = new ArrayList<>();
          int from = f * keys.size() / files;
          int to = (f + 1) * keys.size() / files;
          for (int i = from; i < to; i++) {
            byte[] k = keys.get(i);
            int op = r.nextInt(12);
            if (op == 0) {
              db.delete(cf, k);
            } else if (op < 3) {
              db.merge(cf, k, randomValue(r));
              if (op == 2) {
                db.merge(cf, k, randomValue(r));
              }
            } else if (op == 3) {
              // Two versions of the key in the flushed file: a snapshot still sees the older one.
              db.put(cf, k, randomValue(r));
              snapshots.add(db.getSnapshot());
              if (r.nextBoolean()) {
                db.put(cf, k, randomValue(r));
              } else {
                db.delete(cf, k);
              }
            } else {
              db.put(cf, k, randomValue(r));
            }
          }
          if (f > 0 && !c.kind.equals("chain-disjoint")) {
            byte[] earlier = keys.get(r.nextInt(from));
            switch (c.kind) {
              case "chain-delete" -> db.delete(cf, earlier);
              case "chain-put" -> db.put(cf, earlier, randomValue(r));
              case "chain-range" -> {
                byte[] hi = keys.get(Math.min(from - 1, keys.indexOf(earlier) + 1 + r.nextInt(8)));
                if (BYTEWISE.compare(earlier, hi) < 0) {
                  db.deleteRange(cf, earlier, hi);
                  ranges.add(new byte[][] {earlier, hi});
                }
              }
              default -> {
                // chain-runs: the last file writes every few keys of the whole set, so it overlaps every other one.
                if (f == files - 1) {
                  for (int i = 0; i < from; i += 1 + r.nextInt(12)) {
                    db.put(cf, keys.get(i), randomValue(r));
                  }
                }
              }
            }
          }
          db.flush(flush, cf);
          for (Snapshot s : snapshots) {
            db.releaseSnapshot(s);
          }
        }
        appendLive(db, cf, live);
        for (ColumnFamilyHandle h : handles) {
          h.close();
        }
      }
    }
    finishCase(c, dbDir, live, ranges);
  }

  static void writeCaseJson(Case c, List<byte[][]> ranges) throws Exception {
    StringBuilder j = new StringBuilder("{");
    j.append("\"mode\":\"").append(c.kind != null ? c.kind : c.db ? "db" : "writer").append('"');
    j.append(",\"compression\":\"").append(c.compression.name()).append('"');
    j.append(",\"checksum\":\"").append(c.checksum.name()).append('"');
    j.append(",\"blockSize\":").append(c.blockSize);
    j.append(",\"restartInterval\":").append(c.restartInterval);
    j.append(",\"formatVersion\":").append(c.formatVersion);
    j.append(",\"partitionedIndex\":").append(c.partitionedIndex);
    j.append(",\"rangeDeletions\":[");
    for (int i = 0; i < ranges.size(); i++) {
      j.append(i == 0 ? "" : ",").append("[\"").append(hex(ranges.get(i)[0])).append("\",\"")
          .append(hex(ranges.get(i)[1])).append("\"]");
    }
    j.append("],\"files\":{");
    List<Path> ssts;
    try (Stream<Path> files = Files.list(c.dir)) {
      ssts = files.filter(p -> p.toString().endsWith(".sst")).sorted().toList();
    }
    boolean first = true;
    for (Path sst : ssts) {
      try (Options options = new Options().setMergeOperatorName(MERGE_OPERATOR);
          SstFileReader reader = new SstFileReader(options)) {
        reader.open(sst.toString());
        TableProperties p = reader.getTableProperties();
        j.append(first ? "" : ",").append('"').append(sst.getFileName()).append("\":{");
        first = false;
        j.append("\"numEntries\":").append(p.getNumEntries());
        j.append(",\"numDeletions\":").append(p.getNumDeletions());
        j.append(",\"numMergeOperands\":").append(p.getNumMergeOperands());
        j.append(",\"numRangeDeletions\":").append(p.getNumRangeDeletions());
        j.append(",\"numDataBlocks\":").append(p.getNumDataBlocks());
        j.append(",\"formatVersion\":").append(p.getFormatVersion());
        j.append(",\"indexPartitions\":").append(p.getIndexPartitions());
        j.append(",\"columnFamilyId\":").append(p.getColumnFamilyId());
        j.append(",\"columnFamilyName\":\"").append(jsonText(new String(p.getColumnFamilyName(), StandardCharsets.UTF_8))).append('"');
        j.append(",\"comparatorName\":\"").append(jsonText(p.getComparatorName())).append('"');
        j.append(",\"mergeOperatorName\":\"").append(jsonText(p.getMergeOperatorName())).append('"');
        j.append(",\"compressionName\":\"").append(jsonText(p.getCompressionName())).append('"');
        j.append('}');
      }
    }
    j.append("}}\n");
    Files.writeString(c.dir.resolve("case.json"), j.toString(), StandardCharsets.UTF_8);
  }

  static String entry(byte[] key, long seq, String type, byte[] value) {
    return "{\"key\":\"" + hex(key) + "\",\"seq\":" + seq + ",\"type\":\"" + type + "\",\"value\":\"" + hex(value)
        + "\"}\n";
  }

  static final char[] HEX = "0123456789abcdef".toCharArray();

  static String hex(byte[] b) {
    char[] out = new char[b.length * 2];
    for (int i = 0; i < b.length; i++) {
      out[2 * i] = HEX[(b[i] >> 4) & 15];
      out[2 * i + 1] = HEX[b[i] & 15];
    }
    return new String(out);
  }

  static String jsonText(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    for (char ch : s.toCharArray()) {
      if (ch == '"' || ch == '\\') {
        b.append('\\').append(ch);
      } else if (ch < 0x20) {
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
      } else {
        b.append(ch);
      }
    }
    return b.toString();
  }

  static void deleteTree(Path p) throws IOException {
    if (Files.isDirectory(p)) {
      try (Stream<Path> files = Files.list(p)) {
        for (Path q : files.toList()) {
          deleteTree(q);
        }
      }
    }
    Files.deleteIfExists(p);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Benchmark

  /**
   * Flink's RocksDB key layout: key group (2 bytes), serialized key, namespace; values of a few dozen to a few hundred
   * bytes. Deterministic (seed 1), so a cached file set is reused while its size matches.
   */
  static void benchWrite(Path out, long totalBytes, String compression) throws Exception {
    Files.createDirectories(out);
    Random r = new Random(1);
    long written = 0;
    int file = 0;
    long key = 0;
    try (Options options = new Options().setCompressionType(CompressionType.valueOf(compression));
        EnvOptions env = new EnvOptions()) {
      BlockBasedTableConfig t = new BlockBasedTableConfig();
      options.setTableFormatConfig(t);
      while (written < totalBytes) {
        Path sst = out.resolve(String.format(Locale.ROOT, "%06d.sst", ++file));
        try (SstFileWriter w = new SstFileWriter(env, options)) {
          w.open(sst.toString());
          long inFile = 0;
          while (inFile < 64L << 20 && written + inFile < totalBytes) {
            byte[] k = new byte[2 + 8 + 1];
            int keyGroup = (int) (key * 128 / 100_000_000L);
            k[0] = (byte) (keyGroup >> 8);
            k[1] = (byte) keyGroup;
            for (int i = 0; i < 8; i++) {
              k[2 + i] = (byte) (key >> (56 - 8 * i));
            }
            k[10] = 0;
            key++;
            byte[] v = new byte[40 + r.nextInt(160)];
            for (int i = 0; i < v.length; i++) {
              v[i] = (byte) (i < 16 ? r.nextInt(256) : 'a' + (i % 7));
            }
            w.put(k, v);
            inFile += k.length + v.length;
          }
          w.finish();
          written += Files.size(sst);
        }
      }
    }
    System.out.println("{\"files\":" + file + ",\"bytes\":" + written + ",\"entries\":" + key + "}");
  }

  /** The process's peak resident set (VmHWM), heap and native memory alike. */
  static long peakRssKiB() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  static void scan(String[] files) throws Exception {
    long start = System.nanoTime();
    long entries = 0;
    long bytes = 0;
    long fileBytes = 0;
    try (Options options = new Options(); ReadOptions ro = new ReadOptions()) {
      ro.setVerifyChecksums(true);
      for (String f : files) {
        fileBytes += Files.size(Path.of(f));
        try (SstFileReader reader = new SstFileReader(options)) {
          reader.open(f);
          try (SstFileReaderIterator it = reader.newIterator(ro)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
              entries++;
              bytes += it.key().length + it.value().length;
            }
            it.status();
          }
        }
      }
    }
    long ms = (System.nanoTime() - start) / 1_000_000;
    System.out.println("{\"entries\":" + entries + ",\"bytes\":" + bytes + ",\"fileBytes\":" + fileBytes + ",\"ms\":" + ms
        + ",\"peakRssKiB\":" + peakRssKiB() + "}");
  }
}
