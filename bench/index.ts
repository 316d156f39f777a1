// `npm run bench`: prints each benchmark as a ratio against a baseline measured in
// the same run, or as a latency distribution against its target.
import { benchEntryInsert } from './entry-insert.bench';
import { benchPatientSearch } from './patient-search.bench';
import { runAnchorBenchmarks } from './anchor-merkle.bench';
import { benchDeviceDecoders, formatDeviceDecoders } from './device-decoders.bench';
import { benchDeviceLatency, formatDeviceLatency } from './device-latency.bench';
import { benchSyncReplication, formatSyncReplication } from './sync/sync-replication.bench';

const quick = process.argv.includes('--quick');

const entries = await benchEntryInsert(quick ? 200 : 2000);
console.log(
  `signed entry insert: ${entries.signedPerSec.toFixed(0)}/s vs raw insert ${entries.rawPerSec.toFixed(0)}/s on the same encrypted database` +
    ` -> ratio ${entries.ratio.toFixed(2)} (target >= 0.5)`,
);

const patients = quick ? 5_000 : 50_000;
const search = await benchPatientSearch(patients, quick ? 200 : 2000);
console.log(
  `patient search at ${patients} patients: p50 ${search.p50.toFixed(2)} ms, p95 ${search.p95.toFixed(2)} ms, p99 ${search.p99.toFixed(2)} ms` +
    ` (hit rate ${(search.hitRate * 100).toFixed(0)}%; target p95 < 20 ms)`,
);

await runAnchorBenchmarks(quick);

for (const line of formatDeviceDecoders(await benchDeviceDecoders(quick ? 256 * 1024 : 2 * 1024 * 1024)))
  console.log(line);
console.log(formatDeviceLatency(await benchDeviceLatency({ seconds: quick ? 5 : 20 })));

for (const line of formatSyncReplication(await benchSyncReplication(quick ? 500 : 10_000))) console.log(line);
