import type { ReceiptView } from './receipt.format';
import { qrSvg } from './receipt.qr';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Every value on the page goes through here: names and addresses are what people typed. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

const STYLE = `
  *{box-sizing:border-box}
  body{margin:0;background:#eef0f3;color:#111;font:15px/1.45 "DejaVu Sans","Segoe UI",Roboto,Arial,sans-serif}
  main{max-width:760px;margin:24px auto;background:#fff;padding:36px 44px;border:1px solid #d5d9e0}
  header{display:flex;justify-content:space-between;gap:24px;text-align:center;font-size:13px}
  header .agency{font-weight:700;text-transform:uppercase;max-width:50%}
  header .nation b{display:block}
  h1{text-align:center;font-size:22px;margin:32px 0 0;letter-spacing:.5px}
  .subtitle{text-align:center;color:#555;margin:2px 0 24px;font-size:13px}
  table{width:100%;border-collapse:collapse}
  th,td{text-align:left;vertical-align:top;padding:8px 0;border-bottom:1px solid #e4e7ec}
  th{width:38%;font-weight:700;padding-right:16px}
  th small{display:block;font-weight:400;color:#666;font-size:12px}
  td.emphasis{font-weight:700}
  footer{display:flex;align-items:center;gap:16px;margin-top:24px;font-size:12px;color:#444}
  footer svg{flex:none}
  @media print{body{background:#fff}main{margin:0;border:0;padding:0;max-width:none}}
`;

/** A self-contained page: inline style and an inline SVG, nothing to fetch. */
export function renderReceiptHtml(view: ReceiptView): string {
  const rows = view.lines.map((line) => `<tr><th scope="row">${escapeHtml(line.label)}<small>${escapeHtml(line.subtitle)}</small></th>`
    + `<td${line.emphasis ? ' class="emphasis"' : ''}>${escapeHtml(line.value)}</td></tr>`).join('\n      ');
  return `<!doctype html>
<html lang="vi">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(view.title)}</title>
  <style>${STYLE}</style>
</head>
<body>
  <main>
    <header>
      <div class="agency">${escapeHtml(view.agencyName)}</div>
      <div class="nation"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b>Độc lập - Tự do - Hạnh phúc</div>
    </header>
    <h1>PHIẾU TIẾP NHẬN HỒ SƠ</h1>
    <p class="subtitle">Dossier receipt</p>
    <table>
      ${rows}
    </table>
    <footer>
      ${qrSvg(view.registrationCode, 96)}
      <p>Vui lòng giữ phiếu này và xuất trình mã hồ sơ khi nhận kết quả.<br>Keep this receipt and show the registration code when the result is handed over.</p>
    </footer>
  </main>
</body>
</html>
`;
}
