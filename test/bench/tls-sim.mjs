// The simulator behind TLS for `call_latency_vs_python_sdk`, in its own process so that its handshakes, request
// handling and garbage collection do not land on the measuring process's event loop and pass for the callers'.
// Runs the built simulator (dist/, as the e2e benches do). Usage: node tls-sim.mjs KEY.pem CERT.pem PUBLIC PRIVATE.
// Prints { url } once listening; stops when stdin closes.
import { readFileSync } from 'node:fs';
import { startSimulator } from '../../dist/sim/server.js';

const [keyFile, certFile, publicKey, privateKey] = process.argv.slice(2);
const sim = await startSimulator({
  publicKey,
  privateKey,
  seed: 13,
  tls: { key: readFileSync(keyFile), cert: readFileSync(certFile) },
});
process.stdout.write(`${JSON.stringify({ url: sim.url })}\n`);
process.stdin.resume();
process.stdin.on('end', () => void sim.close().then(() => process.exit(0)));
