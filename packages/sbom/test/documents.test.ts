import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PackageInventory } from '@aminator/core';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { cycloneDxJson } from '../src/cyclonedx.js';
import { formatLibraries } from '../src/format-libraries.js';
import { packageDelta } from '../src/package-delta.js';
import { parsePackageQuery, queryMatches } from '../src/package-query.js';
import { packageUrl } from '../src/package-url.js';
import type { SbomSubject } from '../src/sbom-subject.js';
import { spdxJson } from '../src/spdx.js';

const subject: SbomSubject = { imageId: 'img-0123456789ab', imageName: 'hello-2.10-3-bake', createdAt: '2026-12-05T10:00:00.000Z' };
const deb: PackageInventory = {
  type: 'deb',
  distribution: { id: 'debian', versionId: '12' },
  skipped: 0,
  packages: [
    { name: 'base-files', version: '12.4+deb12u8', arch: 'amd64', source: 'base-files', sourceVersion: '12.4+deb12u8' },
    { name: 'libssl3', version: '3.0.15-1~deb12u1', arch: 'amd64', source: 'openssl', sourceVersion: '3.0.15-1~deb12u1' },
    { name: 'libstdc++6', version: '12.2.0-14', arch: 'amd64', source: 'gcc-12', sourceVersion: '12.2.0-14' },
    { name: 'tzdata', version: '2024a-0+deb12u1', arch: 'all', source: 'tzdata', sourceVersion: '2024a-0+deb12u1' },
  ],
};
const rpm: PackageInventory = {
  type: 'rpm',
  distribution: { id: 'fedora', versionId: '40' },
  skipped: 0,
  packages: [
    { name: 'bash', version: '5.2.26-3.fc40', arch: 'x86_64', source: 'bash', sourceVersion: '5.2.26-3.fc40', license: 'GPL-3.0-or-later' },
    { name: 'shadow-utils', version: '2:4.15.1-3.fc40', arch: 'x86_64', license: 'BSD-3-Clause AND GPL-2.0-or-later' },
    { name: 'oldstyle', version: '1.0-1', arch: 'noarch', license: 'GPLv2+ and \u001b[31mBSD' },
  ],
};

async function validCycloneDx(json: string): Promise<void> {
  const errors = await new Validation.JsonStrictValidator(Spec.Version.v1dot5).validate(json);
  assert.equal(errors, null, JSON.stringify(errors));
}

describe('SBOM documents', () => {
  it('package URLs carry the distribution; rpm epochs go in a qualifier, dpkg epochs stay in the version', async () => {
    assert.equal(packageUrl(await formatLibraries(), deb, deb.packages[1] as never), 'pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12');
    assert.equal(packageUrl(await formatLibraries(), deb, deb.packages[2] as never), 'pkg:deb/debian/libstdc%2B%2B6@12.2.0-14?arch=amd64&distro=debian-12');
    assert.equal(
      packageUrl(await formatLibraries(), rpm, rpm.packages[1] as never),
      'pkg:rpm/fedora/shadow-utils@4.15.1-3.fc40?arch=x86_64&distro=fedora-40&epoch=2',
    );
  });

  it('CycloneDX 1.5 of a deb and an rpm image validates against the CycloneDX schema and lists every package', async () => {
    for (const inventory of [deb, rpm]) {
      const json = await cycloneDxJson(inventory, subject);
      await validCycloneDx(json);
      const bom = JSON.parse(json);
      assert.equal(bom.specVersion, '1.5');
      assert.deepEqual(
        bom.components.map((c: { name: string; version: string }) => `${c.name} ${c.version}`).sort(),
        inventory.packages.map((p) => `${p.name} ${p.version}`).sort(),
      );
      assert.equal(bom.metadata.component.type, 'operating-system');
      assert.equal(bom.metadata.timestamp, '2026-12-05T10:00:00.000Z');
    }
  });

  it('an rpm license that is an SPDX expression is one; any other is a named license, without control characters', async () => {
    const bom = JSON.parse(await cycloneDxJson(rpm, subject));
    const byName = (name: string) => bom.components.find((c: { name: string }) => c.name === name);
    assert.deepEqual(byName('shadow-utils').licenses, [{ expression: 'BSD-3-Clause AND GPL-2.0-or-later' }]);
    const spdx = JSON.parse(await spdxJson(rpm, subject));
    const old = spdx.packages.find((p: { name: string }) => p.name === 'oldstyle');
    assert.equal(old.licenseDeclared, 'NOASSERTION');
  });

  it('SPDX 2.3: the fields the specification requires, unique ids of the allowed form, the image CONTAINS each package', async () => {
    const doc = JSON.parse(await spdxJson(deb, subject));
    assert.equal(doc.spdxVersion, 'SPDX-2.3');
    assert.equal(doc.dataLicense, 'CC0-1.0');
    assert.equal(doc.SPDXID, 'SPDXRef-DOCUMENT');
    assert.match(doc.documentNamespace, /^https:\/\/[^#]+$/);
    assert.match(doc.creationInfo.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(doc.creationInfo.creators[0], /^Tool: /);
    const ids = doc.packages.map((p: { SPDXID: string }) => p.SPDXID);
    assert.equal(new Set(ids).size, ids.length);
    for (const p of doc.packages) {
      assert.match(p.SPDXID, /^SPDXRef-[A-Za-z0-9.-]+$/);
      for (const field of ['name', 'downloadLocation', 'versionInfo']) assert.ok(p[field], `${p.SPDXID}.${field}`);
      assert.equal(p.filesAnalyzed, false);
    }
    const contained = doc.relationships.filter((r: { relationshipType: string }) => r.relationshipType === 'CONTAINS');
    assert.equal(contained.length, deb.packages.length);
    assert.deepEqual(doc.relationships[0], { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: 'SPDXRef-Image' });
    const purls = doc.packages.flatMap((p: { externalRefs?: Array<{ referenceLocator: string }> }) => p.externalRefs?.map((r) => r.referenceLocator) ?? []);
    assert.ok(purls.includes('pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12'));
  });

  it('SOURCE_DATE_EPOCH fixes the documents’ time: the same image gives the same bytes', async () => {
    const before = process.env.SOURCE_DATE_EPOCH;
    process.env.SOURCE_DATE_EPOCH = '1700000000';
    try {
      const a = await cycloneDxJson(deb, subject);
      const b = await cycloneDxJson(deb, { ...subject, createdAt: '2027-01-01T00:00:00.000Z' });
      assert.equal(a, b);
      assert.equal(JSON.parse(a).metadata.timestamp, '2023-11-14T22:13:20.000Z');
      assert.equal(await spdxJson(deb, subject), await spdxJson(deb, { ...subject, createdAt: '2027-01-01T00:00:00.000Z' }));
    } finally {
      if (before === undefined) delete process.env.SOURCE_DATE_EPOCH;
      else process.env.SOURCE_DATE_EPOCH = before;
    }
  });

  it('the delta: added, upgraded and removed by name and architecture', () => {
    const image: PackageInventory = {
      ...deb,
      packages: [
        { name: 'base-files', version: '12.4+deb12u9', arch: 'amd64' },
        { name: 'hello', version: '2.10-3', arch: 'amd64' },
        { name: 'libssl3', version: '3.0.15-1~deb12u1', arch: 'amd64' },
        { name: 'tzdata', version: '2024a-0+deb12u1', arch: 'all' },
      ],
    };
    const delta = packageDelta(deb, image);
    assert.deepEqual(
      delta.added.map((p) => p.name),
      ['hello'],
    );
    assert.deepEqual(delta.upgraded, [{ name: 'base-files', arch: 'amd64', from: '12.4+deb12u8', to: '12.4+deb12u9' }]);
    assert.deepEqual(
      delta.removed.map((p) => p.name),
      ['libstdc++6'],
    );
  });

  it('package queries use the family’s ordering, epochs included, and refuse what is not a query', () => {
    assert.deepEqual(queryMatches(deb, parsePackageQuery('libssl3<3.0.16-1')), ['libssl3 3.0.15-1~deb12u1 (amd64)']);
    assert.deepEqual(queryMatches(deb, parsePackageQuery('libssl3<3.0.15-1~deb12u1')), [], 'not older than itself');
    assert.deepEqual(
      queryMatches(deb, parsePackageQuery('libssl3<3.0.15-1')),
      ['libssl3 3.0.15-1~deb12u1 (amd64)'],
      'a backport (~deb12u1) is older than the release',
    );
    assert.deepEqual(queryMatches(rpm, parsePackageQuery('shadow-utils<5.0')), [], 'epoch 2 is newer than any version without one');
    assert.deepEqual(queryMatches(rpm, parsePackageQuery('shadow-utils<3:1.0')), ['shadow-utils 2:4.15.1-3.fc40 (x86_64)']);
    assert.deepEqual(queryMatches(deb, parsePackageQuery('tzdata')), ['tzdata 2024a-0+deb12u1 (all)']);
    assert.throws(() => parsePackageQuery('openssl; rm -rf /'), { code: 'E_INVALID_INPUT' });
    assert.throws(() => parsePackageQuery('openssl<<3'), { code: 'E_INVALID_INPUT' });
  });
});
