// The baseline of `poll_cpu_vs_raw_undici`: a bare undici loop that sends pre-signed form bodies when told and
// parses each answer, nothing else. Run as its own process so its CPU is read from /proc like the daemon's.
// Usage: node raw-undici-loop.mjs ORIGIN CONNECTIONS. Reads lines from stdin:
//   `B <index> <body>`  defines request body <index> (a urlencoded form, so it holds no spaces or newlines);
//   `S <epochMs> <index>` sends body <index> at that wall-clock time, from a timer, as the daemon's come from its
//   rate limiter's timer.
// When stdin closes it prints { sent, failures } once every answer is in, and exits.
import { Pool } from 'undici';

const [origin, connections] = process.argv.slice(2);
const pool = new Pool(origin, { connections: Number(connections) });
const bodies = [];
const answers = [];
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

function order(line) {
  const [kind, first, second] = line.split(' ');
  if (kind === 'B') bodies[Number(first)] = second;
  else if (kind === 'S') {
    const body = bodies[Number(second)];
    answers.push(
      new Promise((resolve) => {
        setTimeout(() => send(body).catch(() => (failures += 1)).then(resolve), Number(first) - Date.now());
      }),
    );
  }
}

let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  const lines = (pending + chunk).split('\n');
  pending = lines.pop();
  for (const line of lines) order(line);
});
process.stdin.on('end', async () => {
  await Promise.all(answers);
  process.stdout.write(`${JSON.stringify({ sent: answers.length, failures })}\n`);
  await pool.close();
});
