// The computation behind `stats_query_ms`, in plain Node on the compiled dist/ code that `compshare-watch stats`
// runs, with nothing else in the process. Opens the config and the database once, then times statsReport +
// JSON.stringify per run, warm-up runs first.
// Usage: node stats-runs.mjs CONFIG WARMUP RUNS; prints { keys, times } (ms per measured run).
import { openHistoryContext } from '../../dist/cli/history-context.js';
import { statsReport } from '../../dist/cli/stats.js';

const [config, warmup, runs] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const context = await openHistoryContext({ config, since: '30d' });
const times = [];
let keys = 0;
try {
  for (let run = 0; run < warmup + runs; run++) {
    const started = performance.now();
    const json = JSON.stringify(statsReport(context), null, 2);
    const elapsed = performance.now() - started;
    if (run === 0) keys = JSON.parse(json).keys.length;
    if (run >= warmup) times.push(elapsed);
  }
} finally {
  context.store.close();
}
process.stdout.write(`${JSON.stringify({ keys, times })}\n`);
