/**
 * The masked Adam update of {@link MaskedAdam} (fused-adam.ts) as a small WebAssembly module
 * with f32x4 SIMD, working in place on the tfjs wasm backend's heap: the JS loop over Float32Array
 * views costs ~11 ns per element, more than all the step's matrix products together on
 * LeNet-300-100 (issue 10's profile). The module's bytes are assembled below (nothing to compile
 * on the user's machine); it imports the backend's own WebAssembly.Memory, so the pointers are the
 * tensors' heap offsets and a growth of the heap is seen by both modules.
 *
 * Per element, in float32 (tfjs's Adam computes in float32 too; the JS loop in float64, rounding
 * on store, so the two differ at float rounding):
 *   g' = g·k;  m = β1·m + (1−β1)·g';  v = β2·v + ((1−β2)·g')·g';  w = (w − (step·m)/(√(v·invC2) + ε))·k
 * with k the mask (1 without one). Four elements per iteration, then a scalar tail with the same
 * operations in the same order, so an element's result does not depend on its position.
 *
 * `PRUNESWEEP_ADAM=js` keeps the JS loop (for side-by-side measurements); it is also what runs
 * where the module cannot (no WebAssembly SIMD, a tfjs-backend-wasm whose memory is not at
 * `wasm.asm.memory` or `wasm.wasmMemory`).
 */

/** The update over `n` float32 elements at byte offsets of the heap; `k` 0 = no mask. */
export type AdamUpdate = (w: number, m: number, v: number, g: number, k: number, n: number, b1: number, oneMinusB1: number, b2: number, oneMinusB2: number, step: number, invC2: number, eps: number) => void;

/** The parts of tfjs-backend-wasm's Emscripten module the loader reads (simd build: `asm.memory`; threaded build: `wasmMemory`). */
export interface WasmModuleMemory {
  readonly HEAPU8: Uint8Array;
  readonly asm?: { readonly memory?: unknown };
  readonly wasmMemory?: unknown;
}

// Opcodes (WebAssembly core spec 1.0 and its fixed-width SIMD proposal, now in the 2.0 spec).
const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const BLOCK = 0x02;
const LOOP = 0x03;
const VOID = 0x40;
const BR = 0x0c;
const BR_IF = 0x0d;
const END = 0x0b;
const I32_CONST = 0x41;
const I32_GE_U = 0x4f;
const I32_ADD = 0x6a;
const I32_AND = 0x71;
const I32_SHL = 0x74;
const F32_LOAD = 0x2a;
const F32_STORE = 0x38;
const F32_SQRT = 0x91;
const F32_ADD = 0x92;
const F32_SUB = 0x93;
const F32_MUL = 0x94;
const F32_DIV = 0x95;
/** The SIMD prefix; the SIMD opcode follows as an unsigned LEB128. */
const SIMD = 0xfd;
const V128_LOAD = [SIMD, 0x00];
const V128_STORE = [SIMD, 0x0b];
const F32X4_SPLAT = [SIMD, 0x13];
const F32X4_SQRT = [SIMD, 0xe3, 0x01];
const F32X4_ADD = [SIMD, 0xe4, 0x01];
const F32X4_SUB = [SIMD, 0xe5, 0x01];
const F32X4_MUL = [SIMD, 0xe6, 0x01];
const F32X4_DIV = [SIMD, 0xe7, 0x01];

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}
const sleb32 = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
};
const str = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

// Parameters (locals 0–10) and locals of both functions.
const [W, M, V, G, K, N, B1, OB1, B2, OB2, STEP, INVC2, EPS] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
/** i32 locals: the byte offset of the current element, and the end of the 4-wide part / of all. */
const [OFF, END4, ENDN] = [13, 14, 15];
/** v128 locals: the splatted constants, then the element's values. */
const [VB1, VOB1, VB2, VOB2, VSTEP, VINVC2, VEPS, VK, VG, VM, VV] = [16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26];
/** f32 locals of the scalar tail. */
const [SK, SG, SM, SV] = [27, 28, 29, 30];
const LOCALS = [
  [3, I32],
  [11, V128],
  [4, F32],
];

/** The instructions of one lane width: 4 (f32x4, v128 locals) or 1 (f32). */
interface Lanes {
  load: number[];
  store: number[];
  mul: number[];
  add: number[];
  sub: number[];
  div: number[];
  sqrt: number[];
  /** Locals: β1, 1−β1, β2, 1−β2, step, invC2, ε, then k, g, m, v. */
  b1: number;
  ob1: number;
  b2: number;
  ob2: number;
  step: number;
  invC2: number;
  eps: number;
  k: number;
  g: number;
  m: number;
  v: number;
  bytes: number;
}
const VEC: Lanes = {
  // v128.load/store memarg: alignment hint 2^0 (the views need not be 16-byte aligned), offset 0.
  load: [...V128_LOAD, 0, 0],
  store: [...V128_STORE, 0, 0],
  mul: F32X4_MUL,
  add: F32X4_ADD,
  sub: F32X4_SUB,
  div: F32X4_DIV,
  sqrt: F32X4_SQRT,
  b1: VB1, ob1: VOB1, b2: VB2, ob2: VOB2, step: VSTEP, invC2: VINVC2, eps: VEPS, k: VK, g: VG, m: VM, v: VV,
  bytes: 16,
};
const SCALAR: Lanes = {
  // f32.load/store memarg: alignment hint 2^2, offset 0.
  load: [F32_LOAD, 2, 0],
  store: [F32_STORE, 2, 0],
  mul: [F32_MUL],
  add: [F32_ADD],
  sub: [F32_SUB],
  div: [F32_DIV],
  sqrt: [F32_SQRT],
  b1: B1, ob1: OB1, b2: B2, ob2: OB2, step: STEP, invC2: INVC2, eps: EPS, k: SK, g: SG, m: SM, v: SV,
  bytes: 4,
};

const get = (i: number): number[] => [LOCAL_GET, i];
const set = (i: number): number[] => [LOCAL_SET, i];
/** local.get ptr; local.get OFF; i32.add — the address of the current element of `ptr`. */
const at = (ptr: number): number[] => [...get(ptr), ...get(OFF), I32_ADD];

/** One update of `L`'s width at OFF, then OFF += its bytes. */
function update(L: Lanes, masked: boolean): number[] {
  return [
    // k = load k (masked only)
    ...(masked ? [...at(K), ...L.load, ...set(L.k)] : []),
    // g = load g (· k)
    ...at(G),
    ...L.load,
    ...(masked ? [...get(L.k), ...L.mul] : []),
    ...set(L.g),
    // m = β1·m + (1−β1)·g; store m
    ...get(L.b1),
    ...at(M),
    ...L.load,
    ...L.mul,
    ...get(L.ob1),
    ...get(L.g),
    ...L.mul,
    ...L.add,
    ...set(L.m),
    ...at(M),
    ...get(L.m),
    ...L.store,
    // v = β2·v + ((1−β2)·g)·g; store v
    ...get(L.b2),
    ...at(V),
    ...L.load,
    ...L.mul,
    ...get(L.ob2),
    ...get(L.g),
    ...L.mul,
    ...get(L.g),
    ...L.mul,
    ...L.add,
    ...set(L.v),
    ...at(V),
    ...get(L.v),
    ...L.store,
    // store w = (w − (step·m) / (sqrt(v·invC2) + ε)) (· k)
    ...at(W),
    ...at(W),
    ...L.load,
    ...get(L.step),
    ...get(L.m),
    ...L.mul,
    ...get(L.v),
    ...get(L.invC2),
    ...L.mul,
    ...L.sqrt,
    ...get(L.eps),
    ...L.add,
    ...L.div,
    ...L.sub,
    ...(masked ? [...get(L.k), ...L.mul] : []),
    ...L.store,
    // OFF += bytes
    ...get(OFF),
    I32_CONST,
    ...sleb32(L.bytes),
    I32_ADD,
    ...set(OFF),
  ];
}

/** block; loop; br_if 1 (OFF ≥ end); body; br 0; end; end */
const loopUntil = (end: number, body: number[]): number[] => [BLOCK, VOID, LOOP, VOID, ...get(OFF), ...get(end), I32_GE_U, BR_IF, 1, ...body, BR, 0, END, END];

function body(masked: boolean): number[] {
  const code = [
    // END4 = (n & ~3) << 2; ENDN = n << 2 (byte offsets; OFF starts at 0)
    ...get(N),
    I32_CONST,
    ...sleb32(~3),
    I32_AND,
    I32_CONST,
    2,
    I32_SHL,
    ...set(END4),
    ...get(N),
    I32_CONST,
    2,
    I32_SHL,
    ...set(ENDN),
    // f32x4.splat of each constant
    ...[
      [B1, VB1],
      [OB1, VOB1],
      [B2, VB2],
      [OB2, VOB2],
      [STEP, VSTEP],
      [INVC2, VINVC2],
      [EPS, VEPS],
    ].flatMap(([s, v]) => [...get(s as number), ...F32X4_SPLAT, ...set(v as number)]),
    ...loopUntil(END4, update(VEC, masked)),
    ...loopUntil(ENDN, update(SCALAR, masked)),
    END,
  ];
  const fn = [...vec(LOCALS.map(([count, type]) => [...uleb(count as number), type as number])), ...code];
  return [...uleb(fn.length), ...fn];
}

/**
 * The module: imports env.memory (shared with its maximum where the backend's memory is shared,
 * as in the threaded build) and exports `adam` (no mask) and `adamMasked`, both
 * (w, m, v, g, k, n: i32, β1, 1−β1, β2, 1−β2, step, invC2, ε: f32) → ().
 * 1−β is a parameter, computed in float64 and rounded once as tfjs's Adam does (1 − f32(0.999)
 * in float32 would be off by 1.3e-5 relative).
 */
export function adamModuleBytes(shared: boolean): Uint8Array {
  const type = [0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32], [F32], [F32], [F32], [F32], [F32], [F32], [F32]]), 0];
  // Memory limits: flags 0 (min only) or 3 (shared, min and max); min 0 pages, max 65536 pages (4 GiB).
  const limits = shared ? [0x03, 0, ...uleb(65536)] : [0x00, 0];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
    ...section(1, vec([type])), // type section: one function type
    ...section(2, vec([[...str("env"), ...str("memory"), 0x02, ...limits]])), // import section: memory
    ...section(3, vec([[0], [0]])), // function section: two functions of type 0
    ...section(7, vec([[...str("adam"), 0x00, 0], [...str("adamMasked"), 0x00, 1]])), // export section
    ...section(10, vec([body(false), body(true)])), // code section
  ]);
}

/** The parts of the WebAssembly JS API used here (the project's `lib` has no typings of it). */
interface WebAssemblyApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => { readonly buffer: ArrayBufferLike };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}
/** The host's WebAssembly (undefined where it has none). */
export const webAssembly = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;

const cache = new WeakMap<object, AdamUpdate>();

/**
 * The SIMD update on the memory of `wasm` (tfjs-backend-wasm's module), or a reason why not
 * (then the caller keeps its JS loop).
 */
export function simdAdam(wasm: WasmModuleMemory, env: NodeJS.ProcessEnv = process.env): AdamUpdate | string {
  if ((env["PRUNESWEEP_ADAM"] ?? "").toLowerCase() === "js") return "PRUNESWEEP_ADAM=js";
  const wa = webAssembly;
  if (!wa) return "this JavaScript engine has no WebAssembly";
  const memory = wasm.asm?.memory ?? wasm.wasmMemory;
  if (!(memory instanceof wa.Memory) || memory.buffer !== wasm.HEAPU8.buffer) return "the wasm backend's memory is not at wasm.asm.memory or wasm.wasmMemory";
  const cached = cache.get(memory);
  if (cached) return cached;
  const shared = typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
  const bytes = adamModuleBytes(shared);
  if (!wa.validate(bytes)) return "this WebAssembly engine has no SIMD";
  const exports = new wa.Instance(new wa.Module(bytes), { env: { memory } }).exports as unknown as { adam: AdamUpdate; adamMasked: AdamUpdate };
  const { adam, adamMasked } = exports;
  const update: AdamUpdate = (w, m, v, g, k, n, b1, ob1, b2, ob2, step, invC2, eps) => (k === 0 ? adam : adamMasked)(w, m, v, g, k, n, b1, ob1, b2, ob2, step, invC2, eps);
  cache.set(memory, update);
  return update;
}
