// RFC 4180 CSV as Airtable / Google Sheets / Excel export it: optional BOM, CRLF or LF, quoted
// fields with "" escapes and embedded newlines. Returns records with the line each starts on.

export interface CsvRecord {
  /** 1-based line of the file where this record starts (for error messages). */
  line: number;
  cells: string[];
}

export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

export function parseCsv(text: string, delimiter = ','): CsvRecord[] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let recordLine = 1;
  let inQuotes = false;
  let quoteStartLine = 0;
  let cellWasQuoted = false;

  const endCell = (): void => {
    cells.push(cell);
    cell = '';
    cellWasQuoted = false;
  };
  const endRecord = (): void => {
    endCell();
    // A line with nothing on it is not a row (trailing newlines, blank separators).
    if (!(cells.length === 1 && cells[0] === '')) records.push({ line: recordLine, cells });
    cells = [];
  };

  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          cell += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"') {
      if (cell.trim() !== '' || cellWasQuoted) {
        throw new CsvSyntaxError(`line ${line}: a quote may only start a field (use "" inside quoted fields)`, line);
      }
      cell = '';
      inQuotes = true;
      cellWasQuoted = true;
      quoteStartLine = line;
    } else if (ch === delimiter) {
      endCell();
    } else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else if (cellWasQuoted) {
      if (ch.trim() !== '') throw new CsvSyntaxError(`line ${line}: unexpected text after a closing quote`, line);
    } else {
      cell += ch;
    }
  }
  if (inQuotes) throw new CsvSyntaxError(`line ${quoteStartLine}: a quoted field is never closed`, quoteStartLine);
  endRecord();
  return records;
}
