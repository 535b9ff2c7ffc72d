package flinkcheckpoints.servers;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * Starts a single-datanode MiniDFSCluster bound to 127.0.0.1 on free ports, with WebHDFS enabled, and writes
 * {"rpcPort":..,"httpPort":..} to the file given as the second argument once it is serving. Runs until killed.
 * A seed directory, when given, is copied to /flink, and /flink/locked (mode 700) is created so that other users
 * get "permission denied" there.
 * Usage: MiniHdfs <base dir> <ports file> [<seed dir>]
 */
public final class MiniHdfs {
  /**
   * Creates big directories for listing tests: "-Dpopulate=/bench/d10k:10000,/bench/d100k:100000" makes that many
   * empty subdirectories (one RPC each, in parallel) under each path.
   */
  private static void populate(FileSystem fs, String spec) throws Exception {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      for (String item : spec.split(",")) {
        int colon = item.lastIndexOf(':');
        String dir = item.substring(0, colon);
        int count = Integer.parseInt(item.substring(colon + 1));
        java.util.List<java.util.concurrent.Future<?>> futures = new java.util.ArrayList<>();
        int slice = (count + 7) / 8;
        for (int t = 0; t < 8; t++) {
          int from = t * slice;
          int to = Math.min(count, from + slice);
          futures.add(pool.submit(() -> {
            for (int i = from; i < to; i++) {
              fs.mkdirs(new org.apache.hadoop.fs.Path(dir, String.format("entry-%06d", i)));
            }
            return null;
          }));
        }
        for (java.util.concurrent.Future<?> f : futures) f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: MiniHdfs <base dir> <ports file> [<seed dir>]");
      System.exit(2);
    }
    File base = new File(args[0]);
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.getAbsolutePath());
    conf.setBoolean("dfs.webhdfs.enabled", true);
    conf.set("dfs.namenode.http-bind-host", "127.0.0.1");
    conf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
    conf.set("dfs.namenode.http-address", "127.0.0.1:0");
    conf.set("dfs.datanode.hostname", "127.0.0.1");
    conf.set("dfs.datanode.address", "127.0.0.1:0");
    conf.set("dfs.datanode.http.address", "127.0.0.1:0");
    conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
    conf.setBoolean("dfs.permissions.enabled", true);
    // Small replication and a low batch size so LISTSTATUS_BATCH paging is exercised without huge directories.
    conf.setInt("dfs.replication", 1);
    conf.setInt("dfs.ls.limit", Integer.getInteger("listLimit", 1000));
    conf.set("hadoop.proxyuser." + System.getProperty("user.name") + ".hosts", "*");
    conf.set("hadoop.proxyuser." + System.getProperty("user.name") + ".groups", "*");

    // -DrpcPort/-DhttpPort with -Dformat=false restart a stopped cluster in place (same base dir, same ports).
    boolean format = Boolean.parseBoolean(System.getProperty("format", "true"));
    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf)
        .numDataNodes(1)
        .nameNodePort(Integer.getInteger("rpcPort", 0))
        .nameNodeHttpPort(Integer.getInteger("httpPort", 0))
        .format(format)
        .manageNameDfsDirs(true)
        .build();
    cluster.waitActive();
    if (args.length == 3 && format) {
      FileSystem fs = cluster.getFileSystem();
      fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(args[2]), new org.apache.hadoop.fs.Path("/flink"));
      org.apache.hadoop.fs.Path locked = new org.apache.hadoop.fs.Path("/flink/locked");
      fs.mkdirs(locked);
      fs.setPermission(locked, new FsPermission((short) 0700));
    }
    String populate = System.getProperty("populate", "");
    if (!populate.isEmpty()) {
      populate(cluster.getFileSystem(), populate);
    }
    int rpcPort = cluster.getNameNodePort();
    int httpPort = cluster.getNameNode().getHttpAddress().getPort();
    String json = "{\"rpcPort\":" + rpcPort + ",\"httpPort\":" + httpPort
        + ",\"superUser\":\"" + System.getProperty("user.name") + "\"}\n";
    Path target = Path.of(args[1]);
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.writeString(tmp, json, StandardCharsets.UTF_8);
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::shutdown));
    Thread.currentThread().join();
  }
}
