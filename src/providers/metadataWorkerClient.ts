import { Worker } from 'node:worker_threads';
import type { MetadataWorkerReply, MetadataWorkerRequest } from './metadataWorkerProtocol';

/** One metadata worker: requests are answered in order; a crashed worker fails every pending request. */
export class MetadataWorkerClient {
  private readonly worker: Worker;
  private readonly pending: { resolve: (reply: MetadataWorkerReply) => void; reject: (error: Error) => void }[] = [];

  constructor(script: string) {
    this.worker = new Worker(script);
    this.worker.on('message', (reply: MetadataWorkerReply) => this.pending.shift()?.resolve(reply));
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) => this.failAll(new Error(`the metadata worker exited (code ${code})`)));
  }

  request(request: MetadataWorkerRequest, transfer: ArrayBuffer[] = []): Promise<MetadataWorkerReply> {
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.worker.postMessage(request, transfer);
    });
  }

  dispose(): void {
    void this.worker.terminate();
  }

  private failAll(error: Error): void {
    for (const waiting of this.pending.splice(0)) waiting.reject(error);
  }
}
