import { inflateSync } from 'node:zlib';

/**
 * Reading back the PDFs we make (pdfkit: Type0 fonts, Identity-H, streams with a direct /Length), the way a reader
 * does, so that tests assert on what a person sees rather than on bytes.
 */
type PdfObjects = Map<string, { dict: string; stream?: string }>;

/**
 * The text a PDF shows, one line per text operator. Embedded fonts write glyph ids, not characters: each font's
 * ToUnicode map says which characters they stand for.
 */
export function pdfText(pdf: Buffer): string {
  const objects = pdfObjects(pdf);
  const fonts = new Map<string, string[]>();
  for (const { dict } of objects.values()) {
    const fontDict = /\/Font <<([^>]*)>>/.exec(dict)?.[1];
    for (const [, name, id] of fontDict?.matchAll(/\/(\w+) (\d+) 0 R/g) ?? []) fonts.set(name, glyphsOf(objects, id));
  }
  const lines: string[] = [];
  for (const { stream } of objects.values()) {
    if (!stream?.includes(' Tf')) continue;
    let glyphs: string[] = [];
    for (const [, font, array, single] of stream.matchAll(/\/(\w+) [\d.]+ Tf|\[([^\]]*)\] TJ|<([0-9a-f]*)> Tj/gi)) {
      if (font) { glyphs = fonts.get(font) ?? []; continue; }
      const hex = [...(array ?? `<${single}>`).matchAll(/<([0-9a-f]*)>/gi)].map(([, h]) => h).join('');
      lines.push((hex.match(/.{4}/g) ?? []).map((id) => glyphs[parseInt(id, 16)] ?? '\uFFFD').join(''));
    }
  }
  return lines.join('\n');
}

/** The document information dictionary (Title, Subject, …), its strings decoded (PDFDocEncoding or UTF-16BE). */
export function pdfInfo(pdf: Buffer): Record<string, string> {
  const objects = pdfObjects(pdf);
  const infoId = /\/Info (\d+) 0 R/.exec(pdf.toString('latin1'))?.[1] ?? '';
  const info: Record<string, string> = {};
  for (const [, key, id, literal] of (objects.get(infoId)?.dict ?? '').matchAll(/\/(\w+) (?:(\d+) 0 R|(\((?:\\.|[^\\)])*\)))/g)) {
    const value = literal ?? objects.get(id)?.dict.trim() ?? '';
    if (value.startsWith('(')) info[key] = decodeString(value);
  }
  return info;
}

function pdfObjects(pdf: Buffer): PdfObjects {
  const raw = pdf.toString('latin1');
  const objects: PdfObjects = new Map();
  const header = /(\d+) 0 obj\s*/g;
  for (let match = header.exec(raw); match; match = header.exec(raw)) {
    const start = header.lastIndex;
    const streamAt = raw.indexOf('stream', start);
    const endAt = raw.indexOf('endobj', start);
    if (streamAt !== -1 && streamAt < endAt) {
      const dict = raw.slice(start, streamAt);
      const length = Number(/\/Length (\d+)/.exec(dict)?.[1]);
      const dataStart = streamAt + 'stream'.length + (raw[streamAt + 6] === '\r' ? 2 : 1);
      const data = Buffer.from(raw.slice(dataStart, dataStart + length), 'latin1');
      objects.set(match[1], { dict, stream: (dict.includes('/FlateDecode') ? inflateSync(data) : data).toString('latin1') });
      header.lastIndex = raw.indexOf('endobj', dataStart + length);
    } else {
      objects.set(match[1], { dict: raw.slice(start, endAt) });
      header.lastIndex = endAt;
    }
  }
  return objects;
}

/** A font's glyph ids → characters, from its ToUnicode map (bfrange arrays, as pdfkit writes them). */
function glyphsOf(objects: PdfObjects, fontId: string): string[] {
  const cmapId = /\/ToUnicode (\d+) 0 R/.exec(objects.get(fontId)?.dict ?? '')?.[1];
  const cmap = (cmapId && objects.get(cmapId)?.stream) || '';
  const glyphs: string[] = [];
  for (const [, from, entries] of cmap.matchAll(/<([0-9a-f]+)> <[0-9a-f]+> \[([^\]]*)\]/gi)) {
    [...entries.matchAll(/<([0-9a-f ]+)>/gi)].forEach(([, units], i) => {
      glyphs[parseInt(from, 16) + i] = String.fromCharCode(...units.split(' ').map((unit) => parseInt(unit, 16)));
    });
  }
  return glyphs;
}

function decodeString(literal: string): string {
  const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };
  const bytes = literal.slice(1, literal.lastIndexOf(')'))
    .replace(/\\([0-7]{1,3}|.)/g, (_, c: string) => (/^[0-7]/.test(c) ? String.fromCharCode(parseInt(c, 8)) : escapes[c] ?? c));
  return bytes.startsWith('\xfe\xff') ? Buffer.from(bytes.slice(2), 'latin1').swap16().toString('utf16le') : bytes;
}
