/**
 * The per-key queue is shared by the remote backends: see `../key-lock.ts`.
 *
 * @packageDocumentation
 */
export { KeyLock } from "../key-lock.js";
