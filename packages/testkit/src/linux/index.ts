export * from './debootstrap-cache.js';
export * from './disk-image.js';
export * from './host-snapshot.js';
export * from './sh.js';
