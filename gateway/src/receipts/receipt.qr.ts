import QRCode from 'qrcode';

/** The dark modules of a QR code of `text`, as [column, row] pairs on a `size`×`size` grid (quiet zone excluded). */
export function qrModules(text: string): { size: number; dark: [number, number][] } {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const dark: [number, number][] = [];
  for (let row = 0; row < modules.size; row++) {
    for (let column = 0; column < modules.size; column++) if (modules.get(row, column)) dark.push([column, row]);
  }
  return { size: modules.size, dark };
}

/** An inline SVG of the code (no image URL, so the page's `default-src 'none'` holds), 4 modules of quiet zone. */
export function qrSvg(text: string, pixels: number): string {
  const { size, dark } = qrModules(text);
  const path = dark.map(([x, y]) => `M${x + 4} ${y + 4}h1v1h-1z`).join('');
  const box = size + 8;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${box} ${box}" width="${pixels}" height="${pixels}" shape-rendering="crispEdges" role="img" aria-hidden="true">`
    + `<rect width="${box}" height="${box}" fill="#fff"/><path d="${path}" fill="#000"/></svg>`;
}
