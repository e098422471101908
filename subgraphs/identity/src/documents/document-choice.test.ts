import { describe, expect, it } from 'vitest';
import { checkDocumentTypes, checkSharedDocumentIds, documentsOfTypes, inCatalogueOrder, MAX_SHARED_DOCUMENTS } from './document-choice';
import { IntegratedDocumentType as T } from './integrated-document.stub';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);
const fields = (problems: { field: string }[]) => problems.map((p) => p.field);

describe('the documents a holder presents with an identity QR code', () => {
  it('are none unless chosen', () => {
    expect(checkSharedDocumentIds(undefined)).toEqual({ value: [], problems: [] });
    expect(checkSharedDocumentIds(null)).toEqual({ value: [], problems: [] });
    expect(checkSharedDocumentIds([])).toEqual({ value: [], problems: [] });
  });

  it(`are up to ${MAX_SHARED_DOCUMENTS} uuids, kept in the holder's order, in lower case`, () => {
    const chosen = ids(MAX_SHARED_DOCUMENTS).reverse();
    expect(checkSharedDocumentIds(chosen)).toEqual({ value: chosen, problems: [] });
    expect(checkSharedDocumentIds(['  6F1C1A4E-0D2B-4C8E-9A51-2B7F3E0C9D11 ']).value).toEqual(['6f1c1a4e-0d2b-4c8e-9a51-2b7f3e0c9d11']);
  });

  it.each<[string, string[], string[]]>([
    ['something that is not a uuid', [ids(1)[0], 'DL-123456'], ['documentIds']],
    ['an empty id', [''], ['documentIds']],
    ['the same document twice', [ids(1)[0], ids(1)[0]], ['documentIds']],
    ['the same document twice, in another case', [ids(1)[0], ids(1)[0].toUpperCase()], ['documentIds']],
    [`more than ${MAX_SHARED_DOCUMENTS}`, ids(MAX_SHARED_DOCUMENTS + 1), ['documentIds']],
    ['everything wrong at once', ['x', 'x', ...ids(5)], ['documentIds', 'documentIds', 'documentIds']],
  ])('refuses %s', (_case, chosen, expected) => {
    const { problems } = checkSharedDocumentIds(chosen);
    expect(fields(problems)).toEqual(expected);
    for (const problem of problems) expect(problem.message).toEqual(expect.any(String));
  });
});

describe('the kinds of documents a consent names', () => {
  const allowed = [T.CITIZEN_ID_CARD, T.DRIVING_LICENCE, T.HEALTH_INSURANCE_CARD];

  it('are none unless named, else each once in the catalogue\'s order', () => {
    expect(checkDocumentTypes(undefined, allowed)).toEqual({ value: [], problems: [] });
    expect(checkDocumentTypes([T.HEALTH_INSURANCE_CARD, T.CITIZEN_ID_CARD], allowed)).toEqual({ value: [T.CITIZEN_ID_CARD, T.HEALTH_INSURANCE_CARD], problems: [] });
  });

  it('refuses a type named twice, and a type the partner may not receive (every problem at once)', () => {
    expect(fields(checkDocumentTypes([T.DRIVING_LICENCE, T.DRIVING_LICENCE], allowed).problems)).toEqual(['documentTypes']);
    const outside = checkDocumentTypes([T.PASSPORT, T.DRIVING_LICENCE, T.PASSPORT], allowed);
    expect(fields(outside.problems)).toEqual(['documentTypes', 'documentTypes']);
    expect(outside.problems[1].message).toMatch(/may not receive PASSPORT/);
    expect(checkDocumentTypes([T.TAX_CODE], []).problems[0].message).toMatch(/may receive no documents/);
  });

  it('are checked for duplicates alone when there is no partner to compare with', () => {
    expect(checkDocumentTypes([T.PASSPORT], null).problems).toEqual([]);
  });

  it('become one reference per type, naming the holder', () => {
    expect(inCatalogueOrder([T.SOCIAL_INSURANCE_BOOK, T.CITIZEN_ID_CARD, T.SOCIAL_INSURANCE_BOOK])).toEqual([T.CITIZEN_ID_CARD, T.SOCIAL_INSURANCE_BOOK]);
    expect(documentsOfTypes('h1', [T.DRIVING_LICENCE, T.PASSPORT])).toEqual([{ holderAccountId: 'h1', type: T.DRIVING_LICENCE }, { holderAccountId: 'h1', type: T.PASSPORT }]);
  });
});
