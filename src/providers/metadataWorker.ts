/*
 * Parses and summarizes a `_metadata` in a worker thread, so a snapshot of tens of MB does not stall the extension
 * host (the tree, other editors, every other extension) for seconds. The worker keeps the parsed metadata while its
 * inspector is open to answer subtask requests.
 */
import { parentPort } from 'node:worker_threads';
import { CheckpointMetadata, MetadataError, parseMetadata, snapshotDetails, summarizeMetadata } from '../core/metadata';
import { subtaskRows } from '../viewModel/inspectorModel';
import type { MetadataWorkerReply, MetadataWorkerRequest } from './metadataWorkerProtocol';

let metadata: CheckpointMetadata | undefined;

function answer(request: MetadataWorkerRequest): MetadataWorkerReply {
  if (request.type === 'parse') {
    try {
      const bytes = new Uint8Array(request.bytes);
      // The model answers subtask requests later; the summary comes from the faster one-pass scan.
      metadata = parseMetadata(bytes, { pointer: request.pointer });
      return {
        type: 'summary',
        summary: summarizeMetadata(bytes, { pointer: request.pointer }),
        details: snapshotDetails(metadata),
      };
    } catch (error) {
      if (!(error instanceof MetadataError)) throw error;
      return { type: 'error', code: error.code, message: error.message, offset: error.offset };
    }
  }
  const operator = metadata?.operators.find((o) => o.operatorId === request.operatorId);
  return {
    type: 'subtasks',
    operatorId: request.operatorId,
    rows: metadata && operator ? subtaskRows(metadata, operator) : [],
  };
}

parentPort?.on('message', (request: MetadataWorkerRequest) => parentPort?.postMessage(answer(request)));
