import { AwsServiceError } from '#lib/local-cloud/aws/aws-error';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * EventBridge calls only HTTPS endpoints (API destinations, OAuth authorization endpoints). The
 * emulator also accepts plain HTTP to a loopback host, where the local simulators listen.
 */
export function checkEndpointUrl(value: string, field: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AwsServiceError('ValidationException', `Parameter ${field} is not valid. Reason: it is not a URL.`);
  }
  if (value.length > 2048) throw new AwsServiceError('ValidationException', `Parameter ${field} is not valid. Reason: longer than 2048 characters.`);
  if (url.username !== '' || url.password !== '') {
    throw new AwsServiceError('ValidationException', `Parameter ${field} is not valid. Reason: credentials in the URL are not allowed.`);
  }
  const localHttp = url.protocol === 'http:' && isLoopback(url.hostname);
  if (url.protocol !== 'https:' && !localHttp) {
    throw new AwsServiceError('ValidationException', `Parameter ${field} is not valid. Reason: the URL must use HTTPS.`);
  }
  return url;
}
