import { afterEach, beforeEach, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CompshareClient } from '../../src/compshare/client.js';
import { loopbackClient } from '../helpers/client.js';
import { listAllInstances } from '../../src/compshare/actions/describe-instances.js';

/** DescribeCompShareInstance answers with broken times, from a bare node:http server on 127.0.0.1. */
const SOUND = 1_773_115_200;
let hosts: Array<Record<string, unknown>>;
let server: Server;
let client: CompshareClient;

beforeEach(async () => {
  server = createServer((request, response) => {
    request.resume().on('end', () => response.end(JSON.stringify({ RetCode: 0, TotalCount: hosts.length, UHostSet: hosts })));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = loopbackClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, {
    projectId: 'org-odd',
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
  });
});
afterEach(async () => {
  await client.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

it('lists every instance when some report times that are no real time, and names those times per instance', async () => {
  hosts = [
    { UHostId: 'uhost-sound', StartTime: SOUND, SchedulerStopTime: String(SOUND + 3600), CreateTime: 0 },
    { UHostId: 'uhost-far', StartTime: 8e15, SchedulerStopTime: SOUND },
    { UHostId: 'uhost-words', StartTime: 'soon\u001b[31m', CreateTime: -5, StopSchedulerTime: 1.5 },
  ];
  const instances = await listAllInstances(client);
  expect(instances.map(({ id, startTime, schedulerStopTime, createTime, invalidTimes }) => ({ id, startTime, schedulerStopTime, createTime, invalidTimes }))).toEqual([
    { id: 'uhost-sound', startTime: SOUND, schedulerStopTime: SOUND + 3600, createTime: 0, invalidTimes: [] },
    { id: 'uhost-far', startTime: 0, schedulerStopTime: SOUND, createTime: 0, invalidTimes: ['StartTime 8000000000000000'] },
    // A far-end text is named only by its kind: it never reaches a terminal or a log.
    { id: 'uhost-words', startTime: 0, schedulerStopTime: 0, createTime: 0, invalidTimes: ['CreateTime -5', 'StartTime (string)', 'StopSchedulerTime 1.5'] },
  ]);
});
