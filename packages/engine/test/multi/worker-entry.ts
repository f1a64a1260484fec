// Child process of the multi-process test: a worker from a JSON config file (argv[2]).
import { readFileSync } from 'node:fs';
import { runWorkerProcess, type WorkerProcessConfig } from '../../src/worker/process';

const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as WorkerProcessConfig;
runWorkerProcess(config).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : String(error));
    process.exit(1);
  },
);
