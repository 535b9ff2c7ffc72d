/** Whether a CLI argument is a store URI (`file://`, `ftp://`, `hdfs://`, ...) rather than a plain path. */
export function isStoreUri(text: string): boolean {
  return /^(file|ftps?|hdfs|webhdfs|swebhdfs):\/\//i.test(text.trim());
}
