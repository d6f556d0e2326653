/** Byte and CPU helpers for writing catalog sizing tables readably. */
export const Mi = 1024 ** 2;
export const Gi = 1024 ** 3;
export const m = (millicores: number): number => millicores;
