export * from './types.js';
export * from './volumes.js';
export * from './archive.js';
export * from './compose.js';
export * from './vm.js';
