import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PluginCommand, PluginCommandContext } from '@aminator/core';
import { Ec2TestEndpoint } from '@aminator/testkit/ec2';
import { EC2Client } from '@aws-sdk/client-ec2';
import { amiById, amisCommand, bakedAmis, parentSnapshotOf, quietSdkNodeWarning, sbomOfAmi, sbomPrefixOf } from '../src/index.js';

quietSdkNodeWarning();

/** A CycloneDX document listing `packages` (name version arch), as the finalizers write them. */
function cycloneDx(packages: ReadonlyArray<readonly [string, string, string]>): string {
  return `${JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    components: packages.map(([name, version, arch]) => ({ type: 'library', name, version, purl: `pkg:deb/debian/${name}@${version}?arch=${arch}` })),
  })}\n`;
}

describe('AMI lineage and package queries from their tags, through the SDK at the EC2 test endpoint', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'aminator-ami-queries-'));
  const sbomDir = join(scratch, 'sboms');
  const endpoint = new Ec2TestEndpoint({ dir: join(scratch, 'endpoint') });
  const saved = { ...process.env };
  const signal = new AbortController().signal;
  let client: EC2Client;
  const ids: Record<string, string> = {};

  before(async () => {
    await endpoint.start();
    Object.assign(process.env, endpoint.env);
    client = new EC2Client({ region: endpoint.world.instance.region });
    mkdirSync(sbomDir);
    const disk = join(scratch, 'base.raw');
    writeFileSync(disk, Buffer.alloc(1024 * 1024));
    const self = endpoint.world.instance.accountId;
    const seed = (name: string, ownerId: string, tags: Record<string, string>, creationDate: string) => {
      const image = endpoint.seedImage({ name, ownerId, disk, sizeGiB: 1, public: ownerId !== self, creationDate });
      image.tags = tags;
      return image;
    };
    ids.vendor = seed('debian-12-amd64-20261201', '136693071363', {}, '2026-12-01T00:00:00.000Z').id;
    const documents = {
      app: cycloneDx([
        ['libssl3', '3.0.11-1~deb12u2', 'amd64'],
        ['app', '1.0-1', 'amd64'],
      ]),
      layer: cycloneDx([
        ['libssl3', '3.0.15-1~deb12u1', 'amd64'],
        ['app', '1.0-1', 'amd64'],
        ['layer', '2.0-1', 'all'],
      ]),
    };
    const app = seed(
      'app-1.0-1-amd64-202612020000',
      self,
      { appversion: 'app-1.0-1', base_ami_id: ids.vendor, sbom_cdx_sha256: createHash('sha256').update(documents.app).digest('hex') },
      '2026-12-02T00:00:00.000Z',
    );
    ids.app = app.id;
    const appSnapshot = app.blockDeviceMappings[0]?.ebs?.snapshotId ?? '';
    const vendorSnapshot = endpoint.world.images.get(ids.vendor)?.blockDeviceMappings[0]?.ebs?.snapshotId ?? '';
    const snapshot = endpoint.world.snapshots.get(appSnapshot);
    if (snapshot) snapshot.tags = { parent_snapshot: vendorSnapshot };
    ids.appSnapshot = appSnapshot;
    ids.vendorSnapshot = vendorSnapshot;
    ids.layer = seed(
      'layer-2.0-1-all-202612030000',
      self,
      { appversion: 'layer-2.0-1', base_ami_id: ids.app, sbom_cdx_sha256: createHash('sha256').update(documents.layer).digest('hex') },
      '2026-12-03T00:00:00.000Z',
    ).id;
    // Its document was changed after the bake: the digest the AMI carries no longer matches.
    ids.tampered = seed(
      'tampered-1-1-amd64-202612040000',
      self,
      { appversion: 'tampered-1-1', base_ami_id: ids.vendor, sbom_cdx_sha256: '0'.repeat(64) },
      '2026-12-04T00:00:00.000Z',
    ).id;
    ids.orphan = seed('orphan-1-1-amd64-202612050000', self, { appversion: 'orphan-1-1', base_ami_id: 'ami-0000000000000dead' }, '2026-12-05T00:00:00.000Z').id;
    seed('hand-made', self, { team: 'x' }, '2026-12-05T00:00:00.000Z');
    writeFileSync(join(sbomDir, `${sbomPrefixOf('app-1.0-1-amd64-202612020000')}sbom.cdx.json`), documents.app);
    writeFileSync(join(sbomDir, `${sbomPrefixOf('layer-2.0-1-all-202612030000')}sbom.cdx.json`), documents.layer);
    writeFileSync(join(sbomDir, `${sbomPrefixOf('tampered-1-1-amd64-202612040000')}sbom.cdx.json`), documents.app);
  });

  after(async () => {
    client?.destroy();
    await endpoint.stop();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    rmSync(scratch, { recursive: true, force: true });
  });

  it("lists this account's AMIs that aminate baked, newest first, with what their tags say", async () => {
    const amis = await bakedAmis(client, ['self'], signal);
    assert.deepEqual(
      amis.map((a) => a.name),
      ['orphan-1-1-amd64-202612050000', 'tampered-1-1-amd64-202612040000', 'layer-2.0-1-all-202612030000', 'app-1.0-1-amd64-202612020000'],
      "newest first; neither the vendor's base nor an AMI without aminate's appversion tag",
    );
    const app = amis.find((a) => a.id === ids.app);
    assert.equal(app?.appversion, 'app-1.0-1');
    assert.equal(app?.parentId, ids.vendor);
    assert.equal(app?.snapshotId, ids.appSnapshot);
    assert.equal(await parentSnapshotOf(client, ids.appSnapshot ?? '', signal), ids.vendorSnapshot);
    assert.equal(await amiById(client, 'ami-0000000000000dead', signal), undefined);
  });

  it('reads an SBOM only when its SHA-256 is the one the AMI carries, and never through a link', async () => {
    const amis = await bakedAmis(client, ['self'], signal);
    const byId = (id: string | undefined) => amis.find((a) => a.id === id) ?? assert.fail(`no ${id}`);
    assert.ok('text' in (await sbomOfAmi(sbomDir, byId(ids.app))));
    assert.match(JSON.stringify(await sbomOfAmi(sbomDir, byId(ids.tampered))), /is not the document its tags name/);
    assert.match(JSON.stringify(await sbomOfAmi(sbomDir, byId(ids.orphan))), /carry no SBOM digest/);
    const elsewhere = mkdtempSync(join(scratch, 'linked-'));
    symlinkSync(
      join(sbomDir, `${sbomPrefixOf('app-1.0-1-amd64-202612020000')}sbom.cdx.json`),
      join(elsewhere, `${sbomPrefixOf('app-1.0-1-amd64-202612020000')}sbom.cdx.json`),
    );
    assert.match(JSON.stringify(await sbomOfAmi(elsewhere, byId(ids.app))), /symbolic link/);
  });

  describe('aminate amis', () => {
    async function run(path: readonly string[], args: readonly string[], options: Record<string, unknown>) {
      let command: PluginCommand | undefined = amisCommand as PluginCommand;
      for (const name of path) command = command?.subcommands?.find((c) => c.name === name);
      const printed: Array<{ value: unknown; text: readonly string[] }> = [];
      const warnings: string[] = [];
      const ctx = {
        config: {},
        signal,
        log: { info() {}, debug() {}, warn: (m: string) => warnings.push(m), error() {} },
        print: (value: unknown, text: readonly string[]) => printed.push({ value, text }),
      } as unknown as PluginCommandContext;
      const code = await (command?.run ?? assert.fail(`no ${path.join(' ')}`))(args, { owner: 'self', ...options }, ctx);
      return { code, value: printed[0]?.value as any, text: printed[0]?.text ?? [], warnings };
    }

    it('list --with-package answers the CVE question from the documents, in dpkg order, and names the AMIs it could not ask', async () => {
      const old = await run(['list'], [], { withPackage: 'libssl3<3.0.15-1~deb12u1', sbomDir });
      assert.equal(old.code, 0);
      assert.deepEqual(
        old.value.map((a: { id: string; matches: string[] }) => [a.id, a.matches]),
        [[ids.app, ['libssl3 3.0.11-1~deb12u2 (amd64)']]],
      );
      assert.equal(old.warnings.length, 2, old.warnings.join('\n'));
      assert.ok(old.warnings.some((w) => w.includes(ids.tampered ?? '') && /not the document its tags name/.test(w)));
      assert.ok(old.warnings.some((w) => w.includes(ids.orphan ?? '') && /no SBOM digest/.test(w)));
      const fixed = await run(['list'], [], { withPackage: 'libssl3>=3.0.15-1~deb12u1', sbomDir });
      assert.deepEqual(
        fixed.value.map((a: { id: string }) => a.id),
        [ids.layer],
      );
      await assert.rejects(run(['list'], [], { withPackage: 'libssl3' }), /needs the SBOMs the bakes wrote/);
      await assert.rejects(run(['list'], [], { owner: 'someone' }), /not self or a 12-digit account id/);
    });

    it('list --built-on follows base_ami_id through other AMIs; lineage walks back to the vendor base with the snapshots', async () => {
      const onVendor = await run(['list'], [], { builtOn: ids.vendor });
      assert.deepEqual(new Set(onVendor.value.map((a: { id: string }) => a.id)), new Set([ids.app, ids.layer, ids.tampered]));
      const onApp = await run(['list'], [], { builtOn: 'app-1.0-1-amd64-202612020000' });
      assert.deepEqual(
        onApp.value.map((a: { id: string }) => a.id),
        [ids.layer],
      );
      const chain = await run(['lineage'], [ids.layer ?? ''], {});
      assert.deepEqual(
        chain.value.lineage.map((l: { id: string }) => l.id),
        [ids.layer, ids.app, ids.vendor],
      );
      assert.equal(chain.value.lineage[1].parentSnapshotId, ids.vendorSnapshot, "the snapshot the app's was written on");
      assert.match(
        chain.text[1] ?? '',
        new RegExp(`↳ app-1\\.0-1-amd64-202612020000 \\(${ids.app}\\): app-1\\.0-1, snapshot ${ids.appSnapshot} \\(written on ${ids.vendorSnapshot}\\)`),
      );
      assert.match(chain.text[2] ?? '', /debian-12-amd64-20261201 .*: base/);
      const orphan = await run(['lineage'], [ids.orphan ?? ''], {});
      assert.equal(orphan.value.missingParent, 'ami-0000000000000dead');
      assert.match(orphan.text.at(-1) ?? '', /ami-0000000000000dead: deregistered, or not visible/);
      await assert.rejects(run(['lineage'], ['ami-00000000000000bad'], {}), /no AMI ami-00000000000000bad/);
    });
  });
});
