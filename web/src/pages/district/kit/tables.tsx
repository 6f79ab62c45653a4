import { App, Typography } from 'antd';
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { api, unwrap } from '../../../api/client';
import type { CaseView, Query } from '../../../api/types';
import { describeError } from '../../../errors';


/**
 * A ProTable request that puts a refusal in Chinese in a message and leaves the table empty,
 * rather than loading forever.
 */
export function useTableRequest() {
  const { message } = App.useApp();
  return async <Row,>(load: () => Promise<{ data: Row[]; total?: number }>) => {
    try {
      return { ...(await load()), success: true };
    } catch (error) {
      message.error(describeError(error).message);
      return { data: [] as Row[], success: false };
    }
  };
}

/** The cases a query finds, each read whole (the list gives a summary only). */
export async function caseViews(query: Query<'/cases'>): Promise<CaseView[]> {
  const rows = await unwrap(api.GET('/cases', { params: { query } }));
  return Promise.all(rows.map((row) => unwrap(api.GET('/cases/{caseId}', { params: { path: { caseId: row.caseId ?? '' } } }))));
}

/** A household's name, linking to its case, over a second line in small grey (its category, its USCC). */
export function HouseholdCell({ to, name, note }: { to: string; name: ReactNode; note: ReactNode }) {
  return (
    <div>
      <Link to={to}>{name}</Link>
      <div>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {note}
        </Typography.Text>
      </div>
    </div>
  );
}
