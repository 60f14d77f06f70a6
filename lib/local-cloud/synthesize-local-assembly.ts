import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildApp } from '#lib/app';
import type { CfnTemplate } from '#lib/local-cloud/template/cfn-template';

export interface LocalAssembly {
  directory: string;
  stackName: string;
  template: CfnTemplate;
  /** Absolute directory of each bundled code asset, by its object key (`<hash>.zip`). */
  assetDirectories: Map<string, string>;
}

export const LOCAL_STAGE = 'local';

/**
 * Synthesizes the real CDK app (bundling every Lambda with esbuild) into `outdir`, so the local
 * cloud runs the same template and the same bundles a deployment would.
 */
export function synthesizeLocalAssembly(outdir: string): LocalAssembly {
  const { app, stack } = buildApp({ stage: LOCAL_STAGE, bundle: true, nag: false, outdir });
  app.synth();
  return readLocalAssembly(outdir, stack.artifactId);
}

/** Reads an assembly synthesized earlier (e.g. once per test run). */
export function readLocalAssembly(directory: string, stackArtifactId?: string): LocalAssembly {
  const dir = resolve(directory);
  const templateFile = stackArtifactId !== undefined ? `${stackArtifactId}.template.json` : readdirSync(dir).find((f) => f.endsWith('.template.json'));
  if (!templateFile || !existsSync(join(dir, templateFile))) throw new Error(`No stack template in ${dir}`);
  const stackName = templateFile.replace(/\.template\.json$/, '');
  const template = JSON.parse(readFileSync(join(dir, templateFile), 'utf8')) as CfnTemplate;
  const manifest = JSON.parse(readFileSync(join(dir, `${stackName}.assets.json`), 'utf8')) as {
    files?: Record<string, { source: { path: string }; destinations: Record<string, { objectKey: string }> }>;
  };
  const assetDirectories = new Map<string, string>();
  for (const file of Object.values(manifest.files ?? {})) {
    for (const destination of Object.values(file.destinations)) {
      assetDirectories.set(destination.objectKey, join(dir, file.source.path));
    }
  }
  return { directory: dir, stackName, template, assetDirectories };
}
