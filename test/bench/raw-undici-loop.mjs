// The baselines of `poll_cpu_vs_raw_undici`: a bare undici loop that sends pre-signed form bodies when told and
// parses each answer, nothing else; or, given a database path, the same loop recording each answer durably the way
// the daemon records a poll that changes nothing (the floor of any design that keeps every poll in SQLite). Run as
// its own process so its CPU is read from /proc like the daemon's.
// Usage: node raw-undici-loop.mjs ORIGIN CONNECTIONS [DATABASE]. Reads lines from stdin:
//   `B <index> <body>`  defines request body <index> (a urlencoded form, so it holds no spaces or newlines);
//   `S <epochMs> <index>` sends body <index> at that wall-clock time, from a timer, as the daemon's come from its
//   rate limiter's timer.
// When stdin closes it prints { sent, failures } once every answer is in, and exits.
import Database from 'better-sqlite3';
import { Pool } from 'undici';

const [origin, connections, database] = process.argv.slice(2);
const pool = new Pool(origin, { connections: Number(connections) });
const record = database === undefined ? () => {} : recorder(database);
const bodies = [];
const answers = [];
let failures = 0;

async function send(body, index) {
  const startedAt = performance.now();
  const response = await pool.request({
    method: 'POST',
    path: '/',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  const answer = JSON.parse(await response.body.text());
  if (answer.RetCode !== 0) failures += 1;
  else record(index, answer.Specs, Math.round(performance.now() - startedAt));
}

/**
 * What the daemon writes for a poll that changes nothing, with its schema's tables, keys and pragmas: the watch's
 * last good poll, its hour's counters and each tracked key's (watches match Gpu 1 and 2), in one transaction, and
 * a passive checkpoint every 5 s.
 */
function recorder(path) {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('wal_autocheckpoint = 0');
  db.exec(`
    CREATE TABLE IF NOT EXISTS watches (id INTEGER PRIMARY KEY, last_ok_at INTEGER);
    CREATE TABLE IF NOT EXISTS spec_keys (id INTEGER PRIMARY KEY, watch_id INTEGER NOT NULL REFERENCES watches(id), gpu INTEGER NOT NULL,
      UNIQUE (watch_id, gpu));
    CREATE TABLE IF NOT EXISTS hourly_watch (watch_id INTEGER NOT NULL REFERENCES watches(id), hour INTEGER NOT NULL,
      polls INTEGER NOT NULL, errors INTEGER NOT NULL, latency_ms_sum INTEGER NOT NULL, PRIMARY KEY (watch_id, hour)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS hourly_spec (spec_key_id INTEGER NOT NULL REFERENCES spec_keys(id), hour INTEGER NOT NULL,
      polls INTEGER NOT NULL, available INTEGER NOT NULL, PRIMARY KEY (spec_key_id, hour)) WITHOUT ROWID;`);
  const watch = db.prepare('INSERT INTO watches (id, last_ok_at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET last_ok_at = excluded.last_ok_at');
  const key = db.prepare('INSERT INTO spec_keys (watch_id, gpu) VALUES (?, ?) ON CONFLICT (watch_id, gpu) DO UPDATE SET gpu = gpu RETURNING id');
  const keyIds = new Map();
  const watchHour = db.prepare(`INSERT INTO hourly_watch (watch_id, hour, polls, errors, latency_ms_sum) VALUES (?, ?, 1, 0, ?)
    ON CONFLICT (watch_id, hour) DO UPDATE SET polls = polls + 1, latency_ms_sum = latency_ms_sum + excluded.latency_ms_sum`);
  const specHour = db.prepare(`INSERT INTO hourly_spec (spec_key_id, hour, polls, available) VALUES (?, ?, 1, ?)
    ON CONFLICT (spec_key_id, hour) DO UPDATE SET polls = polls + 1, available = available + excluded.available`);
  setInterval(() => db.pragma('wal_checkpoint(PASSIVE)'), 5_000).unref();
  const poll = db.transaction((index, specs, latencyMs) => {
    const at = Date.now();
    const hour = Math.floor(at / 3_600_000);
    watch.run(index + 1, at);
    for (const spec of specs) {
      if (spec.Gpu !== 1 && spec.Gpu !== 2) continue;
      const id = `${index}/${spec.Gpu}`;
      if (!keyIds.has(id)) keyIds.set(id, key.get(index + 1, spec.Gpu).id);
      specHour.run(keyIds.get(id), hour, spec.ResourceEnough ? 1 : 0);
    }
    watchHour.run(index + 1, hour, latencyMs);
  });
  return (index, specs, latencyMs) => poll(index, specs, latencyMs);
}

function order(line) {
  const [kind, first, second] = line.split(' ');
  if (kind === 'B') bodies[Number(first)] = second;
  else if (kind === 'S') {
    const body = bodies[Number(second)];
    answers.push(
      new Promise((resolve) => {
        setTimeout(() => send(body, Number(second)).catch(() => (failures += 1)).then(resolve), Number(first) - Date.now());
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
