import { Result } from 'antd';
import { Link } from 'react-router-dom';

/** An address no page has (an old link, a mistyped one): say so and offer the way back, rather than a blank page. */
export function NotFound({ home, homeLabel }: { home: string; homeLabel: string }) {
  return <Result status="404" title="页面不存在" subTitle="链接可能已失效或有误，请点击下方链接返回。" extra={<Link to={home}>返回{homeLabel}</Link>} />;
}
