// A tiny but well-formed fixed VHD (a few KB of data and the 512-byte footer with the "conectix" cookie),
// written to storage where a real service would keep a disk image, so SAS downloads return a real VHD.

export function fakeVhd(seed: string, dataBytes = 4096): Buffer {
  const data = Buffer.alloc(dataBytes);
  const label = Buffer.from(`dtl-emulator:${seed}`, "utf8");
  label.copy(data, 0, 0, Math.min(label.length, dataBytes));
  const footer = Buffer.alloc(512);
  footer.write("conectix", 0, "ascii");
  footer.writeUInt32BE(0x00000002, 8); // features: reserved bit set
  footer.writeUInt32BE(0x00010000, 12); // file format version 1.0
  footer.writeBigUInt64BE(0xffffffffffffffffn, 16); // data offset: none for fixed disks
  footer.writeUInt32BE(Math.floor((Date.now() - Date.UTC(2000, 0, 1)) / 1000), 24);
  footer.write("dtle", 28, "ascii"); // creator application
  footer.writeUInt32BE(0x00010000, 32);
  footer.write("Wi2k", 36, "ascii");
  footer.writeBigUInt64BE(BigInt(dataBytes), 40); // original size
  footer.writeBigUInt64BE(BigInt(dataBytes), 48); // current size
  footer.writeUInt16BE(1, 56); // cylinders
  footer.writeUInt8(1, 58); // heads
  footer.writeUInt8(Math.max(1, Math.ceil(dataBytes / 512)), 59); // sectors per track
  footer.writeUInt32BE(2, 60); // disk type: fixed
  for (let i = 0; i < 16; i++) footer.writeUInt8((seed.charCodeAt(i % Math.max(1, seed.length)) + i) & 0xff, 68 + i);
  let sum = 0;
  for (let i = 0; i < 512; i++) if (i < 64 || i >= 68) sum += footer[i] ?? 0;
  footer.writeUInt32BE(~sum >>> 0, 64);
  return Buffer.concat([data, footer]);
}
