// ARM's uniqueString(): the arguments joined with '-', UTF-8 encoded, hashed to 64 bits with the
// MurmurHash64 variant of Microsoft's ResourceStack library (two 32-bit lanes over 8-byte blocks,
// seed 0), then written as 13 characters of lower-case base-32 (a-z, 2-7), most significant bits first.

const C1 = 0x239b961b;
const C2 = 0xab0e9789;

const rotl = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;
const mul = (a: number, b: number) => Math.imul(a, b) >>> 0;

function fmix(h: number): number {
  h = (h ^ (h >>> 16)) >>> 0;
  h = mul(h, 0x85ebca6b);
  h = (h ^ (h >>> 13)) >>> 0;
  h = mul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function readUint32(data: Uint8Array, offset: number, available: number): number {
  // Little-endian; a partial tail block reads as zero-padded.
  let value = 0;
  for (let i = Math.min(available, 4) - 1; i >= 0; i--) value = (value << 8) | (data[offset + i] as number);
  return value >>> 0;
}

/** The 64-bit hash, as a bigint. */
export function murmurHash64(data: Uint8Array, seed = 0): bigint {
  let h1 = seed >>> 0;
  let h2 = seed >>> 0;
  const length = data.length;
  let offset = 0;
  for (; offset + 8 <= length; offset += 8) {
    let k1 = readUint32(data, offset, 4);
    let k2 = readUint32(data, offset + 4, 4);

    k1 = mul(rotl(mul(k1, C1), 15), C2);
    h1 = (h1 ^ k1) >>> 0;
    h1 = (rotl(h1, 19) + h2) >>> 0;
    h1 = (mul(h1, 5) + 0x561ccd1b) >>> 0;

    k2 = mul(rotl(mul(k2, C2), 17), C1);
    h2 = (h2 ^ k2) >>> 0;
    h2 = (rotl(h2, 13) + h1) >>> 0;
    h2 = (mul(h2, 5) + 0x0bcaa747) >>> 0;
  }
  const remaining = length - offset;
  if (remaining > 0) {
    const k1 = mul(rotl(mul(readUint32(data, offset, remaining), C1), 15), C2);
    h1 = (h1 ^ k1) >>> 0;
    if (remaining > 4) {
      const k2 = mul(rotl(mul(readUint32(data, offset + 4, remaining - 4), C2), 17), C1);
      h2 = (h2 ^ k2) >>> 0;
    }
  }
  h1 = (h1 ^ length) >>> 0;
  h2 = (h2 ^ length) >>> 0;
  h1 = (h1 + h2) >>> 0;
  h2 = (h2 + h1) >>> 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 = (h1 + h2) >>> 0;
  h2 = (h2 + h1) >>> 0;
  return (BigInt(h2) << 32n) | BigInt(h1);
}

const ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

export function base32Of64(hash: bigint): string {
  let out = "";
  let value = hash;
  for (let i = 0; i < 13; i++) {
    out += ALPHABET[Number(value >> 59n)];
    value = (value << 5n) & 0xffffffffffffffffn;
  }
  return out;
}

export function uniqueString(...values: string[]): string {
  return base32Of64(murmurHash64(new TextEncoder().encode(values.join("-"))));
}
