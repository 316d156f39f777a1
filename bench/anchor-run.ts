// `node bin/run-ts.js bench/anchor-run.ts [--quick] [--leaf [ENTRIES]]`: the anchoring
// benchmarks alone; `--leaf` runs only the leaf-append overhead (default 3,000 entries).
import { benchLeafAppendOverhead, formatLeafOverhead, runAnchorBenchmarks } from './anchor-merkle.bench';

const leaf = process.argv.indexOf('--leaf');
if (leaf >= 0) {
  const entries = Number(process.argv[leaf + 1] ?? '') || 3_000;
  console.log(formatLeafOverhead(await benchLeafAppendOverhead(entries)));
} else {
  await runAnchorBenchmarks(process.argv.includes('--quick'));
}
