import { describe, expect, it } from 'vitest';
import { configSchema, LIMITS } from '../../src/config/schema.js';

const connectionsIssue = (connections: unknown) => {
  const result = configSchema.safeParse({ api: { connections } });
  return result.success ? undefined : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('api.connections', () => {
  it('is optional: absent, the client sizes its connections itself', () => {
    expect(configSchema.parse({}).api.connections).toBeUndefined();
  });

  it.each([1, 16, LIMITS.connections])('accepts %s', (connections) => {
    expect(connectionsIssue(connections)).toBeUndefined();
  });

  it.each([0, LIMITS.connections + 1, 2.5, 1e308])('refuses %s, naming the field', (connections) => {
    const issues = connectionsIssue(connections);
    expect(issues).toHaveLength(1);
    expect(issues![0]).toMatch(/^api\.connections: /);
  });
});
