// snappyjs 0.7 ships no type declarations; the two functions used by the remote-write test helper.
declare module 'snappyjs' {
  export function compress(input: Uint8Array): Uint8Array;
  export function uncompress(input: Uint8Array): Uint8Array;
}
