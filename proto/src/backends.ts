/**
 * The tfjs backends a task may ask for (`task.backend`): the one list that the spec schema,
 * the wire decoder and the worker's backend selection share. `auto` lets the worker pick
 * (worker/src/backend/select-backend.ts holds the order it tries).
 */
export const BACKEND_NAMES = ["auto", "tensorflow", "webgpu", "wasm", "cpu"] as const;

/** One of {@link BACKEND_NAMES}. */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Whether `name` is one of {@link BACKEND_NAMES}. */
export function isBackendName(name: string): name is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(name);
}
