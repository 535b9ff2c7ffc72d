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

    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf)
        .numDataNodes(1)
        .nameNodePort(0)
        .nameNodeHttpPort(0)
        .format(true)
        .build();
    cluster.waitActive();
    if (args.length == 3) {
      FileSystem fs = cluster.getFileSystem();
      fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(args[2]), new org.apache.hadoop.fs.Path("/flink"));
      org.apache.hadoop.fs.Path locked = new org.apache.hadoop.fs.Path("/flink/locked");
      fs.mkdirs(locked);
      fs.setPermission(locked, new FsPermission((short) 0700));
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
