// One local "Lambda instance": a worker thread that imports the function's bundle once (its init
// phase) and then serves one invocation at a time, like an execution environment does.
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';

const { modulePath, exportName, functionName, memoryMb, timeoutMs } = workerData;
const handlerReady = import(pathToFileURL(modulePath).href).then((mod) => {
  const handler = mod[exportName];
  if (typeof handler !== 'function') throw new Error(`${modulePath} does not export ${exportName}`);
  return handler;
});
// Keep the init error for every invocation instead of crashing the thread.
handlerReady.catch(() => {});

parentPort.on('message', async ({ id, event, requestId }) => {
  const deadline = Date.now() + timeoutMs;
  const context = {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {},
    fail() {},
    succeed() {},
  };
  try {
    const handler = await handlerReady;
    const result = await handler(event, context);
    parentPort.postMessage({ id, ok: true, result: result === undefined ? null : result });
  } catch (err) {
    parentPort.postMessage({
      id,
      ok: false,
      error: { name: err?.name ?? 'Error', message: String(err?.message ?? err), stack: err?.stack },
    });
  }
});
