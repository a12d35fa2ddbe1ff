import { loadScenarioFile, ScenarioError, type Scenario } from '../sim/scenario.js';
import { startSimulator } from '../sim/server.js';
import { UsageError } from './usage-error.js';

export interface SimOptions {
  port: string;
  host: string;
  publicKey?: string;
  privateKey?: string;
  scenario?: string;
  seed?: string;
}

/** Listen errors that mean the address was badly chosen, not that the program is broken. */
const ADDRESS_ERRORS = new Set(['EADDRINUSE', 'EADDRNOTAVAIL', 'EACCES', 'ENOTFOUND', 'EAI_AGAIN']);

/** `compshare-watch sim`: runs the simulator in the foreground, for demos and for pointing api.baseUrl at. */
export async function sim(options: SimOptions): Promise<void> {
  const port = parseInteger('--port', options.port, 0, 65_535);
  const seed = options.seed === undefined ? undefined : parseInteger('--seed', options.seed, 0, 0xffff_ffff);
  const publicKey = requiredKey('--public-key', options.publicKey, 'COMPSHARE_PUBLIC_KEY');
  const privateKey = requiredKey('--private-key', options.privateKey, 'COMPSHARE_PRIVATE_KEY');
  const scenario = options.scenario === undefined ? undefined : await readScenario(options.scenario);
  const simulator = await startSimulator({ host: options.host, port, publicKey, privateKey, scenario, seed }).catch(
    (error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== undefined && ADDRESS_ERRORS.has(code)) {
        throw new UsageError(`cannot listen on ${options.host}:${port}: ${code}`);
      }
      throw error;
    },
  );
  process.stdout.write(`${simulator.url}\n`);
  await untilSignalled();
  await simulator.close();
}

async function readScenario(path: string): Promise<Scenario> {
  try {
    return await loadScenarioFile(path);
  } catch (error) {
    if (error instanceof ScenarioError) throw new UsageError(error.message);
    throw error;
  }
}

/** An integer flag within [min, max]; anything else is a usage error naming the flag and the value. */
export function parseInteger(flag: string, value: string, min: number, max: number): number {
  const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new UsageError(`${flag}: expected an integer from ${min} to ${max}, got "${value}"`);
  }
  return parsed;
}

function requiredKey(flag: string, value: string | undefined, envName: string): string {
  const key = value ?? process.env[envName];
  if (!key) throw new UsageError(`${flag} is required (or set ${envName})`);
  return key;
}

function untilSignalled(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
