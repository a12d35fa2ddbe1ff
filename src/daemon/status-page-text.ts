import type { Locale } from '../notify/locales/index.js';

/** Every word the status page shows, per locale; a missing phrase fails the type check. */
export interface PageText {
  title: string;
  generated: string;
  watches: string;
  watch: string;
  spec: string;
  state: string;
  since: string;
  available: string;
  soldout: string;
  last24h: string;
  last7d: string;
  typicalWindow: string;
  forecast: string;
  /** The chance (already `85%` text) that a sold-out key becomes available within the next 6 hours. */
  chanceWithin6h: (chance: string) => string;
  mostLikelyNext: string;
  availableNow: string;
  neverInPeriod: string;
  noData: string;
  lastPoll: string;
  failing: string;
  blind: string;
  late: string;
  ok: string;
  never: string;
  heatMap: string;
  heatMapNote: string;
  weekdays: readonly string[];
  events: string;
  noEvents: string;
  instances: string;
  noInstances: string;
  stopAt: string;
  noStop: string;
  outbox: string;
  pending: string;
  failed: string;
  empty: string;
  language: string;
}

export const PAGE_TEXT: Record<Locale, PageText> = {
  en: {
    title: 'compshare-watch status',
    generated: 'as of',
    watches: 'Spec keys',
    watch: 'Watch',
    spec: 'GPU / CPU / memory',
    state: 'State',
    since: 'since',
    available: 'available',
    soldout: 'sold out',
    last24h: 'last 24 h',
    last7d: 'last 7 days',
    typicalWindow: 'typical window',
    forecast: 'forecast',
    chanceWithin6h: (chance) => `${chance} within 6 h`,
    mostLikelyNext: 'most likely next',
    availableNow: 'available now',
    neverInPeriod: 'never available in the last 30 days',
    noData: 'no data',
    lastPoll: 'last poll',
    failing: 'failing',
    blind: 'blind',
    late: 'late',
    ok: 'ok',
    never: 'not polled yet',
    heatMap: 'Hour x weekday (last 30 days)',
    heatMapNote: 'darker green = more often available; pale red = never; grey = no data',
    weekdays: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
    events: 'Recent events',
    noEvents: 'No events in the last 7 days.',
    instances: 'Owned instances',
    noInstances: 'No instances created by this tool.',
    stopAt: 'stops at',
    noStop: 'no scheduled stop',
    outbox: 'Notification queue',
    pending: 'pending',
    failed: 'failed',
    empty: 'Empty.',
    language: '中文',
  },
  'zh-CN': {
    title: 'compshare-watch 状态',
    generated: '更新于',
    watches: '规格',
    watch: '监控',
    spec: 'GPU / CPU / 内存',
    state: '状态',
    since: '自',
    available: '有货',
    soldout: '售罄',
    last24h: '最近 24 小时',
    last7d: '最近 7 天',
    typicalWindow: '典型窗口',
    forecast: '预测',
    chanceWithin6h: (chance) => `6 小时内有货概率 ${chance}`,
    mostLikelyNext: '最可能下次',
    availableNow: '当前有货',
    neverInPeriod: '最近 30 天从未有货',
    noData: '无数据',
    lastPoll: '上次查询',
    failing: '查询失败',
    blind: '失明',
    late: '超时未查询',
    ok: '正常',
    never: '尚未查询',
    heatMap: '小时 x 星期(最近 30 天)',
    heatMapNote: '绿色越深 = 越常有货;浅红 = 从未有货;灰色 = 无数据',
    weekdays: ['周一', '周二', '周三', '周四', '周五', '周六', '周日'],
    events: '最近事件',
    noEvents: '最近 7 天没有事件。',
    instances: '本工具创建的实例',
    noInstances: '没有本工具创建的实例。',
    stopAt: '定时关机',
    noStop: '未设定时关机',
    outbox: '通知队列',
    pending: '待发送',
    failed: '失败',
    empty: '空。',
    language: 'English',
  },
};
