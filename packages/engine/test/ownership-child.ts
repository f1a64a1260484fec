// Child of ownership.test.ts: tries to own the embedded database in argv[2], says what happened, and
// holds it until its stdin closes (or it is killed).
import { acquireOwnership, EngineInUseError } from '../src/db/ownership';

acquireOwnership(process.argv[2]!, 'campaign run').then(
  () => {
    process.stdout.write('owner\n');
    process.stdin.resume();
    process.stdin.on('end', () => process.exit(0));
  },
  (error: unknown) => {
    process.stdout.write(
      error instanceof EngineInUseError ? `refused ${error.owner.pid}: ${error.message}\n` : `error ${String(error)}\n`,
    );
    process.exit(0);
  },
);
