import type { FastifyInstance } from 'fastify';

/**
 * The groups of the docs page (/docs), by area: each route file puts its routes in one
 * (tagRoutes). Names are English, for links and clients; descriptions say the area in Chinese.
 */
export const API_TAGS = [
  { name: 'public', description: '公开查询（无需登录）：户的分型、名特优新名录、公示与异议' },
  { name: 'applications', description: '个体户申报与部门推荐：申报表、申报、推荐' },
  { name: 'cases', description: '认定案件办理：案件状态与办理记录、同意推荐、区级审核、补充材料、部门意见、待办与检索' },
  { name: 'recognitions', description: '认定后管理：抽查、年报、经营者变更、取消认定、期满评价、撤销、迁移' },
  { name: 'quotas', description: '市级：年度认定名额' },
  { name: 'tiering', description: '市级：分型运行、年度分型、阈值、单户分型、结果导出' },
  { name: 'tier-objections', description: '分型异议：个体户提出，市级答复' },
  { name: 'imports', description: '市级：部门数据导入' },
  { name: 'departments', description: '相关部门名录' },
  { name: 'support-measures', description: '扶持措施' },
  { name: 'notifications', description: '通知：收件箱、联系方式、投递失败' },
  { name: 'system', description: '系统：运行状态、当前身份、工作日历' },
  { name: 'training', description: '培训系统：时钟' },
  { name: 'demo', description: '开发环境的演示登录' },
] as const;

export type ApiTag = (typeof API_TAGS)[number]['name'];

/** Puts every route `app` registers from now on in the docs page's group `tag`. */
export function tagRoutes(app: FastifyInstance, tag: ApiTag): void {
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, tags: [tag] };
  });
}
