import { describe, expect, it } from 'vitest';
import { CONSOLE_URL, renderMessage, type RenderableEvent } from '../../src/notify/render.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** 2026-11-24 21:50:07 in Asia/Shanghai. */
const AT = Date.UTC(2026, 10, 24, 13, 50, 7);
const WATCH = { watch: '4090-wlcb', zone: 'cn-wlcb-01', gpuType: '4090' };
const SHANGHAI = { locale: 'zh-CN', timezone: 'Asia/Shanghai' } as const;
const ENGLISH = { locale: 'en', timezone: 'Asia/Shanghai' } as const;

function flip(
  type: 'capacity.available' | 'capacity.soldout',
  spec: { gpu: number; cpu: number; mem: number },
  at: number,
  previousSince: number | null,
): RenderableEvent {
  const payload = { ...WATCH, at, ...spec, previousSince };
  return { id: `${type}:${WATCH.watch}:${spec.gpu}-${spec.cpu}-${spec.mem}:${at}`, type, payload, createdAt: at };
}

const oneGpu = { gpu: 1, cpu: 16, mem: 64 };
const twoGpu = { gpu: 2, cpu: 32, mem: 128 };
const fourGpu = { gpu: 4, cpu: 64, mem: 256 };

describe('renderMessage: capacity', () => {
  const single = flip('capacity.available', oneGpu, AT, AT - 3 * HOUR - 12 * MINUTE);

  it('says in zh-CN which watch, zone, GPU type and row, when, for how long it was sold out, and what to do', () => {
    const message = renderMessage([single], SHANGHAI);
    expect(message.title).toBe('4090 有货: 4090-wlcb 1卡16核64G');
    expect(message.text).toBe(
      [
        '监控 4090-wlcb（可用区 cn-wlcb-01，GPU 4090）有货了：',
        '- 1卡16核64G：此前售罄 3小时12分钟',
        '时间：2026-11-24 21:50:07（Asia/Shanghai）',
        `下一步：库存随时可能售罄，请尽快到控制台创建实例：${CONSOLE_URL}`,
      ].join('\n'),
    );
  });

  it('says the same in English', () => {
    const message = renderMessage([single], ENGLISH);
    expect(message.title).toBe('4090 available: 4090-wlcb 1 GPU/16C/64G');
    expect(message.text).toBe(
      [
        '4090-wlcb (zone cn-wlcb-01, GPU 4090) has capacity:',
        '- 1 GPU, 16 vCPU, 64 GB: sold out for 3h 12m before',
        'At 2026-11-24 21:50:07 (Asia/Shanghai)',
        `Next step: create an instance in the console before it sells out: ${CONSOLE_URL}`,
      ].join('\n'),
    );
  });

  it('shows times in the configured zone', () => {
    expect(renderMessage([single], { locale: 'en', timezone: 'UTC' }).text).toContain('At 2026-11-24 13:50:07 (UTC)');
  });

  it('lists every row of a batch, available first, and counts the events in the title', () => {
    const batch = [
      flip('capacity.soldout', fourGpu, AT, AT - 45 * MINUTE),
      flip('capacity.available', oneGpu, AT, AT - 3 * HOUR),
      flip('capacity.available', twoGpu, AT + 8_000, null),
    ];
    const message = renderMessage(batch, SHANGHAI);
    expect(message.title).toBe('4090 有货: 4090-wlcb 1卡16核64G 等3项');
    expect(message.text).toBe(
      [
        '监控 4090-wlcb（可用区 cn-wlcb-01，GPU 4090）有货了：',
        '- 1卡16核64G：此前售罄 3小时',
        '- 2卡32核128G：首次记录',
        '时间：2026-11-24 21:50:07 – 21:50:15（Asia/Shanghai）',
        `下一步：库存随时可能售罄，请尽快到控制台创建实例：${CONSOLE_URL}`,
        '',
        '监控 4090-wlcb（可用区 cn-wlcb-01，GPU 4090）已售罄：',
        '- 4卡64核256G：有货持续了 45分钟',
        '时间：2026-11-24 21:50:07（Asia/Shanghai）',
      ].join('\n'),
    );
    expect(message.events.map((event) => event.id)).toEqual(batch.map((event) => event.id));
    expect(renderMessage(batch, ENGLISH).title).toBe('4090 available: 4090-wlcb 1 GPU/16C/64G (+2 more)');
  });

  it('says nothing more than what sold out, and how long the window lasted', () => {
    const message = renderMessage([flip('capacity.soldout', oneGpu, AT, AT - 2 * 24 * HOUR - 5 * HOUR)], ENGLISH);
    expect(message.title).toBe('4090 sold out: 4090-wlcb 1 GPU/16C/64G');
    expect(message.text).toBe(
      ['4090-wlcb (zone cn-wlcb-01, GPU 4090) sold out:', '- 1 GPU, 16 vCPU, 64 GB: the window lasted 2d 5h', 'At 2026-11-24 21:50:07 (Asia/Shanghai)'].join(
        '\n',
      ),
    );
    expect(message.text).not.toContain(CONSOLE_URL);
  });

  it('words a reminder as "still available", since when, with the next step', () => {
    // As the store writes a reminder: sent at AT, the row available since 30 minutes before.
    const reminder = { ...single, payload: { ...single.payload, previousSince: null, availableSince: AT - 30 * MINUTE, count: 1 } };
    const zh = renderMessage([reminder], { ...SHANGHAI, reminder: true });
    expect(zh.title).toBe('4090 仍有货: 4090-wlcb 1卡16核64G');
    expect(zh.text).toBe(
      [
        '监控 4090-wlcb（可用区 cn-wlcb-01，GPU 4090）仍然有货：',
        '- 1卡16核64G：自 2026-11-24 21:20:07 起有货',
        `下一步：库存随时可能售罄，请尽快到控制台创建实例：${CONSOLE_URL}`,
      ].join('\n'),
    );
    expect(renderMessage([reminder], { ...ENGLISH, reminder: true }).title).toBe('4090 still available: 4090-wlcb 1 GPU/16C/64G');
  });

  it('gives the same content as Markdown (title first, link clickable) and as HTML', () => {
    const message = renderMessage([single], SHANGHAI);
    expect(message.markdown).toBe(
      [
        '### 4090 有货: 4090-wlcb 1卡16核64G',
        '监控 4090-wlcb（可用区 cn-wlcb-01，GPU 4090）有货了：',
        '- **1卡16核64G**：此前售罄 3小时12分钟',
        '时间：2026-11-24 21:50:07（Asia/Shanghai）',
        `下一步：库存随时可能售罄，请尽快到控制台创建实例：[${CONSOLE_URL}](${CONSOLE_URL})`,
      ].join('\n\n'),
    );
    expect(message.html).toBe(
      [
        '<p>监控 4090-wlcb（可用区 cn-wlcb-01，GPU 4090）有货了：</p>',
        '<ul><li><strong>1卡16核64G</strong>：此前售罄 3小时12分钟</li></ul>',
        '<p>时间：2026-11-24 21:50:07（Asia/Shanghai）</p>',
        `<p>下一步：库存随时可能售罄，请尽快到控制台创建实例：<a href="${CONSOLE_URL}">${CONSOLE_URL}</a></p>`,
      ].join('\n'),
    );
  });
});

describe('renderMessage: recent history of an available row', () => {
  const history = { days: 7, windows: 9, medianWindowMs: 3 * MINUTE, p90WindowMs: 12 * MINUTE, freeAtThisHourDays: 5, observedAtThisHourDays: 7 };
  const withHistory = (event: RenderableEvent, facts: Record<string, number | null> = history): RenderableEvent => ({
    ...event,
    payload: { ...event.payload, history: facts },
  });
  const single = withHistory(flip('capacity.available', oneGpu, AT, AT - 3 * HOUR - 12 * MINUTE));

  it('says in English how long its windows lasted and how often it was free at this hour, on a line of its own', () => {
    expect(renderMessage([single], ENGLISH).text).toBe(
      [
        '4090-wlcb (zone cn-wlcb-01, GPU 4090) has capacity:',
        '- 1 GPU, 16 vCPU, 64 GB: sold out for 3h 12m before',
        'Usually free for 3m (median), 12m (p90) over the last 7 days (9 windows); free at this hour on 5 of the last 7 days',
        'At 2026-11-24 21:50:07 (Asia/Shanghai)',
        `Next step: create an instance in the console before it sells out: ${CONSOLE_URL}`,
      ].join('\n'),
    );
  });

  it('says the same in zh-CN, durations in Chinese', () => {
    expect(renderMessage([single], SHANGHAI).text).toBe(
      [
        '监控 4090-wlcb（可用区 cn-wlcb-01，GPU 4090）有货了：',
        '- 1卡16核64G：此前售罄 3小时12分钟',
        '近 7 天有货时长：中位 3分钟，p90 12分钟（9 次）；近 7 天中 5 天的这个钟点有货',
        '时间：2026-11-24 21:50:07（Asia/Shanghai）',
        `下一步：库存随时可能售罄，请尽快到控制台创建实例：${CONSOLE_URL}`,
      ].join('\n'),
    );
  });

  it('says "first time seen" without windows, and which days it was polled at this hour', () => {
    const first = { ...history, windows: 0, medianWindowMs: null, p90WindowMs: null, freeAtThisHourDays: 1, observedAtThisHourDays: 2 };
    const unseen = { ...first, freeAtThisHourDays: 0, observedAtThisHourDays: 0 };
    const event = flip('capacity.available', oneGpu, AT, null);
    expect(renderMessage([withHistory(event, first)], ENGLISH).text).toContain(
      '\nFirst time seen free in the last 7 days; free at this hour on 1 of 2 days seen in the last 7\n',
    );
    expect(renderMessage([withHistory(event, unseen)], ENGLISH).text).toContain(
      '\nFirst time seen free in the last 7 days; not seen at this hour in the last 7 days\n',
    );
    expect(renderMessage([withHistory(event, first)], SHANGHAI).text).toContain('\n近 7 天首次有货；近 7 天有记录的 2 天中 1 天的这个钟点有货\n');
    expect(renderMessage([withHistory(event, unseen)], SHANGHAI).text).toContain('\n近 7 天首次有货；近 7 天这个钟点没有记录\n');
  });

  it('puts each row’s history after the row when a message lists several rows', () => {
    const batch = [
      single,
      withHistory(flip('capacity.available', twoGpu, AT, AT - 45 * 1000), { ...history, windows: 1, medianWindowMs: 2 * HOUR + 5 * MINUTE, p90WindowMs: 2 * HOUR + 5 * MINUTE }),
    ];
    const [, first, second] = renderMessage(batch, SHANGHAI).text.split('\n');
    expect(first).toBe('- 1卡16核64G：此前售罄 3小时12分钟。近 7 天有货时长：中位 3分钟，p90 12分钟（9 次）；近 7 天中 5 天的这个钟点有货');
    expect(second).toBe('- 2卡32核128G：此前售罄 45秒。近 7 天有货时长：中位 2小时5分钟，p90 2小时5分钟（1 次）；近 7 天中 5 天的这个钟点有货');
    expect(renderMessage(batch, ENGLISH).text.split('\n')[2]).toBe(
      '- 2 GPU, 32 vCPU, 128 GB: sold out for 45s before. Usually free for 2h 5m (median), 2h 5m (p90) over the last 7 days (1 window); free at this hour on 5 of the last 7 days',
    );
  });

  it('says nothing about history for an event stored without it, or for a reminder', () => {
    const old = flip('capacity.available', oneGpu, AT, AT - HOUR);
    expect(renderMessage([old], ENGLISH).text.split('\n')).toHaveLength(4);
    const reminder = { ...single, payload: { ...single.payload, previousSince: null, availableSince: AT - 30 * MINUTE, count: 1 } };
    expect(renderMessage([reminder], { ...ENGLISH, reminder: true }).text).not.toContain('Usually free');
  });

  it('shows days in Chinese too', () => {
    const soldout = flip('capacity.soldout', oneGpu, AT, AT - 2 * 24 * HOUR - 5 * HOUR);
    expect(renderMessage([soldout], SHANGHAI).text).toContain('- 1卡16核64G：有货持续了 2天5小时\n');
  });
});

describe('renderMessage: watch health', () => {
  const blind: RenderableEvent = {
    id: 'watch.blind:4090-wlcb:1',
    type: 'watch.blind',
    payload: { ...WATCH, at: AT, failingSince: AT - 5 * MINUTE, error: 'network: connect ECONNREFUSED <api>' },
    createdAt: AT,
  };
  const recovered: RenderableEvent = {
    id: 'watch.recovered:4090-wlcb:1',
    type: 'watch.recovered',
    payload: { ...WATCH, at: AT + 7 * MINUTE, failingSince: AT - 5 * MINUTE },
    createdAt: AT + 7 * MINUTE,
  };

  it('names the error of a blind watch and for how long it has failed', () => {
    const zh = renderMessage([blind], SHANGHAI);
    expect(zh.title).toBe('监控失明: 4090-wlcb');
    expect(zh.text).toBe(
      [
        '监控 4090-wlcb（可用区 cn-wlcb-01，GPU 4090）已连续 5分钟 查询失败（自 2026-11-24 21:45:07 起），这段时间的库存变化无从得知。',
        '错误：network: connect ECONNREFUSED <api>',
        '请检查网络、API 密钥和配额；运行 compshare-watch check 可看到具体错误。',
      ].join('\n'),
    );
    const en = renderMessage([blind], ENGLISH);
    expect(en.title).toBe('Watch blind: 4090-wlcb');
    expect(en.text).toContain('has failed to poll for 5m (since 2026-11-24 21:45:07)');
    expect(en.text).toContain('Error: network: connect ECONNREFUSED <api>');
    expect(en.html).toContain('Error: network: connect ECONNREFUSED &#60;api&#62;');
  });

  it('says how long a recovered watch was blind', () => {
    expect(renderMessage([recovered], SHANGHAI).text).toBe(
      '监控 4090-wlcb（可用区 cn-wlcb-01，GPU 4090）已恢复查询，此前失败 12分钟（自 2026-11-24 21:45:07 起）。',
    );
    const en = renderMessage([recovered], ENGLISH);
    expect(en.title).toBe('Watch recovered: 4090-wlcb');
    expect(en.text).toBe('4090-wlcb (zone cn-wlcb-01, GPU 4090) polls again after failing for 12m (since 2026-11-24 21:45:07).');
  });
});

describe('renderMessage: other events', () => {
  it('says which instance a failed stop policy left running, and the error', () => {
    // The payload as policy/apply.ts writes it.
    const payload = { instance: 'uhost-abc', name: 'train-a', tag: 'training', zone: 'cn-wlcb-01', policy: 'nightly', currentStop: null, stopTime: 1795560000, result: 'failed', error: 'RetCode 8039', requestUuid: 'r-1', at: AT };
    const event = { id: 'p', type: 'policy.failed', payload, createdAt: AT };
    const message = renderMessage([event], ENGLISH);
    expect(message.title).toBe('Stop policy failed: train-a (uhost-abc)');
    expect(message.text).toContain('Stop policy nightly failed for instance train-a (uhost-abc).\nError: RetCode 8039\n');
    const zh = renderMessage([event], SHANGHAI);
    expect(zh.title).toBe('停机策略失败: train-a (uhost-abc)');
    expect(zh.text).toContain('实例 train-a (uhost-abc) 的停机策略 nightly 执行失败。\n错误：RetCode 8039\n');
  });

  it('names an unnamed instance by its id, and renders a failure without a reason', () => {
    const payload = { instance: 'uhost-abc', name: '', policy: 'nightly', result: 'unconfirmed', error: null };
    const message = renderMessage([{ id: 'p', type: 'policy.failed', payload, createdAt: AT }], ENGLISH);
    expect(message.title).toBe('Stop policy failed: uhost-abc');
    expect(message.text).toMatch(/^Stop policy nightly failed for instance uhost-abc\.\nCheck the instance/);
  });

  it('shows an unknown event type, or a payload that is not what its type promises, as a generic line', () => {
    const unknown = { id: 'u', type: 'instance.created', payload: { instanceId: 'uhost-1', price: 1.5, tags: ['a'] }, createdAt: AT };
    const message = renderMessage([unknown], ENGLISH);
    expect(message.title).toBe('compshare-watch event: instance.created');
    expect(message.text).toBe('Event instance.created at 2026-11-24 21:50:07: instanceId=uhost-1, price=1.5, tags=["a"]');

    const malformed = { id: 'm', type: 'capacity.available', payload: { watch: '4090-wlcb' }, createdAt: AT };
    expect(renderMessage([malformed], SHANGHAI).text).toBe('事件 capacity.available（2026-11-24 21:50:07）：watch=4090-wlcb');
    const partialPolicy = { id: 'p', type: 'policy.failed', payload: { instance: 'uhost-1' }, createdAt: AT };
    expect(renderMessage([partialPolicy], SHANGHAI).title).toBe('compshare-watch 事件: policy.failed');
  });

  it('renders the notify test event', () => {
    const message = renderMessage([{ id: 't', type: 'notify.test', payload: {}, createdAt: AT }], SHANGHAI);
    expect(message.title).toBe('compshare-watch 测试消息');
    expect(message.text).toBe('这是一条测试消息：收到它，说明这个通知渠道配置正确。\n时间：2026-11-24 21:50:07（Asia/Shanghai）');
  });

  it('refuses an empty batch', () => {
    expect(() => renderMessage([], SHANGHAI)).toThrow('at least one event');
  });
});

describe('renderMessage: title and escaping', () => {
  const longWatch = { ...WATCH, watch: 'team-research-4090-cn-wlcb-01-spot-preemptible' };
  const event = {
    id: 'l',
    type: 'capacity.available',
    payload: { ...longWatch, at: AT, ...fourGpu, previousSince: null },
    createdAt: AT,
  };

  it.each([
    ['zh-CN', 40],
    ['en', 64],
  ] as const)('keeps a %s title within %i characters, marking the cut', (locale, max) => {
    const { title } = renderMessage([event, event, event], { locale, timezone: 'UTC' });
    expect([...title].length).toBe(max);
    expect(title.endsWith('…')).toBe(true);
  });

  it('keeps text that looks like Markdown or HTML literal', () => {
    const blind = {
      id: 'b',
      type: 'watch.blind',
      payload: { ...WATCH, at: AT, failingSince: AT - MINUTE, error: 'bad *key* [x](y) `z` <b>&' },
      createdAt: AT,
    };
    const message = renderMessage([blind], ENGLISH);
    expect(message.markdown).toContain('Error: bad \\*key\\* \\[x\\](y) \\`z\\` <b>&');
    expect(message.html).toContain('Error: bad *key* [x](y) `z` &#60;b&#62;&#38;');
    expect(message.text).toContain('Error: bad *key* [x](y) `z` <b>&');
  });
});
