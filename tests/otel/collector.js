#!/usr/bin/env node
// A test OpenTelemetry collector on loopback: OTLP/HTTP (POST /v1/traces,
// /v1/metrics, /v1/logs) decoded with the official opentelemetry-proto
// definitions as the OpenTelemetry JS project compiles them (protobufjs,
// @opentelemetry/otlp-transformer's generated root, pinned in package.json),
// never with deskhand's own encoder. Each request becomes one JSON line in
// --out: {"signal", "encoding", "request"} where request is the decoded
// Export*ServiceRequest (toObject: 64-bit numbers as strings, enums as
// numbers, ids as lowercase hex). A body that does not decode is answered
// 400 and logged as {"signal", "error"}.
//
//   collector.js --port-file F --out F [--mode live|hang]
//
// --mode hang accepts requests and never answers them (a stuck collector).
'use strict';
const http = require('http');
const fs = require('fs');
const root = require('@opentelemetry/otlp-transformer/build/src/generated/root');

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].slice(2)] = process.argv[i + 1];
const mode = args.mode || 'live';
const pb = root.opentelemetry.proto.collector;
const types = {
  '/v1/traces': ['traces', pb.trace.v1.ExportTraceServiceRequest],
  '/v1/metrics': ['metrics', pb.metrics.v1.ExportMetricsServiceRequest],
  '/v1/logs': ['logs', pb.logs.v1.ExportLogsServiceRequest],
};
const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);

// OTLP/JSON writes ids as hex; protobufjs' JSON form of bytes is base64.
function idsTo(obj, conv) {
  if (Array.isArray(obj)) return obj.forEach((o) => idsTo(o, conv));
  if (obj && typeof obj === 'object')
    for (const k of Object.keys(obj)) {
      if (ID_KEYS.has(k) && typeof obj[k] === 'string') obj[k] = conv(obj[k]);
      else idsTo(obj[k], conv);
    }
}
const hex2b64 = (h) => Buffer.from(h, 'hex').toString('base64');
const b642hex = (b) => Buffer.from(b, 'base64').toString('hex');

function decode(Type, ctype, body) {
  let msg;
  if (ctype.startsWith('application/json')) {
    const j = JSON.parse(body.toString('utf8'));
    idsTo(j, (h) => {
      if (!/^([0-9a-f]{2})*$/.test(h)) throw new Error('id is not lowercase hex: ' + h);
      return hex2b64(h);
    });
    msg = Type.fromObject(j);
    const err = Type.verify(msg);
    if (err) throw new Error('verify: ' + err);
  } else if (ctype.startsWith('application/x-protobuf')) {
    msg = Type.decode(body);
  } else {
    throw new Error('unexpected Content-Type ' + ctype);
  }
  const o = Type.toObject(msg, { longs: String, enums: Number, bytes: String, defaults: false, arrays: true, oneofs: false });
  idsTo(o, b642hex);
  return o;
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (mode === 'hang') return; // never answered
    const t = types[req.url];
    const ctype = req.headers['content-type'] || '';
    const line = { signal: t ? t[0] : req.url, encoding: ctype.includes('json') ? 'json' : 'protobuf', headers: req.headers };
    let status = 200;
    try {
      if (req.method !== 'POST' || !t) throw new Error('not an OTLP request: ' + req.method + ' ' + req.url);
      line.request = decode(t[1], ctype, Buffer.concat(chunks));
    } catch (e) {
      line.error = String(e.message || e);
      status = 400;
    }
    fs.appendFileSync(args.out, JSON.stringify(line) + '\n');
    res.writeHead(status, { 'Content-Type': ctype.includes('json') ? 'application/json' : 'application/x-protobuf' });
    res.end(ctype.includes('json') ? '{}' : '');
  });
});
server.listen(0, '127.0.0.1', () => fs.writeFileSync(args['port-file'], String(server.address().port)));
// The test ends us; a forgotten collector ends itself.
setTimeout(() => process.exit(0), 10 * 60 * 1000).unref();
