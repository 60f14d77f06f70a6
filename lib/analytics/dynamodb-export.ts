import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';

/**
 * Writes what DynamoDB's export to S3 writes, on the local disk, from a live table:
 *
 *   <root>/AWSDynamoDB/<exportId>/_started
 *   <root>/AWSDynamoDB/<exportId>/manifest-summary.json (+ .checksum)
 *   <root>/AWSDynamoDB/<exportId>/manifest-files.json   (+ .checksum)
 *   <root>/AWSDynamoDB/<exportId>/data/<name>.json.gz    one `{"Item":{…DynamoDB JSON…}}` per line
 *
 * so the same readers (the Glue table in AWS, DuckDB locally) work on either. One data file per scan
 * segment, as DynamoDB writes at least one per partition.
 */
export interface ExportOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Directory standing for the S3 bucket and prefix. */
  root: string;
  /** Parallel scan segments (and data files). */
  segments?: number;
  region?: string;
  accountId?: string;
  now?: () => Date;
}

export interface ExportResult {
  exportId: string;
  exportDir: string;
  itemCount: number;
  dataFiles: string[];
}

export interface ManifestSummary {
  version: '2020-06-30';
  exportArn: string;
  startTime: string;
  endTime: string;
  tableArn: string;
  tableId: string;
  exportTime: string;
  s3Bucket: string;
  s3Prefix: string | null;
  s3SseAlgorithm: 'AES256';
  s3SseKmsKeyId: null;
  manifestFilesS3Key: string;
  billedSizeBytes: number;
  itemCount: number;
  outputFormat: 'DYNAMODB_JSON';
  exportType: 'FULL_EXPORT';
}

export interface ManifestFileEntry {
  itemCount: number;
  md5Checksum: string;
  etag: string;
  dataFileS3Key: string;
}

/** Export ids start with the export time in milliseconds (14 digits), so they sort by time. */
export function newExportId(at: Date): string {
  return `${String(at.getTime()).padStart(14, '0')}-${randomBytes(4).toString('hex')}`;
}

/** DynamoDB JSON as the export writes it: binary values in base64, everything else as the API returns it. */
export function toExportJson(value: AttributeValue): unknown {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.M !== undefined) return { M: Object.fromEntries(Object.entries(value.M).map(([k, v]) => [k, toExportJson(v)])) };
  if (value.L !== undefined) return { L: value.L.map(toExportJson) };
  const { $unknown: _unknown, ...rest } = value as AttributeValue & { $unknown?: unknown };
  return rest;
}

export function exportLine(item: Record<string, AttributeValue>): string {
  return `${JSON.stringify({ Item: Object.fromEntries(Object.entries(item).map(([k, v]) => [k, toExportJson(v)])) })}\n`;
}

async function* scanSegment(client: DynamoDBClient, tableName: string, segment: number, total: number): AsyncGenerator<Record<string, AttributeValue>> {
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const out = await client.send(
      new ScanCommand({ TableName: tableName, Segment: segment, TotalSegments: total, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    for (const item of out.Items ?? []) yield item;
    startKey = out.LastEvaluatedKey;
  } while (startKey);
}

const md5 = (bytes: Buffer) => createHash('md5').update(bytes);

export async function exportTable(options: ExportOptions): Promise<ExportResult> {
  const now = options.now ?? (() => new Date());
  const started = now();
  const segments = options.segments ?? 4;
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const exportId = newExportId(started);
  const prefix = `AWSDynamoDB/${exportId}`;
  const exportDir = join(options.root, prefix);
  mkdirSync(join(exportDir, 'data'), { recursive: true });
  writeFileSync(join(exportDir, '_started'), '');

  const files = await Promise.all(
    Array.from({ length: segments }, async (_, segment): Promise<ManifestFileEntry & { path: string }> => {
      const name = `${randomBytes(13).toString('hex').slice(0, 26)}.json.gz`;
      const path = join(exportDir, 'data', name);
      let itemCount = 0;
      const lines = Readable.from(
        (async function* () {
          for await (const item of scanSegment(options.client, options.tableName, segment, segments)) {
            itemCount++;
            yield exportLine(item);
          }
        })(),
      );
      await pipeline(lines, createGzip(), createWriteStream(path));
      const bytes = readFileSync(path);
      return {
        path,
        itemCount,
        md5Checksum: md5(bytes).digest('base64'),
        etag: md5(bytes).digest('hex'),
        dataFileS3Key: `${prefix}/data/${name}`,
      };
    }),
  );

  const manifestFiles = files.map(({ path: _path, ...entry }) => JSON.stringify(entry)).join('\n') + '\n';
  writeFileSync(join(exportDir, 'manifest-files.json'), manifestFiles);
  writeFileSync(join(exportDir, 'manifest-files.checksum'), md5(Buffer.from(manifestFiles)).digest('hex'));
  const tableArn = `arn:aws:dynamodb:${region}:${accountId}:table/${options.tableName}`;
  const itemCount = files.reduce((sum, f) => sum + f.itemCount, 0);
  const summary: ManifestSummary = {
    version: '2020-06-30',
    exportArn: `${tableArn}/export/${exportId}`,
    startTime: started.toISOString(),
    endTime: now().toISOString(),
    tableArn,
    tableId: createHash('sha256').update(tableArn).digest('hex').slice(0, 32),
    exportTime: started.toISOString(),
    s3Bucket: 'local',
    s3Prefix: null,
    s3SseAlgorithm: 'AES256',
    s3SseKmsKeyId: null,
    manifestFilesS3Key: `${prefix}/manifest-files.json`,
    billedSizeBytes: files.reduce((sum, f) => sum + readFileSync(f.path).length, 0),
    itemCount,
    outputFormat: 'DYNAMODB_JSON',
    exportType: 'FULL_EXPORT',
  };
  const summaryText = JSON.stringify(summary);
  writeFileSync(join(exportDir, 'manifest-summary.json'), summaryText);
  writeFileSync(join(exportDir, 'manifest-summary.checksum'), md5(Buffer.from(summaryText)).digest('hex'));
  return { exportId, exportDir, itemCount, dataFiles: files.map((f) => f.path) };
}

export interface ExportOnDisk {
  exportId: string;
  exportDir: string;
  summary: ManifestSummary;
  dataFiles: string[];
}

/**
 * The newest complete export under `root` (the greatest export id that has a summary manifest),
 * with its data files as the files manifest lists them.
 */
export function newestExport(root: string): ExportOnDisk | undefined {
  const base = join(root, 'AWSDynamoDB');
  if (!existsSync(base)) return undefined;
  const ids = readdirSync(base)
    .filter((id) => existsSync(join(base, id, 'manifest-summary.json')))
    .sort();
  const exportId = ids.at(-1);
  if (!exportId) return undefined;
  const exportDir = join(base, exportId);
  const summary = JSON.parse(readFileSync(join(exportDir, 'manifest-summary.json'), 'utf8')) as ManifestSummary;
  const entries = readFileSync(join(root, summary.manifestFilesS3Key), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ManifestFileEntry);
  return { exportId, exportDir, summary, dataFiles: entries.map((e) => join(root, e.dataFileS3Key)) };
}
