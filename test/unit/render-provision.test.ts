import { describe, expect, it } from 'vitest';
import { defineEvent, PROVISION_FAILURES, type EventPayload } from '../../src/events.js';
import { CONSOLE_URL, renderMessage, type RenderableEvent } from '../../src/notify/render.js';

/** 2026-11-24 21:50:07 in Asia/Shanghai. */
const AT = Date.UTC(2026, 10, 24, 13, 50, 7);
/** 2026-11-25 02:00:00 in Asia/Shanghai, as the API's Unix seconds. */
const STOP = Date.UTC(2026, 10, 24, 18, 0, 0) / 1000;
const SHANGHAI = { locale: 'zh-CN', timezone: 'Asia/Shanghai' } as const;
const ENGLISH = { locale: 'en', timezone: 'Asia/Shanghai' } as const;

const attempt = {
  watch: '4090-wlcb',
  zone: 'cn-wlcb-01',
  gpuType: '4090',
  at: AT,
  provisioner: 'grab4090',
  name: 'grab-ab12cd',
  gpu: 1,
  cpu: 16,
  mem: 64,
  chargeType: 'Dynamic',
  hourlyPrice: 1.88,
  dryRun: false,
};

const createdPayload: EventPayload<'provision.created'> = {
  ...attempt,
  instance: 'uhost-x1y2',
  stopPolicy: 'nightly',
  stopTime: STOP,
  requestUuid: 'req-created',
};

type Failure = (typeof PROVISION_FAILURES)[number];

function failedPayload(failure: Failure, overrides: Partial<EventPayload<'provision.failed'>> = {}): EventPayload<'provision.failed'> {
  return {
    ...attempt,
    failure,
    reason: 'the API said: resources not enough',
    retCode: 226604,
    instance: failure === 'stop-not-set' ? 'uhost-x1y2' : null,
    requestUuid: 'req-failed',
    ...overrides,
  };
}

/** Through the catalog's strict check, so every fixture is a payload a producer could store. */
function created(payload: EventPayload<'provision.created'> = createdPayload): RenderableEvent {
  return defineEvent('provision.created', { id: `provision.created:${payload.name}`, watch: payload.watch, createdAt: AT, payload });
}

function failed(payload: EventPayload<'provision.failed'>): RenderableEvent {
  return defineEvent('provision.failed', { id: `provision.failed:${payload.failure}`, watch: payload.watch, createdAt: AT, payload });
}

describe('renderMessage: provision.created', () => {
  it('names what was created, where, how it bills, at what price, when it stops, and links the console', () => {
    const message = renderMessage([created()], ENGLISH);
    expect(message.title).toBe('Created 4090 1 GPU/16C/64G: grab-ab12cd');
    expect(message.text).toBe(
      [
        'Provisioner grab4090 created an instance for watch 4090-wlcb:',
        '- Instance: grab-ab12cd (uhost-x1y2)',
        '- Zone: cn-wlcb-01',
        '- Spec: 4090 1 GPU, 16 vCPU, 64 GB',
        '- Charge type: Dynamic',
        '- Price: ¥1.88/h',
        '- Scheduled stop: 2026-11-25 02:00:00 (Asia/Shanghai)',
        '- Stop policy: nightly',
        '- Request id: req-created',
        `Console: ${CONSOLE_URL}`,
      ].join('\n'),
    );
  });

  it('says the same in zh-CN', () => {
    const message = renderMessage([created()], SHANGHAI);
    expect(message.title).toBe('已创建 4090 1卡16核64G: grab-ab12cd');
    expect(message.text).toBe(
      [
        '自动创建 grab4090 已为监控 4090-wlcb 创建实例：',
        '- 实例：grab-ab12cd (uhost-x1y2)',
        '- 可用区：cn-wlcb-01',
        '- 规格：4090 1卡16核64G',
        '- 计费方式：Dynamic',
        '- 价格：¥1.88/小时',
        '- 定时关机：2026-11-25 02:00:00（Asia/Shanghai）',
        '- 停机策略：nightly',
        '- 请求 ID：req-created',
        `控制台：${CONSOLE_URL}`,
      ].join('\n'),
    );
  });

  it('shows the stop time in the message’s timezone and money with two decimals', () => {
    const message = renderMessage([created({ ...createdPayload, hourlyPrice: 2 })], { locale: 'en', timezone: 'UTC' });
    expect(message.text).toContain('- Scheduled stop: 2026-11-24 18:00:00 (UTC)\n');
    expect(message.text).toContain('- Price: ¥2.00/h\n');
    expect(renderMessage([created({ ...createdPayload, hourlyPrice: 0.5 })], SHANGHAI).text).toContain('- 价格：¥0.50/小时\n');
  });

  it('says when the price is unknown and when nothing will stop the instance', () => {
    const payload = { ...createdPayload, hourlyPrice: null, stopPolicy: null, stopTime: null, requestUuid: null };
    const en = renderMessage([created(payload)], ENGLISH).text;
    expect(en).toContain('- Price unknown\n- No scheduled stop: it runs until you stop it\nConsole: ');
    expect(en).not.toContain('Stop policy');
    expect(en).not.toContain('Request id');
    const zh = renderMessage([created(payload)], SHANGHAI).text;
    expect(zh).toContain('- 价格未知\n- 无定时关机：它会一直运行，直到你手动停止\n控制台：');
  });

  it('says a dry run in the title and in the text of every format, in both locales', () => {
    const payload = { ...createdPayload, dryRun: true, instance: null, requestUuid: null };
    const en = renderMessage([created(payload)], ENGLISH);
    expect(en.title).toBe('[dry run] Would create 4090 1 GPU/16C/64G: grab-ab12cd');
    expect(en.text).toMatch(/^Provisioner grab4090 would create an instance for watch 4090-wlcb:\n- Instance: grab-ab12cd\n/);
    const note = 'Dry run: nothing was created; set dryRun: false to create for real.';
    expect(en.text).toContain(`\n${note}\n`);
    expect(en.markdown).toContain(`### \\[dry run\\] Would create`);
    expect(en.markdown).toContain(note);
    expect(en.html).toContain(`<p>${note}</p>`);

    const zh = renderMessage([created(payload)], SHANGHAI);
    expect(zh.title).toBe('[演练] 将会创建 4090 1卡16核64G: grab-ab12cd');
    expect(zh.text).toMatch(/^自动创建 grab4090 将会为监控 4090-wlcb 创建实例：\n/);
    expect(zh.text).toContain('\n演练：没有创建任何实例；把 dryRun 设为 false 才会真正创建。\n');
  });

  it('renders both a capacity flip and the instance created for it, the instance leading the title', () => {
    const flip: RenderableEvent = {
      id: 'capacity.available:4090-wlcb:1-16-64',
      type: 'capacity.available',
      payload: { watch: '4090-wlcb', zone: 'cn-wlcb-01', gpuType: '4090', at: AT, gpu: 1, cpu: 16, mem: 64, previousSince: null },
      createdAt: AT,
    };
    const message = renderMessage([flip, created()], ENGLISH);
    expect(message.title).toBe('Created 4090 1 GPU/16C/64G: grab-ab12cd (+1 more)');
    const [provision, capacity] = message.text.split('\n\n');
    expect(capacity).toMatch(/^4090-wlcb \(zone cn-wlcb-01, GPU 4090\) has capacity:\n- 1 GPU, 16 vCPU, 64 GB: first reading\n/);
    expect(provision).toMatch(/^Provisioner grab4090 created an instance for watch 4090-wlcb:\n/);
    expect(message.events.map((event) => event.type)).toEqual(['capacity.available', 'provision.created']);
  });
});

describe('renderMessage: provision.failed', () => {
  const titles: Record<Failure, { en: string; zh: string }> = {
    'lost-race': { en: 'Lost the race for 4090 1 GPU/16C/64G: sold out again', zh: '没抢到 4090 1卡16核64G: 创建前又售罄' },
    paused: { en: 'Provisioner grab4090 paused: account in arrears or unverified', zh: '自动创建 grab4090 已暂停: 账户欠费或未实名' },
    refused: { en: 'Create refused for grab-ab12cd: 4090 1 GPU/16C/64G', zh: '创建被拒绝 grab-ab12cd: 4090 1卡16核64G' },
    'not-created': { en: 'Create of grab-ab12cd did not happen', zh: 'grab-ab12cd 没有创建成功' },
    'stop-not-set': { en: 'grab-ab12cd (uhost-x1y2) has NO scheduled stop', zh: 'grab-ab12cd (uhost-x1y2) 没有定时关机！' },
    blocked: { en: 'Not created: the API said: resources not enough', zh: '未创建: the API said: resources not enough' },
  };

  it.each(PROVISION_FAILURES)('titles %s by what happened, and lists the reason, provisioner, watch, spec, RetCode and request id', (failure) => {
    const en = renderMessage([failed(failedPayload(failure))], ENGLISH);
    expect(en.title).toBe(titles[failure].en);
    expect(en.text).toMatch(/^[^\n]*provisioner grab4090 [^\n]*watch 4090-wlcb/i);
    for (const line of ['- Reason: the API said: resources not enough', '- Spec: 4090 1 GPU, 16 vCPU, 64 GB', '- RetCode: 226604', '- Request id: req-failed']) {
      expect(en.text).toContain(`${line}\n`);
    }
    const zh = renderMessage([failed(failedPayload(failure))], SHANGHAI);
    expect(zh.title).toBe(titles[failure].zh);
    expect(zh.text).toMatch(/^[^\n]*自动创建 grab4090[^\n]*监控 4090-wlcb/);
    for (const line of ['- 原因：the API said: resources not enough', '- 规格：4090 1卡16核64G', '- RetCode：226604', '- 请求 ID：req-failed']) {
      expect(zh.text).toContain(`${line}\n`);
    }
  });

  it('says that an instance without a stop bills until stopped, and links the console to stop it', () => {
    const message = renderMessage([failed(failedPayload('stop-not-set', { reason: 'RetCode 8039 from UpdateCompShareStopScheduler' }))], ENGLISH);
    expect(message.text).toBe(
      [
        'Provisioner grab4090 created grab-ab12cd (uhost-x1y2) for watch 4090-wlcb but could not set its scheduled stop: it bills until it is stopped.',
        '- Reason: RetCode 8039 from UpdateCompShareStopScheduler',
        '- Instance: grab-ab12cd (uhost-x1y2)',
        '- Zone: cn-wlcb-01',
        '- Spec: 4090 1 GPU, 16 vCPU, 64 GB',
        '- Charge type: Dynamic',
        '- Price: ¥1.88/h',
        '- RetCode: 226604',
        '- Request id: req-failed',
        `Set a scheduled stop or stop it in the console now: ${CONSOLE_URL}`,
      ].join('\n'),
    );
    expect(renderMessage([failed(failedPayload('stop-not-set'))], SHANGHAI).text).toContain(`请立即到控制台为它设置定时关机或停止它：${CONSOLE_URL}`);
  });

  it('tells how to resume a paused provisioner', () => {
    const en = renderMessage([failed(failedPayload('paused', { retCode: 226601 }))], ENGLISH).text;
    expect(en).toContain('the account is in arrears or not verified, so it creates nothing until it is resumed.');
    expect(en).toContain('\nTop up or verify the account, then run: compshare-watch provision resume grab4090');
    expect(renderMessage([failed(failedPayload('paused'))], SHANGHAI).text).toContain('compshare-watch provision resume grab4090');
  });

  it('leaves out the RetCode and request id when the API gave none', () => {
    const payload = failedPayload('blocked', { reason: 'price ¥2.10/h is above maxHourlyPrice ¥1.50/h', retCode: null, requestUuid: null, hourlyPrice: 2.1 });
    const message = renderMessage([failed(payload)], ENGLISH);
    expect(message.title).toBe('Not created: price ¥2.10/h is above maxHourlyPrice ¥1.50/h');
    expect(message.text).toContain('- Price: ¥2.10/h\n');
    expect(message.text).not.toContain('RetCode');
    expect(message.text).not.toContain('Request id');
    expect(message.text).not.toContain(CONSOLE_URL);
  });

  it('says a dry run in the title and the text of a failure too', () => {
    const payload = failedPayload('blocked', { dryRun: true, reason: 'maxInstances 1 reached', retCode: null, requestUuid: null });
    const en = renderMessage([failed(payload)], ENGLISH);
    expect(en.title).toBe('[dry run] Not created: maxInstances 1 reached');
    expect(en.text).toMatch(/\nDry run: nothing was created; set dryRun: false to create for real\.$/);
    const zh = renderMessage([failed(payload)], SHANGHAI);
    expect(zh.title).toBe('[演练] 未创建: maxInstances 1 reached');
    expect(zh.text).toMatch(/\n演练：没有创建任何实例；把 dryRun 设为 false 才会真正创建。$/);
  });

  it('puts an instance billing without a stop, or a paused provisioner, ahead of other failures in a batch', () => {
    const lost = failed(failedPayload('lost-race'));
    expect(renderMessage([lost, failed(failedPayload('stop-not-set'))], ENGLISH).title).toBe('grab-ab12cd (uhost-x1y2) has NO scheduled stop (+1 more)');
    expect(renderMessage([lost, failed(failedPayload('paused'))], ENGLISH).title).toMatch(/^Provisioner grab4090 paused/);
    expect(renderMessage([lost, created()], ENGLISH).title).toBe('Created 4090 1 GPU/16C/64G: grab-ab12cd (+1 more)');
  });
});

describe('renderMessage: a provision payload that is not what its type promises', () => {
  it.each([
    ['provision.created', created().payload],
    ['provision.failed', failed(failedPayload('refused')).payload],
  ])('shows %s without its name field as a generic line instead of failing the delivery', (type, payload) => {
    const { name: _dropped, ...missing } = payload;
    const message = renderMessage([{ id: 'm', type, payload: missing, createdAt: AT }], ENGLISH);
    expect(message.title).toBe(`compshare-watch event: ${type}`);
    expect(message.text).toMatch(new RegExp(`^Event ${type.replace('.', '\\.')} at 2026-11-24 21:50:07: watch=4090-wlcb, `));
  });
});
