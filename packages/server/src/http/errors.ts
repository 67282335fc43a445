import { AppError, isSid, sidProblem, type ErrorCode, type SidKind } from '@pause-recording/core';
import type { FastifyError, FastifyInstance } from 'fastify';
import { isStorageError } from '../storage/database.ts';

/** One problem with one field of a request. */
export interface FieldProblem {
  readonly field: string;
  readonly problem: string;
}

/** The 400 naming every bad field (the first one in `field`); `problems` is not empty. */
export function problemsError(problems: readonly FieldProblem[]): AppError {
  return new AppError('INVALID_PARAMETER', problems.map((p) => `${p.field}: ${p.problem}`).join('; '), {
    field: problems[0]?.field ?? 'body',
    details: { problems },
  });
}

/** Throws a 400 naming every bad field (the first one in `field`) when there are problems. */
export function rejectIfProblems(problems: readonly FieldProblem[]): void {
  if (problems.length > 0) throw problemsError(problems);
}

/** The SID in `value`, or a 400 naming `field`. */
export function requireSid(kind: SidKind, value: unknown, field: string): string {
  if (isSid(kind, value)) return value;
  throw new AppError('INVALID_PARAMETER', `${field}: ${sidProblem(kind, value) ?? 'is not valid'}`, { field });
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BAD_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'BAD_REQUEST',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
};

/** Every error answers `{error: {code, message, field?, details?}}` with the status of the code table. */
export function installErrorHandling(app: FastifyInstance, spaFallback: boolean, storageRefused: (e: unknown) => e is Error = isStorageError): void {
  app.setErrorHandler((err: FastifyError | AppError | Error, request, reply) => {
    if (err instanceof AppError) {
      if (err.status >= 500) request.log.error({ err }, err.message);
      return reply.status(err.status).send(err.toJSON());
    }
    if (storageRefused(err)) {
      // Disk full, read-only, locked by another process, or the database unreachable: a truthful 503, never a bare 500.
      request.log.error({ err }, 'storage refused a write');
      const e = new AppError('STORAGE_UNAVAILABLE', `storage: the server could not record this request (${err.message}); reads still work, retry shortly`);
      return reply.status(e.status).send(e.toJSON());
    }
    const fe = err as FastifyError;
    const mapped = fe.code === undefined ? undefined : FASTIFY_CODES[fe.code];
    if (mapped !== undefined || (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500)) {
      const code = mapped ?? 'BAD_REQUEST';
      const e = new AppError(code, `body: ${fe.message}`, { field: 'body' });
      return reply.status(fe.statusCode ?? e.status).send(e.toJSON());
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send(new AppError('INTERNAL', 'internal error').toJSON());
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (spaFallback && request.method === 'GET' && !/^\/(api|webhooks|features)(\/|$)/.test(path)) {
      return reply.sendFile('index.html');
    }
    return reply.status(404).send(new AppError('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`).toJSON());
  });
}
