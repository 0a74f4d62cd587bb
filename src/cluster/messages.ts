/** What the primary and its workers say to each other over the cluster's IPC channel. */
export const READY = 'tessera:ready';
export const METRICS_REQUEST = 'tessera:metrics-request';
export const METRICS_RESPONSE = 'tessera:metrics';

/** What a worker reports once it serves: the primary prints one start line for all of them. */
export interface ReadyInfo {
  address: string;
  database: string;
  startupMs: number;
  /** The bootstrap token file, when this worker wrote it under a name other than the usual. */
  tokenFile?: string | undefined;
}

export type ToPrimary =
  | { type: typeof READY; info: ReadyInfo }
  | { type: typeof METRICS_REQUEST; id: number };

export type ToWorker = { type: typeof METRICS_RESPONSE; id: number; text?: string; error?: string };

export function isMessage<T extends { type: string }>(value: unknown, type: T['type']): value is T {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === type;
}
