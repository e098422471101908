import { readFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import type { ReceiptView } from './receipt.format';
import { qrModules } from './receipt.qr';

/**
 * DejaVu Sans from the dejavu-fonts-ttf package, never a system path: it carries every Vietnamese letter with its
 * marks, and the same file is there wherever the gateway runs. Read once, on the first receipt.
 */
let fonts: { regular: Buffer; bold: Buffer } | undefined;
function dejaVu() {
  fonts ??= {
    regular: readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf')),
    bold: readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf')),
  };
  return fonts;
}

const PAGE = { left: 50, width: 495.28 };
const LABEL_WIDTH = 180;
const VALUE_X = PAGE.left + LABEL_WIDTH + 10;
const VALUE_WIDTH = PAGE.left + PAGE.width - VALUE_X;
const GREY = '#555555';

/**
 * The receipt as an A4 PDF. The same dossier gives the same bytes: the creation date is the dossier's submission,
 * and the registration code is the document's Subject so that a program can read it without decoding the text.
 */
export function renderReceiptPdf(view: ReceiptView): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4', margin: PAGE.left, lang: 'vi', displayTitle: true,
    info: { Title: view.title, Subject: view.registrationCode, Author: view.agencyName, CreationDate: view.submittedAt },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const { regular, bold } = dejaVu();
  doc.registerFont('regular', regular);
  doc.registerFont('bold', bold);

  const column = PAGE.width / 2 - 10;
  doc.font('bold').fontSize(10).text(view.agencyName.toLocaleUpperCase('vi'), PAGE.left, 50, { width: column, align: 'center' });
  const agencyBottom = doc.y;
  doc.font('bold').fontSize(10).text('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', PAGE.left + PAGE.width - column, 50, { width: column, align: 'center' });
  doc.font('regular').fontSize(10).text('Độc lập - Tự do - Hạnh phúc', { width: column, align: 'center' });

  let y = Math.max(agencyBottom, doc.y) + 36;
  doc.font('bold').fontSize(18).text('PHIẾU TIẾP NHẬN HỒ SƠ', PAGE.left, y, { width: PAGE.width, align: 'center' });
  doc.font('regular').fontSize(10).fillColor(GREY).text('Dossier receipt', { width: PAGE.width, align: 'center' }).fillColor('black');
  y = doc.y + 20;

  for (const line of view.lines) {
    doc.font('bold').fontSize(10).text(line.label, PAGE.left, y, { width: LABEL_WIDTH });
    doc.font('regular').fontSize(8).fillColor(GREY).text(line.subtitle, { width: LABEL_WIDTH }).fillColor('black');
    const labelBottom = doc.y;
    doc.font(line.emphasis ? 'bold' : 'regular').fontSize(11).text(line.value, VALUE_X, y, { width: VALUE_WIDTH });
    y = Math.max(labelBottom, doc.y) + 6;
    doc.moveTo(PAGE.left, y).lineTo(PAGE.left + PAGE.width, y).lineWidth(0.5).strokeColor('#d0d4da').stroke();
    y += 8;
  }

  y += 16;
  const { size, dark } = qrModules(view.registrationCode);
  const module = 3;
  for (const [x, row] of dark) doc.rect(PAGE.left + x * module, y + row * module, module, module);
  doc.fillColor('black').fill();
  const qrRight = PAGE.left + size * module + 16;
  doc.font('regular').fontSize(9).fillColor('#333333')
    .text('Vui lòng giữ phiếu này và xuất trình mã hồ sơ khi nhận kết quả.', qrRight, y + 8, { width: PAGE.left + PAGE.width - qrRight })
    .fillColor(GREY).text('Keep this receipt and show the registration code when the result is handed over.', { width: PAGE.left + PAGE.width - qrRight });

  doc.end();
  return done;
}
