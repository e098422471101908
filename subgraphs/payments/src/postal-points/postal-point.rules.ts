import { BadInputError } from '../../../shared/src';

const PROVINCE_CODE = /^\d{3}$/;
export const MAX_SEARCH_LENGTH = 100;

/** Province codes are the three digits that open a personal identification number ("001" Hà Nội). */
export function checkProvinceCode(provinceCode: string | undefined | null): string | undefined {
  if (provinceCode === undefined || provinceCode === null) return undefined;
  if (!PROVINCE_CODE.test(provinceCode)) {
    throw new BadInputError('"provinceCode" is three digits, e.g. "001".', [{ field: 'provinceCode', message: 'three digits' }]);
  }
  return provinceCode;
}

/**
 * The LIKE pattern for a free-text search, before folding: trimmed, inner whitespace collapsed (stored text has
 * single spaces) and LIKE wildcards escaped, so "50%" means the text "50%". Undefined when there is nothing to
 * look for. Case and diacritics are folded by the database with the same function that built `search_text`.
 */
export function searchPattern(search: string | undefined | null): string | undefined {
  const text = (search ?? '').trim().replace(/\s+/g, ' ');
  if (!text) return undefined;
  if (text.length > MAX_SEARCH_LENGTH) {
    throw new BadInputError(`"search" is at most ${MAX_SEARCH_LENGTH} characters.`, [{ field: 'search', message: `at most ${MAX_SEARCH_LENGTH} characters` }]);
  }
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
