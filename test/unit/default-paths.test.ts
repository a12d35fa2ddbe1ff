import { describe, expect, it } from 'vitest';
import { configSearchPaths, defaultStoragePath, type PathContext } from '../../src/config/default-paths.js';

const user = (env: NodeJS.ProcessEnv = {}): PathContext => ({ env, home: '/home/ada', isRoot: false });
const root = (env: NodeJS.ProcessEnv = {}): PathContext => ({ env, home: '/root', isRoot: true });

describe('where the config is looked for without --config', () => {
  it('tries the working directory, the XDG config home, then /etc', () => {
    expect(configSearchPaths(user())).toEqual([
      './config.yaml',
      '/home/ada/.config/compshare-watch/config.yaml',
      '/etc/compshare-watch/config.yaml',
    ]);
  });

  it('tries systemd\'s ConfigurationDirectory first when it is set (the first of several)', () => {
    expect(configSearchPaths(user({ CONFIGURATION_DIRECTORY: '/etc/compshare-watch:/etc/other' }))[0]).toBe('/etc/compshare-watch/config.yaml');
  });

  it('follows $XDG_CONFIG_HOME, ignoring a relative one as the XDG spec says', () => {
    expect(configSearchPaths(user({ XDG_CONFIG_HOME: '/xdg/config' }))[1]).toBe('/xdg/config/compshare-watch/config.yaml');
    expect(configSearchPaths(user({ XDG_CONFIG_HOME: 'relative' }))[1]).toBe('/home/ada/.config/compshare-watch/config.yaml');
  });
});

describe('the database when storage.path is not set', () => {
  it('is in systemd\'s StateDirectory when it is set, for root and users alike', () => {
    expect(defaultStoragePath(root({ STATE_DIRECTORY: '/var/lib/compshare-watch' }))).toBe('/var/lib/compshare-watch/history.db');
    expect(defaultStoragePath(user({ STATE_DIRECTORY: '/home/ada/.local/state/cw:/x' }))).toBe('/home/ada/.local/state/cw/history.db');
  });

  it('is under the XDG state home for a user, never /var/lib', () => {
    expect(defaultStoragePath(user())).toBe('/home/ada/.local/state/compshare-watch/history.db');
    expect(defaultStoragePath(user({ XDG_STATE_HOME: '/xdg/state' }))).toBe('/xdg/state/compshare-watch/history.db');
    expect(defaultStoragePath(user({ XDG_STATE_HOME: '' }))).toBe('/home/ada/.local/state/compshare-watch/history.db');
  });

  it('is /var/lib/compshare-watch for root', () => {
    expect(defaultStoragePath(root())).toBe('/var/lib/compshare-watch/history.db');
  });
});
