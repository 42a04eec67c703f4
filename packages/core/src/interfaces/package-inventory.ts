/** One installed package, as the image's package database records it. */
export interface InventoryPackage {
  readonly name: string;
  /** The full version in the package manager's own form: `1:2.3-4` (dpkg), `1:2.3-4.el9` (rpm, epoch first). */
  readonly version: string;
  readonly arch: string;
  /** The source package it was built from, when the database says (`openssl` for `libssl3`). */
  readonly source?: string;
  readonly sourceVersion?: string;
  /** License expression, when the database records one (rpm does; dpkg does not). */
  readonly license?: string;
}

/** What an image's package database lists, read from the host side: no program of the image runs. */
export interface PackageInventory {
  /** `deb` or `rpm`: the package URL type and the version ordering that apply. */
  readonly type: 'deb' | 'rpm';
  /** `ID` and `VERSION_ID` of the image's os-release, for the package URLs' distro qualifier. */
  readonly distribution?: { readonly id: string; readonly versionId?: string };
  /** Sorted by name, then architecture. */
  readonly packages: readonly InventoryPackage[];
  /** Entries of the database left out because they were not valid package records (a hostile or damaged image). */
  readonly skipped: number;
}

/** The package databases before and after the install: what the bake added is their difference. */
export interface BakeInventory {
  readonly base: PackageInventory;
  readonly image: PackageInventory;
}

export interface UpgradedPackage {
  readonly name: string;
  readonly arch: string;
  readonly from: string;
  readonly to: string;
}

/** Packages the bake added, upgraded (or downgraded) and removed, relative to its base image. */
export interface PackageDelta {
  readonly added: readonly InventoryPackage[];
  readonly upgraded: readonly UpgradedPackage[];
  readonly removed: readonly InventoryPackage[];
}

/** An SBOM written for an image: its format, where it is, and its SHA-256 (which EC2 tags carry). */
export interface SbomDocument {
  readonly format: 'cyclonedx' | 'spdx';
  readonly path: string;
  readonly sha256: string;
}

/** What an image holds, in the bake's result: counts, the delta and the documents. */
export type ImageContents =
  | {
      readonly packages: number;
      /** Absent for an image made from nothing (a foundation). */
      readonly delta?: PackageDelta;
      readonly documents: readonly SbomDocument[];
    }
  /** The package database could not be read: the image was made, without an SBOM, and this says why. */
  | { readonly unavailable: string };
