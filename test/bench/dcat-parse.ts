/**
 * The reference of bench:harvest's DCAT shapes: how fast a streaming RDF parser reads the SAME
 * document the harvest reads, in a process of its own so that its peak RSS is the parse's alone.
 * n3's StreamParser for Turtle, rdfxml-streaming-parser for RDF/XML; quads are counted and
 * dropped (nothing is kept), the document is fed in 64 KiB pieces as a socket would deliver it.
 *
 * Usage: node dcat-parse.js DOCUMENT_URL turtle|rdfxml TRIALS
 * Fetches the document once (untimed), parses it once untimed (warm-up), then TRIALS timed times.
 * Prints ONE JSON line: every trial's seconds, the quads, the document's bytes and the peak RSS.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { performance } from 'node:perf_hooks';
import { StreamParser } from 'n3';
import { RdfXmlParser } from 'rdfxml-streaming-parser';
import { request } from 'undici';
import { round } from './shared.js';
import { runChildMain } from './child-lifetime.js';

export interface ParseResult {
  syntax: 'turtle' | 'rdfxml';
  parser: string;
  bytes: number;
  quads: number;
  seconds: number[];
  /** `process.resourceUsage().maxRSS` after the trials (the document held in memory included), MB. */
  peakRssMB: number;
}

const PIECE = 64 * 1024;

function* pieces(document: Buffer): Generator<string> {
  const decoder = new StringDecoder('utf8');
  for (let at = 0; at < document.length; at += PIECE) yield decoder.write(document.subarray(at, at + PIECE));
  const rest = decoder.end();
  if (rest !== '') yield rest;
}

async function parseOnce(document: Buffer, syntax: 'turtle' | 'rdfxml'): Promise<number> {
  let quads = 0;
  const parser = syntax === 'turtle' ? new StreamParser({ format: 'text/turtle' }) : new RdfXmlParser();
  const counter = new Writable({
    objectMode: true,
    write(_quad, _encoding, done) {
      quads += 1;
      done();
    },
  });
  await pipeline(Readable.from(pieces(document)), parser, counter);
  return quads;
}

async function main(): Promise<void> {
  const [url, syntax, trialsArg] = process.argv.slice(2);
  const trials = Number(trialsArg);
  if (!url || (syntax !== 'turtle' && syntax !== 'rdfxml') || !(trials >= 1)) throw new Error('usage: dcat-parse.js DOCUMENT_URL turtle|rdfxml TRIALS');
  const response = await request(url);
  if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}`);
  const document = Buffer.from(await response.body.arrayBuffer());
  const quads = await parseOnce(document, syntax);
  const seconds: number[] = [];
  for (let trial = 0; trial < trials; trial += 1) {
    const start = performance.now();
    const counted = await parseOnce(document, syntax);
    seconds.push(round((performance.now() - start) / 1000, 3));
    if (counted !== quads) throw new Error(`trial ${trial + 1} read ${counted} quads, the warm-up ${quads}`);
  }
  const result: ParseResult = {
    syntax,
    parser: syntax === 'turtle' ? 'n3 StreamParser' : 'rdfxml-streaming-parser',
    bytes: document.length,
    quads,
    seconds,
    peakRssMB: round(process.resourceUsage().maxRSS / 1024, 1),
  };
  await new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(result)}\n`, () => resolve()));
}

runChildMain('dcat parse', main);
