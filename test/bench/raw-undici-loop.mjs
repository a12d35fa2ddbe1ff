// The baseline of `poll_cpu_vs_raw_undici`: a bare undici loop that sends pre-signed form bodies at given times and
// parses each answer, nothing else. Run as its own process so its CPU is read from /proc like the daemon's.
// Usage: node raw-undici-loop.mjs PLAN.json, where the plan is { origin, connections, startAtMs, requests:
// [{ offsetMs, body }] }. Prints { sent, failures } once every answer is in, then waits for stdin to close.
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const pool = new Pool(plan.origin, { connections: plan.connections });
let failures = 0;

async function send(body) {
  const response = await pool.request({
    method: 'POST',
    path: '/',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  if (JSON.parse(await response.body.text()).RetCode !== 0) failures += 1;
}

const answers = plan.requests.map(
  ({ offsetMs, body }) =>
    new Promise((resolve) => {
      setTimeout(() => send(body).catch(() => (failures += 1)).then(resolve), plan.startAtMs + offsetMs - Date.now());
    }),
);
await Promise.all(answers);
process.stdout.write(`${JSON.stringify({ sent: answers.length, failures })}\n`);
// Alive until the parent has read our CPU time from /proc.
process.stdin.resume();
process.stdin.on('end', () => void pool.close());
