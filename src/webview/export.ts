/*
 * Export of the diagram: a self-contained SVG (computed theme colours written into attributes,
 * a background rect, no external references) and a PNG rendered from it on a canvas.
 * Layer: webview (DOM only).
 */
import { SVG_NS } from './dom';

const PROPS = ['fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-dasharray', 'opacity', 'font-size', 'font-family', 'font-weight', 'font-style'];

/** Serialises the live diagram into a standalone SVG document string. */
export function diagramToSvg(svg: SVGSVGElement): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const src = [svg, ...Array.from(svg.querySelectorAll('*'))];
  const dst = [clone, ...Array.from(clone.querySelectorAll('*'))];
  src.forEach((el, i) => {
    const cs = getComputedStyle(el);
    const d = dst[i] as Element;
    for (const p of PROPS) {
      const v = cs.getPropertyValue(p);
      if (v && !(el.hasAttribute(p) && p !== 'fill-opacity')) d.setAttribute(p, v);
    }
    d.removeAttribute('tabindex');
    d.removeAttribute('class');
  });
  const bg = getComputedStyle(document.body).backgroundColor || '#ffffff';
  const rect = document.createElementNS(SVG_NS, 'rect');
  rect.setAttribute('width', '100%');
  rect.setAttribute('height', '100%');
  rect.setAttribute('fill', bg);
  clone.insertBefore(rect, clone.firstChild);
  // the panel shows the diagram scaled to its width; the file gets the natural size
  const vb = svg.viewBox.baseVal;
  if (vb && vb.width > 0 && vb.height > 0) {
    clone.setAttribute('width', String(vb.width));
    clone.setAttribute('height', String(vb.height));
  }
  clone.setAttribute('xmlns', SVG_NS);
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(clone);
}

/** Renders an SVG string to PNG base64 (no data: prefix) at `scale` times its size. */
export function svgToPngBase64(svgText: string, width: number, height: number, scale = 2): Promise<string> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = Math.ceil(width * scale);
      canvas.height = Math.ceil(height * scale);
      const ctx = canvas.getContext('2d');
      if (!ctx) return reject(new Error('no canvas'));
      ctx.scale(scale, scale);
      ctx.drawImage(img, 0, 0);
      resolve(canvas.toDataURL('image/png').replace(/^data:image\/png;base64,/, ''));
    };
    img.onerror = () => reject(new Error('could not render the SVG'));
    const bytes = new TextEncoder().encode(svgText);
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    img.src = 'data:image/svg+xml;base64,' + btoa(bin);
  });
}
