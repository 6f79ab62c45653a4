import { ApiError, type ApiErrorBody } from '../../errors';
import { currentToken } from '../../session';
import type { ImportReport } from '../../api/types';

/**
 * Uploads a feed file as POST /imports does it (the CSV as the body), by XMLHttpRequest because
 * fetch reports no upload progress. Resolves with the import's report once the API has checked
 * and written every row.
 */
export function uploadFeed(file: File, feed: string, onProgress: (sentFraction: number) => void): Promise<ImportReport> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    const query = new URLSearchParams({ feed, fileName: file.name });
    request.open('POST', `/imports?${query.toString()}`);
    request.setRequestHeader('content-type', 'text/csv');
    const token = currentToken();
    if (token) request.setRequestHeader('authorization', `Bearer ${token}`);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.upload.onload = () => onProgress(1);
    request.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = null;
      }
      if (request.status === 201) resolve(body as ImportReport);
      else reject(new ApiError(request.status, (body ?? {}) as ApiErrorBody));
    };
    request.onerror = () => reject(new Error('network error'));
    request.send(file);
  });
}
