import { createHmac } from 'node:crypto';

/**
 * Twilio's X-Twilio-Signature: base64 HMAC-SHA1 over the URL followed by each POST
 * parameter name and value, sorted by name. Servers verify it with twilio.validateRequest.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  let data = url;
  for (const key of Object.keys(params).sort()) data += key + params[key];
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}
