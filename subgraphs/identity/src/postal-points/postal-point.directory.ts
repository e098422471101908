import { ServiceUnavailableError } from '../../../shared/src';

export interface PostalPointSummary { code: string; name: string; isOpen: boolean }

/** Asks the payments subgraph, which owns postal points, whether one exists. */
export interface PostalPointDirectory { find(code: string): Promise<PostalPointSummary | null> }

export class GraphqlPostalPointDirectory implements PostalPointDirectory {
  constructor(private readonly graphqlUrl: string) {}

  async find(code: string): Promise<PostalPointSummary | null> {
    let response: Response;
    try {
      response = await fetch(this.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'query PostalPointForRegistration($code: String!) { postalPoint(code: $code) { code name isOpen } }', variables: { code } }),
        signal: AbortSignal.timeout(3_000),
      });
    } catch {
      throw new ServiceUnavailableError('Postal points cannot be checked right now; try again shortly.');
    }
    const body = (await response.json().catch(() => ({}))) as { data?: { postalPoint: PostalPointSummary | null }; errors?: unknown[] };
    if (!response.ok || body.errors?.length || !body.data) throw new ServiceUnavailableError('Postal points cannot be checked right now; try again shortly.');
    return body.data.postalPoint;
  }
}
