import type { AssuranceLevel } from './roles';

/**
 * The assurance level (mức độ) as single sign-on states it: one `acr` value per level, in ID tokens and in the
 * access tokens relying parties receive. A relying party asks for level 2 with `acr_values`; the graph's verifier
 * reads a relying party's token's level from its `acr`. These two values and their mapping live here and nowhere else.
 */
export const ACR_LEVEL_1 = 'urn:national-identity-graph:acr:level-1';
export const ACR_LEVEL_2 = 'urn:national-identity-graph:acr:level-2';
export const ACR_VALUES: readonly string[] = [ACR_LEVEL_1, ACR_LEVEL_2];

export function acrOfLevel(level: AssuranceLevel): string {
  return level === 2 ? ACR_LEVEL_2 : ACR_LEVEL_1;
}

/** The level an `acr` value states; null for anything that is not one of ours. */
export function levelOfAcr(acr: unknown): AssuranceLevel | null {
  if (acr === ACR_LEVEL_2) return 2;
  if (acr === ACR_LEVEL_1) return 1;
  return null;
}

/**
 * The scope a relying party's access token must carry to be used on the graph on the person's behalf (the token's
 * audience names the graph too). An access token without it is refused by every verifier.
 */
export const GRAPH_SCOPE = 'graph';
