import type { paths } from './schema';

type Method = 'get' | 'post' | 'put';
type Json<R> = R extends { content: { 'application/json': infer B } } ? B : never;

/** The body of a route's successful answer, as the API's OpenAPI document describes it. */
export type Answer<P extends keyof paths, M extends Method = 'get'> = paths[P][M] extends { responses: infer R }
  ? Json<R extends { 200: infer A } ? A : R extends { 201: infer A } ? A : R extends { 202: infer A } ? A : never>
  : never;

/** The JSON body a route takes. */
export type Body<P extends keyof paths, M extends Method = 'post'> = paths[P][M] extends { requestBody?: infer B } ? Json<NonNullable<B>> : never;

/** The query a route takes. */
export type Query<P extends keyof paths, M extends Method = 'get'> = paths[P][M] extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

export type CaseView = Answer<'/cases/{caseId}'>;
export type CaseEvent = Answer<'/cases/{caseId}/events'>[number];
export type CaseSummary = Answer<'/worklist'>[number];
export type ReviewBody = Body<'/cases/{caseId}/review'>;
export type AnnualReport = NonNullable<CaseView['reports']>[number];
export type TieringRun = Answer<'/tiering/runs/{runId}'>;
export type TieringYear = Answer<'/tiering/years/{year}'>;
export type YearQuota = Answer<'/quotas/{year}'>;
export type ImportReport = Answer<'/imports', 'post'>;
export type ImportRecord = Answer<'/imports/{id}'>;
export type ImportRejection = Answer<'/imports/{id}/rejections'>['items'][number];
export type TierObjectionSummary = NonNullable<Answer<'/tiering/objections'>['items']>[number];
export type TierObjection = Answer<'/tiering/objections/{objectionId}'>;
