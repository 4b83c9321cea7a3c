/**
 * Worker thread of the workspace scanner: reads, decodes, parses and extracts the index facts of
 * batches of files, and posts them back as plain data. Bundled to dist/indexWorker.js.
 */
import { parentPort, workerData } from 'worker_threads';
import { parseFileSync, type IndexWorkerData, type IndexWorkerRequest, type IndexWorkerResponse } from './workspaceScanner';

const { maxFileSize } = workerData as IndexWorkerData;
const port = parentPort;

port?.on('message', (request: IndexWorkerRequest) => {
  const response: IndexWorkerResponse = { id: request.id, outcomes: request.files.map((file) => parseFileSync(file, maxFileSize)) };
  port.postMessage(response);
});
