import { ApiError, type ApiErrorBody } from '../../errors';
import { currentToken } from '../../session';

/**
 * Saves a file the API answers only to a signed-in caller (a bearer token cannot ride on a plain
 * link): fetched with the token, handed to the browser as a download.
 */
export async function downloadWithToken(path: string, fileName: string): Promise<void> {
  const token = currentToken();
  const response = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as ApiErrorBody;
    throw new ApiError(response.status, body);
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}
