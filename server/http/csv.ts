/**
 * CSV for spreadsheets people open: RFC 4180 quoting, and a cell that a spreadsheet would run as
 * a formula (starting with = + - @, a tab or a carriage return) is prefixed with an apostrophe, so a
 * reason or a name like `=HYPERLINK(…)` stays text (OWASP "CSV injection").
 */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(",")).join("\r\n");
}

function csvCell(value: string | number | null): string {
  const text = value === null ? "" : String(value);
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
}
