/** Lower case without Vietnamese diacritics ("Đổi giấy phép" → "doi giay phep"), spaces collapsed. */
export function foldForSearch(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase().trim().replace(/\s+/g, ' ');
}

/** Escapes LIKE wildcards so user input is matched literally. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else is answered as "unknown" before it reaches PostgreSQL (which would fail the query). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** An agency's code (C06, CDB, EVN, …), as every subgraph and the database's CHECKs spell it. */
export const AGENCY_CODE = /^[A-Z0-9_]{2,20}$/;
