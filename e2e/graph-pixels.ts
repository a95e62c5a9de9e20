import type { Locator } from 'playwright-core';

/**
 * Counts pixels in an element's screenshot that carry one of the level colours. Sigma draws
 * nodes with WebGL, whose buffer cannot be read back after compositing, so we decode a real
 * screenshot in the page's own 2D canvas instead.
 */
export async function levelColouredPixels(target: Locator, colours: string[]): Promise<number> {
  const png = await target.screenshot();
  return target.page().evaluate(
    async ({ b64, colours }) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext('2d');
      if (!ctx) return 0;
      ctx.drawImage(img, 0, 0);
      const { data } = ctx.getImageData(0, 0, img.width, img.height);
      const rgb = colours.map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));
      let hits = 0;
      for (let p = 0; p < data.length; p += 4) {
        for (const [r, g, b] of rgb) {
          if (Math.abs(data[p]! - r!) + Math.abs(data[p + 1]! - g!) + Math.abs(data[p + 2]! - b!) < 40) {
            hits += 1;
            break;
          }
        }
      }
      return hits;
    },
    { b64: png.toString('base64'), colours },
  );
}
