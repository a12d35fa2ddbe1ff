import type { CapacityKind, Phrases, WatchRef } from './phrases.js';

const where = ({ watch, zone, gpuType }: WatchRef) => `监控 ${watch}（可用区 ${zone}，GPU ${gpuType}）`;

const titleWord: Record<CapacityKind, string> = { available: '有货', soldout: '售罄', reminder: '仍有货' };
const headingWord: Record<CapacityKind, string> = { available: '有货了', soldout: '已售罄', reminder: '仍然有货' };

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
    return kind === 'available' ? `此前售罄 ${lasted}` : `此前有货 ${lasted}`;
  },
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
  genericTitle: (type) => `compshare-watch 事件: ${type}`,
  generic: (type, time) => `事件 ${type}（${time}）：`,
  testTitle: 'compshare-watch 测试消息',
  test: '这是一条测试消息：收到它，说明这个通知渠道配置正确。',
};
