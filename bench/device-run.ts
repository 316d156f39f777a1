// Runs the device benchmarks alone: node bin/run-ts.js bench/device-run.ts [--quick]
import { benchDeviceDecoders, formatDeviceDecoders } from './device-decoders.bench';
import { benchDeviceLatency, formatDeviceLatency } from './device-latency.bench';

const quick = process.argv.includes('--quick');

for (const line of formatDeviceDecoders(await benchDeviceDecoders(quick ? 256 * 1024 : 2 * 1024 * 1024)))
  console.log(line);
console.log(formatDeviceLatency(await benchDeviceLatency({ devices: 8, seconds: quick ? 5 : 20 })));
