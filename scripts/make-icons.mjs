// Draws the PNG icons (extension logo and one per task) from code, so they can be regenerated and reviewed.
// Usage: node scripts/make-icons.mjs
import { deflateSync } from "node:zlib";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
};

/** A rounded square in `color` holding a white "stacked disks" glyph (an image factory). */
function icon(size, color) {
  const rows = [];
  const r = size * 0.18;
  for (let y = 0; y < size; y++) {
    const row = [0];
    for (let x = 0; x < size; x++) {
      const cx = Math.min(Math.max(x, r), size - 1 - r), cy = Math.min(Math.max(y, r), size - 1 - r);
      const inside = (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
      const u = x / size, v = y / size;
      const disk = [0.3, 0.5, 0.7].some((d) => ((u - 0.5) / 0.3) ** 2 + ((v - d) / 0.09) ** 2 <= 1 && ((u - 0.5) / 0.3) ** 2 + ((v - d) / 0.09) ** 2 >= 0.45);
      const [cr, cg, cb] = disk ? [255, 255, 255] : color;
      row.push(cr, cg, cb, inside ? 255 : 0);
    }
    rows.push(Buffer.from(row));
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const palette = { Vm: [0, 120, 212], Image: [16, 124, 16], Environment: [135, 100, 184], Factory: [202, 80, 16], Builder: [0, 153, 188] };
writeFileSync(join(root, "images", "extension-icon.png"), icon(128, [0, 90, 158]));
for (const name of readdirSync(join(root, "tasks"))) {
  if (!existsSync(join(root, "tasks", name, "task.json"))) continue;
  const key = Object.keys(palette).find((k) => name.includes(k)) ?? "Vm";
  writeFileSync(join(root, "tasks", name, "icon.png"), icon(32, palette[key]));
}
