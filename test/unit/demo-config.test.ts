import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { demoConfig } from '../../src/demo/config.js';

const inputs = {
  simUrl: 'http://127.0.0.1:40000',
  dir: '/tmp/compshare-watch-demo-x',
  publicKey: 'demo-public',
  privateKey: 'demo-private',
  timezone: 'UTC',
  port: 9477,
};

const parsed = (env: NodeJS.ProcessEnv) => configSchema.parse(demoConfig({ ...inputs, env }));

describe('demo config', () => {
  it('is a valid config: two watches, a dry-run provisioner, a stop policy, console alerts in English', () => {
    const config = parsed({ LANG: 'en_US.UTF-8' });
    expect(config.watches.map((watch) => watch.name)).toEqual(['demo-4090', 'demo-5090']);
    expect(config.provisioners['grab-4090']?.dryRun).toBe(true);
    expect(Object.keys(config.stopPolicies)).toEqual(['eight-hours']);
    expect(config.notify).toEqual(['console']);
    expect(config.locale).toBe('en');
    expect(config.storage.path).toBe('/tmp/compshare-watch-demo-x/history.db');
  });

  it('alerts in Chinese under a zh LANG, and on the desktop too where a session bus exists', () => {
    const config = parsed({ LANG: 'zh_CN.UTF-8', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus' });
    expect(config.locale).toBe('zh-CN');
    expect(config.notify).toEqual(['console', 'desktop']);
    expect(Object.keys(config.notifiers)).toEqual(['console', 'desktop']);
  });

  it('alerts in English without a LANG', () => {
    expect(parsed({}).locale).toBe('en');
  });
});
