// `node bin/run-ts.js bench/anchor-run.ts [--quick]`: the anchoring benchmarks alone.
import { runAnchorBenchmarks } from './anchor-merkle.bench';

await runAnchorBenchmarks(process.argv.includes('--quick'));
