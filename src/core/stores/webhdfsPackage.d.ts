// The parts of the `webhdfs` npm package (no published types) the HDFS adapter uses.
declare module 'webhdfs' {
  interface WebHdfsRequest {
    abort(): void;
  }
  type Callback = (error: (Error & { code?: string }) | null) => void;
  interface WebHdfsClient {
    mkdir(path: string, mode: string, callback: Callback): WebHdfsRequest;
    rename(path: string, destination: string, callback: Callback): WebHdfsRequest;
    unlink(path: string, recursive: boolean, callback: Callback): WebHdfsRequest;
  }
  export function createClient(
    options: { host: string; port: number | string; path: string; protocol?: string; user?: string },
    requestParams?: Record<string, unknown>,
  ): WebHdfsClient;
}
