import { durationParts, type DurationUnit } from '../../util/duration.js';
import type { CapacityKind, FailurePhrases, HistoryFacts, Phrases, ProvisionFailure, WatchRef } from './phrases.js';

const where = ({ watch, zone, gpuType }: WatchRef) => `监控 ${watch}（可用区 ${zone}，GPU ${gpuType}）`;

const titleWord: Record<CapacityKind, string> = { available: '有货', soldout: '售罄', reminder: '仍有货' };
const headingWord: Record<CapacityKind, string> = { available: '有货了', soldout: '已售罄', reminder: '仍然有货' };

const unitWord: Record<DurationUnit, string> = { s: '秒', m: '分钟', h: '小时', d: '天' };

/** `45秒`, `12分钟`, `3小时5分钟`, `2天4小时`. */
function duration(ms: number): string {
  return durationParts(ms)
    .map(([amount, unit]) => `${amount}${unitWord[unit]}`)
    .join('');
}

function recentHistory({ days, windows, median, p90, freeAtThisHourDays: free, observedAtThisHourDays: observed }: HistoryFacts): string {
  const lengths = windows === 0 ? `近 ${days} 天首次有货` : `近 ${days} 天有货时长：中位 ${median}，p90 ${p90}（${windows} 次）`;
  let atThisHour = `近 ${days} 天中 ${free} 天的这个钟点有货`;
  if (observed === 0) atThisHour = `近 ${days} 天这个钟点没有记录`;
  else if (observed < days) atThisHour = `近 ${days} 天有记录的 ${observed} 天中 ${free} 天的这个钟点有货`;
  return `${lengths}；${atThisHour}`;
}

const failures: Record<ProvisionFailure, FailurePhrases> = {
  'lost-race': {
    title: ({ gpuType, spec }) => `没抢到 ${gpuType} ${spec}: 创建前又售罄`,
    what: ({ provisioner, watch }) => `自动创建 ${provisioner} 没有为监控 ${watch} 抢到实例：创建前库存又售罄了。`,
    hint: () => '它会继续监控，下次有货时再试。',
  },
  paused: {
    title: ({ provisioner }) => `自动创建 ${provisioner} 已暂停: 账户欠费或未实名`,
    what: ({ provisioner, watch }) => `自动创建 ${provisioner}（监控 ${watch}）已暂停：账户欠费或未完成实名认证，恢复之前不会创建任何实例。`,
    hint: ({ provisioner }) => `请充值或完成实名认证，然后运行：compshare-watch provision resume ${provisioner}`,
  },
  refused: {
    title: ({ name, gpuType, spec }) => `创建被拒绝 ${name}: ${gpuType} ${spec}`,
    what: ({ provisioner, watch }) => `接口拒绝了自动创建 ${provisioner} 为监控 ${watch} 发起的创建请求，不会重试。`,
    hint: () => '请对照原因检查该自动创建的请求参数（可用区、镜像、规格、计费方式）。',
  },
  'not-created': {
    title: ({ name }) => `${name} 没有创建成功`,
    what: ({ provisioner, watch, name }) =>
      `自动创建 ${provisioner} 为监控 ${watch} 发起的创建没有发生：请求的应答丢失，实例列表中也始终没有出现 ${name}。`,
    hint: () => '它按未创建处理；如果之后在控制台看到它，请在控制台停止：',
  },
  'stop-not-set': {
    title: ({ instance }) => `${instance} 没有定时关机！`,
    what: ({ provisioner, watch, instance }) =>
      `自动创建 ${provisioner} 为监控 ${watch} 创建了 ${instance}，但没能设置定时关机：停止之前它会一直计费。`,
    hint: () => '请立即到控制台为它设置定时关机或停止它：',
  },
  blocked: {
    title: (_attempt, reason) => `未创建: ${reason}`,
    what: ({ provisioner, watch }) => `自动创建 ${provisioner} 没有为监控 ${watch} 创建实例：被限额规则拦下了。`,
    hint: () => '如果它本该创建，请调整该自动创建的限额。',
  },
};

export const zhCN: Phrases = {
  titleMax: 40,
  more: (total) => ` 等${total}项`,
  spec: ({ gpu, cpu, mem }) => `${gpu}卡${cpu}核${mem}G`,
  rowSeparator: '：',
  specShort: ({ gpu, cpu, mem }) => `${gpu}卡${cpu}核${mem}G`,
  capacityTitle: (kind, { watch, gpuType }, spec) => `${gpuType} ${titleWord[kind]}: ${watch} ${spec}`,
  capacityHeading: (kind, watch) => `${where(watch)}${headingWord[kind]}：`,
  previousState: (kind, lasted) => {
    if (lasted === null) return '首次记录';
    return kind === 'available' ? `此前售罄 ${lasted}` : `有货持续了 ${lasted}`;
  },
  recentHistory,
  historySeparator: '。',
  duration,
  availableSince: (time) => `自 ${time} 起有货`,
  at: (time, timezone) => `时间：${time}（${timezone}）`,
  nextStep: '下一步：库存随时可能售罄，请尽快到控制台创建实例：',
  error: (message) => `错误：${message}`,
  blindTitle: (watch) => `监控失明: ${watch}`,
  blind: (watch, lasted, since) => `${where(watch)}已连续 ${lasted} 查询失败（自 ${since} 起），这段时间的库存变化无从得知。`,
  blindHint: '请检查网络、API 密钥和配额；运行 compshare-watch check 可看到具体错误。',
  recoveredTitle: (watch) => `监控恢复: ${watch}`,
  recovered: (watch, lasted, since) => `${where(watch)}已恢复查询，此前失败 ${lasted}（自 ${since} 起）。`,
  policyFailedTitle: (instance) => `停机策略失败: ${instance}`,
  policyFailed: (instance, policy) => `实例 ${instance} 的停机策略 ${policy} 执行失败。`,
  policyHint: '请到控制台确认该实例的定时关机设置，以免继续计费：',
  storageFailingTitle: 'compshare-watch 无法记录查询',
  storageFailing: (database, since) => `compshare-watch 无法写入数据库 ${database}（自 ${since} 起）：查询结果不会被记录，后续提醒也无法排队。`,
  storageFailingHint: '请释放磁盘空间，或停止锁住该数据库的程序；查询仍在继续。',
  storageRecoveredTitle: 'compshare-watch 恢复记录查询',
  storageRecovered: (database, lasted, lostPolls) => `compshare-watch 在 ${lasted} 后恢复写入数据库 ${database}；期间有 ${lostPolls} 次查询未被记录。`,
  dryRunTag: '[演练] ',
  dryRunNote: '演练：没有创建任何实例；把 dryRun 设为 false 才会真正创建。',
  createdTitle: (dryRun, { gpuType, spec, name }) => `${dryRun ? '将会创建' : '已创建'} ${gpuType} ${spec}: ${name}`,
  created: (dryRun, { provisioner, watch }) => `自动创建 ${provisioner} ${dryRun ? '将会为' : '已为'}监控 ${watch} 创建实例：`,
  failures,
  factLabel: {
    instance: '实例',
    zone: '可用区',
    spec: '规格',
    chargeType: '计费方式',
    stopPolicy: '停机策略',
    reason: '原因',
    retCode: 'RetCode',
    requestId: '请求 ID',
  },
  hourlyPrice: (amount) => (amount === null ? '价格未知' : `价格：¥${amount}/小时`),
  scheduledStop: (time, timezone) => (time === null ? '无定时关机：它会一直运行，直到你手动停止' : `定时关机：${time}（${timezone}）`),
  consoleLink: '控制台：',
  genericTitle: (type) => `compshare-watch 事件: ${type}`,
  generic: (type, time) => `事件 ${type}（${time}）：`,
  testTitle: 'compshare-watch 测试消息',
  test: '这是一条测试消息：收到它，说明这个通知渠道配置正确。',
};
