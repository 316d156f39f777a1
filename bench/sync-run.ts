// `node bin/run-ts.js bench/sync-run.ts [PATIENTS]`: the sync benchmark alone (default 10,000 patients).
import { benchSyncReplication, formatSyncReplication } from './sync/sync-replication.bench';

const patients = Number(process.argv[2] ?? 10_000);
for (const line of formatSyncReplication(await benchSyncReplication(patients))) console.log(line);
