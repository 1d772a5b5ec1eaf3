/**
 * Answers for requests that never reach a route: a request line Node's parser refuses, a URL
 * that does not percent-decode, a CONNECT. Without these, Node and fastify wrote their own JSON
 * shape (or, for CONNECT, nothing at all: Node drops the socket when no one listens for it).
 * Each is a well-formed HTTP/1.1 answer in the spec's error shape, with the headers every
 * answer carries.
 */
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES } from './errors.js';
import { specError } from '../views/spec-error.js';

/** Headers on every answer, errors included: no browser may guess a JSON answer is HTML. */
export const ALWAYS_HEADERS = { 'x-content-type-options': 'nosniff' } as const;

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
};

/** One complete answer written straight to a socket, which is then closed. */
function writeRawAnswer(socket: Duplex, status: number, message: string, extraHeaders: Record<string, string> = {}): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(specError(ERROR_CODES.badParameter, message));
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    ...ALWAYS_HEADERS,
    ...extraHeaders,
    connection: 'close',
  };
  const head = `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;
  socket.end(head + body);
}

/**
 * fastify's `clientErrorHandler`: Node could not parse the request (an unknown method, a control
 * character in the target, a header too large) or the client was too slow.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  // A reset connection has no one left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    writeRawAnswer(socket, 408, 'the request was not received in time');
  } else if (err.code === 'HPE_HEADER_OVERFLOW') {
    writeRawAnswer(socket, 431, 'the request headers are too large');
  } else {
    writeRawAnswer(socket, 400, 'malformed HTTP request (request line, method or headers)');
  }
}

/**
 * Answers CONNECT, which this server never tunnels. Node hands CONNECT to a 'connect' listener
 * and, with none, drops the connection unanswered.
 */
export function refuseConnect(server: Server): void {
  server.on('connect', (request, socket: Duplex) => {
    socket.on('error', () => undefined);
    writeRawAnswer(socket, 405, `${request.method ?? 'CONNECT'} is not supported: this is an API server, not a proxy`, {
      allow: 'GET, HEAD, POST, PUT, DELETE, OPTIONS',
    });
  });
}

/**
 * fastify's `frameworkErrors`: errors of its router before any route or hook runs, chiefly a URL
 * whose percent-encoding does not decode (`/%ED%A0%80`, a lone surrogate).
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void reply.headers(ALWAYS_HEADERS);
  const path = request.url.split('?')[0] ?? '';
  if (error.code === 'FST_ERR_BAD_URL') {
    void reply.code(400).send(specError(ERROR_CODES.badParameter, `the path ${JSON.stringify(path.slice(0, 200))} is not valid percent-encoded UTF-8`));
  } else if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void reply.code(414).send(specError(ERROR_CODES.badParameter, 'a path parameter is too long'));
  } else {
    request.log.error({ err: error }, 'request failed before routing');
    void reply.code(500).send(specError(ERROR_CODES.systemError, 'internal error; the gateway log has the details'));
  }
}
