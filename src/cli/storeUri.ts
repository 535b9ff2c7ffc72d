/** Whether a CLI argument is a store URI (`file://`, `ftp://`, `hdfs://`, `s3://`, ...) rather than a plain path. */
export function isStoreUri(text: string): boolean {
  return /^(file|ftps?|hdfs|webhdfs|swebhdfs|s3[ap]?):\/\//i.test(text.trim());
}
