export * from './debootstrap-cache.js';
export * from './disk-image.js';
export * from './host-snapshot.js';
export * from './net-namespace.js';
export * from './remove-tree.js';
export * from './scratch-root.js';
export * from './sh.js';
export * from './test-loop.js';
