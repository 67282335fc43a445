/// <reference types="@twilio-labs/serverless-runtime-types" />
import type { ServerlessCallback, TwilioResponse } from '@twilio-labs/serverless-runtime-types/types.js';
import { accountSidProblem, authTokenProblem, type FnContext } from './config.ts';
import { validateFlexToken, type TokenResult } from './token.ts';

export type FnEvent = Record<string, unknown> & { readonly Token?: unknown };

/** A required form field and what it is for (the template's `requiredParameters`). */
export interface Required {
  readonly key: string;
  readonly purpose: string;
}

/** What a function decides: the status and JSON body. */
export interface Answer {
  readonly status: number;
  readonly body: object;
}

export type Body = (context: FnContext, event: FnEvent, token: TokenResult) => Promise<Answer>;

/** The template's parameter validator: one message naming every missing field. */
function missing(path: string, event: FnEvent, required: readonly Required[]): string {
  let message = '';
  for (const r of required) {
    const v = event[r.key];
    if (v === undefined || v === null || (typeof v === 'string' && v.length < 1)) message += `(${path}) Missing ${r.key}: ${r.purpose}`;
  }
  return message;
}

/** twilio-flex-token-validator's refusal: 403, the message as a plain body, CORS for any origin. */
function refused(message: string): TwilioResponse {
  const response = new Twilio.Response();
  response.appendHeader('Access-Control-Allow-Origin', '*');
  response.appendHeader('Access-Control-Allow-Methods', 'OPTIONS, POST, GET');
  response.appendHeader('Access-Control-Allow-Headers', 'Content-Type');
  response.appendHeader('Content-Type', 'plain/text');
  response.setStatusCode(403);
  response.setBody(message);
  return response;
}

/**
 * The template's `prepareFlexFunction`: the Flex token first (403 from the validator), then the
 * JSON response with CORS `*`, the required fields (400 `{data: null, message}`), then the body;
 * an unexpected error is a 500 `{success: false, message}`.
 */
export function flexFunction(required: readonly Required[], body: Body) {
  return async (context: FnContext, event: FnEvent, callback: ServerlessCallback): Promise<void> => {
    // A misconfigured service refuses every request, saying which variable is wrong.
    const config = accountSidProblem(context.ACCOUNT_SID) ?? authTokenProblem(context.AUTH_TOKEN);
    if (config !== null) {
      console.error(`(${context.PATH}) ${config}`);
      callback(null, refused(`Unauthorized: ${config}`));
      return;
    }
    let token: TokenResult;
    try {
      token = await validateFlexToken(context, event.Token);
    } catch (e) {
      callback(null, refused(typeof e === 'string' ? e : e instanceof Error ? e.message : String(e)));
      return;
    }
    const response = new Twilio.Response();
    response.appendHeader('Access-Control-Allow-Origin', '*');
    response.appendHeader('Access-Control-Allow-Methods', 'OPTIONS, POST, GET');
    response.appendHeader('Content-Type', 'application/json');
    response.appendHeader('Access-Control-Allow-Headers', 'Content-Type');
    const problem = missing(context.PATH, event, required);
    if (problem !== '') {
      console.error(`(${context.PATH}) invalid parameters passed`);
      response.setStatusCode(400);
      response.setBody({ data: null, message: problem });
      callback(null, response);
      return;
    }
    try {
      const answer = await body(context, event, token);
      response.setStatusCode(answer.status);
      response.setBody(answer.body);
    } catch (error) {
      console.error(`(${context.PATH}) Unexpected error occurred: ${String(error)}`);
      response.setStatusCode(500);
      response.setBody({ success: false, message: error instanceof Error ? error.message : String(error) });
    }
    callback(null, response);
  };
}
