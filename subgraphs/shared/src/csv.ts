/** One CSV record and the line of the file it starts on (1 = the header). */
export interface CsvRecord { line: number; fields: string[] }

/**
 * RFC 4180: fields separated by commas; a field holding a comma, a double quote or a line break is in double
 * quotes, with inner quotes doubled. Unquoted fields are trimmed; a BOM and CRLF line ends (Excel) are fine;
 * blank lines are skipped. A malformed record is reported with its line and left out.
 */
export function splitCsv(text: string): { records: CsvRecord[]; problems: { line: number; message: string }[] } {
  const records: CsvRecord[] = [];
  const problems: { line: number; message: string }[] = [];
  const src = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  let line = 1;
  let start = 1;
  let fields: string[] = [];
  let field = '';
  let quoted = false; // inside quotes
  let wasQuoted = false; // this field opened with a quote
  let closed = false; // its closing quote has been read
  let bad = false;
  const endField = () => { fields.push(wasQuoted ? field : field.trim()); field = ''; wasQuoted = false; closed = false; };
  const endRecord = () => {
    endField();
    if (!bad && !(fields.length === 1 && fields[0] === '')) records.push({ line: start, fields });
    fields = [];
    bad = false;
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') { field += '"'; i++; } else if (c === '"') { quoted = false; closed = true; } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === ',') { endField(); continue; }
    if (c === '\n') { endRecord(); line++; start = line; continue; }
    if (c === '"' && !wasQuoted && field.trim() === '') { quoted = true; wasQuoted = true; field = ''; continue; }
    if (closed && c.trim() === '') continue;
    if (!bad && (c === '"' || closed)) {
      bad = true;
      problems.push({ line: start, message: 'a double quote inside a field: put the whole field in double quotes and double the quotes inside it' });
    }
    field += c;
  }
  if (quoted) problems.push({ line: start, message: 'a quoted field is never closed' });
  else if (field !== '' || fields.length > 0) endRecord();
  return { records, problems };
}
