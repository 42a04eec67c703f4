export { IMAGE_ID, IMAGE_NAME, type ImageManifest, imageManifestSchema, manifestContents, VOLUME_ID } from './image-manifest.js';
export { LocalErrorCodes, LocalImageStore, newImageId, newVolumeId, runIdOf, type StagedImage, stageLockName, volumeLockName } from './local-image-store.js';
export { LOCAL_STORE } from './local-store-token.js';
export { formatSize, parseSize } from './size.js';
