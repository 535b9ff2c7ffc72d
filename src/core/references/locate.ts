import type { StoreUri } from '../stores/uri';

/**
 * The store path of a file Flink names in `_metadata` (`file:/x`, `/x`, `hdfs://nn:8020/x`, `ftp://host/x`), when that
 * file lies inside the store rooted at `root`; undefined when it lies elsewhere. The port of an `hdfs://` URI is the
 * NameNode's RPC port while a store reaches HDFS over WebHDFS, so ports are not compared for HDFS; `s3://`, `s3a://`
 * and `s3p://` name the same bucket.
 */
export function storePathOf(root: StoreUri, flinkPath: string): string | undefined {
  const parsed = /^([a-zA-Z][a-zA-Z0-9+.-]*):(\/\/([^/]*))?(\/.*)?$/.exec(flinkPath);
  let scheme = 'file';
  let host = '';
  let path = flinkPath;
  if (parsed) {
    scheme = parsed[1].toLowerCase();
    host = (parsed[3] ?? '')
      .replace(/^[^@]*@/, '')
      .replace(/:\d+$/, '')
      .toLowerCase();
    path = parsed[4] ?? '/';
  }
  if (!path.startsWith('/')) return undefined;
  if (root.scheme === 'file') {
    if (scheme !== 'file' || host !== '') return undefined;
  } else {
    const hdfsLike = (s: string) => s === 'hdfs' || s === 'webhdfs' || s === 'swebhdfs';
    // s3://, s3a:// and s3p:// name the same objects; only the Flink file system reading them differs.
    const s3Like = (s: string) => s === 's3' || s === 's3a' || s === 's3p';
    const sameKind =
      root.scheme === scheme ||
      (hdfsLike(root.scheme) && hdfsLike(scheme)) ||
      (s3Like(root.scheme) && s3Like(scheme)) ||
      (root.scheme === 'ftps' && scheme === 'ftp');
    if (!sameKind || host !== root.host.toLowerCase()) return undefined;
  }
  const base = root.path.replace(/\/+$/, '');
  if (path === base || base === '') return base === '' ? path : '/';
  return path.startsWith(`${base}/`) ? path.slice(base.length) : undefined;
}
