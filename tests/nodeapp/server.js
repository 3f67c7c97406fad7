// A small Express service that behaves as the seed documents describe, to
// prove shakedown's drills against something that is not its own reference
// target: /health (ok | degraded, checks.db / checks.redis, uptime),
// /api/ready (DB required, 1.5 s; Redis only in production), sessions that
// fall back to memory when Redis is down, data calls that fail cleanly
// (503) without a crash, a per-user AI guard (seed 000's createAiGuard),
// and graceful shutdown on SIGTERM. Each check carries seed 004's status:
// healthy, degraded when slow (DB from 100 ms, Redis from 50 ms: /health is
// then degraded too) or unhealthy.
//
// Environment: PORT, DATABASE_URL, REDIS_URL, PIDFILE, NODE_ENV=production,
// NO_DB_TIMEOUT=1 (queries wait as long as the database takes),
// READY_STYLE=terminus (answers like @godaddy/terminus: 200 {"status":"ok"},
// 503 {"status":"error"}), LEAK=1 (keeps 64 KiB per /health request),
// AI_LATENCY_MS (default 300). Memory (seed 004's check, of the cgroup's
// limit when there is one, as in a container, else the machine's) is
// degraded from 80 %; NO_MEMORY_CHECK=1 leaves it out. /api/compute burns
// COMPUTE_MS (2) of CPU behind seed 001's rate limiter (rate-limiter-flexible,
// RATE_LIMIT_POINTS per RATE_LIMIT_DURATION seconds per client, default
// 100/1; 429 with Retry-After; by X-Client-Id, else the address, or only
// the address with RATE_LIMIT_KEY=ip); NO_RATE_LIMIT=1 leaves it out.
// NO_GRACEFUL=1 exits at once on SIGTERM, cutting requests in flight;
// SHUTDOWN_STYLE=terminus ends as @godaddy/terminus does after its cleanup:
// it sends itself the signal again, so it dies "killed by SIGTERM".
// POST /api/writes {"key":K} inserts into node_writes and answers 201 once
// committed, 503 when the database does not take it; LOSE_WRITES=1
// acknowledges at once and writes from a buffer every 100 ms, dropping a
// batch the database refuses. GET /api/stats reads the database through
// seed 001's CircuitBreaker (5 failures open it for BREAKER_OPEN_MS, default
// 5000; 2 half-open successes close it; while open: 503 "Circuit breaker
// is OPEN" at once); NO_BREAKER=1 calls the database every time.
// GET /metrics: http_requests_total{route,status} and db_up;
// STALE_METRICS=1 always says the database is up.
'use strict';
const fs = require('fs');
const express = require('express');
const { Pool } = require('pg');
const { createClient } = require('redis');
const { RateLimiterMemory } = require('rate-limiter-flexible');

const port = Number(process.env.PORT || 3000);
const production = process.env.NODE_ENV === 'production';
const terminus = process.env.READY_STYLE === 'terminus';
const aiLatency = Number(process.env.AI_LATENCY_MS || 300);
const started = Date.now();
const noDbTimeout = process.env.NO_DB_TIMEOUT === '1';
const noMemoryCheck = process.env.NO_MEMORY_CHECK === '1';
const noRateLimit = process.env.NO_RATE_LIMIT === '1';
const computeMs = Number(process.env.COMPUTE_MS || 2);
const loseWrites = process.env.LOSE_WRITES === '1';
const noBreaker = process.env.NO_BREAKER === '1';
const sessionsNeedRedis = process.env.SESSIONS_NEED_REDIS === '1';
const breakerOpenMs = Number(process.env.BREAKER_OPEN_MS || 5000);
let dbUp = 1; // for /metrics

const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: 10,
  connectionTimeoutMillis: noDbTimeout ? 0 : 1500,
  idleTimeoutMillis: 10000,
});
pool.on('error', () => {}); // an idle client lost with the DB: the pool replaces it

let redis = null;
if (process.env.REDIS_URL) {
  redis = createClient({
    url: process.env.REDIS_URL,
    socket: { connectTimeout: 1000, reconnectStrategy: (n) => Math.min(n * 100, 1000) },
  });
  redis.on('error', () => {}); // reconnects by itself
  redis.connect().catch(() => {});
}

const dbTimeout = (p) => (noDbTimeout ? p : withTimeout(p, 1500));
const withTimeout = (p, ms) => Promise.race([
  p,
  new Promise((_, reject) => setTimeout(() => reject(new Error(`timeout after ${ms}ms`)), ms)),
]);

async function checkDb() {
  const start = Date.now();
  try {
    await dbTimeout(pool.query('SELECT 1'));
    const latency = Date.now() - start;
    dbUp = 1;
    return { ok: true, status: latency < 100 ? 'healthy' : 'degraded', latency };
  } catch (err) {
    dbUp = 0;
    return { ok: false, status: 'unhealthy', error: err.message };
  }
}

async function checkRedis() {
  if (!redis) return { ok: true, status: 'healthy', configured: false };
  const start = Date.now();
  try {
    if (!redis.isReady) throw new Error('not connected');
    await withTimeout(redis.ping(), 1000);
    const latency = Date.now() - start;
    return { ok: true, status: latency < 50 ? 'healthy' : 'degraded', latency };
  } catch (err) {
    return { ok: false, status: 'unhealthy', error: err.message };
  }
}

// The memory limit of this process's cgroup (v1 memory hierarchy, else v2),
// or null when it has none.
function cgroupMemory() {
  const read = (f) => { try { return fs.readFileSync(f, 'utf8'); } catch { return null; } };
  const lines = (read('/proc/self/cgroup') || '').split('\n');
  for (const l of lines) {
    const [, ctl, path] = l.split(':');
    if (path === undefined) continue;
    if (ctl.split(',').includes('memory')) {
      const dir = `/sys/fs/cgroup/memory${path === '/' ? '' : path}`;
      const stat = read(`${dir}/memory.stat`) || '';
      const m = /^hierarchical_memory_limit (\d+)$/m.exec(stat);
      const usage = Number(read(`${dir}/memory.usage_in_bytes`));
      const limit = m ? Number(m[1]) : NaN;
      if (limit > 0 && limit < 2 ** 62 && usage >= 0) return { usage, limit };
    } else if (ctl === '') {
      let dir = `/sys/fs/cgroup${path === '/' ? '' : path}`;
      const usage = Number(read(`${dir}/memory.current`));
      let limit = Infinity;
      for (; dir.length > '/sys/fs/cgroup'.length; dir = dir.slice(0, dir.lastIndexOf('/'))) {
        const max = Number(read(`${dir}/memory.max`));
        if (max > 0 && max < limit) limit = max;
      }
      if (Number.isFinite(limit) && usage >= 0) return { usage, limit };
    }
  }
  return null;
}

// seed 004's memory check, of what this service may really use
function checkMemory() {
  if (noMemoryCheck) return { status: 'healthy' };
  let m = cgroupMemory();
  let basis = 'cgroup';
  const os = require('os');
  if (!m || m.limit > os.totalmem()) {
    m = { usage: os.totalmem() - os.freemem(), limit: os.totalmem() };
    basis = 'host';
  }
  const usage = Math.round((m.usage / m.limit) * 100);
  return { status: usage < 80 ? 'healthy' : 'degraded', usage, limit: 80, basis };
}

// seed 001 §3.2: the rate limiter (its memory version)
const rateLimiter = new RateLimiterMemory({
  points: Number(process.env.RATE_LIMIT_POINTS || 100),
  duration: Number(process.env.RATE_LIMIT_DURATION || 1),
});
async function rateLimit(req, res, next) {
  if (noRateLimit) return next();
  try {
    // RATE_LIMIT_KEY=ip: by address only, as seed 001's limiter (req.ip)
    const id = process.env.RATE_LIMIT_KEY === 'ip' ? undefined : req.get('X-Client-Id');
    await rateLimiter.consume(id || req.ip || 'unknown');
    next();
  } catch (error) {
    if (error.msBeforeNext === undefined) return next(); // the limiter failed: let it through
    res.set('Retry-After', String(Math.max(1, Math.ceil(error.msBeforeNext / 1000))));
    res.status(429).json({ code: 'TOO_MANY_REQUESTS', message: 'Too many requests, please try again later' });
  }
}

// seed 000: lib/concurrency.js
const createAiGuard = (initial = new Set()) => {
  const inFlight = initial;
  return {
    acquire(userId) {
      if (!userId) return () => {};
      if (inFlight.has(userId)) return null;
      inFlight.add(userId);
      return () => { inFlight.delete(userId); };
    },
  };
};
const aiGuard = createAiGuard();

const memorySessions = new Map();
const leaked = [];
let shuttingDown = false;

const app = express();
app.use(express.json());
app.use((req, res, next) => {
  if (shuttingDown) res.set('Connection', 'close');
  next();
});

// Prometheus text, by hand as seed 001's MetricsCollector does:
// http_requests_total{route,status} and db_up (the last check's answer;
// STALE_METRICS=1 keeps it 1 whatever the database does)
const requests = new Map();
app.use((req, res, next) => {
  res.on('finish', () => {
    const k = `route="${req.path === '/metrics' ? '/metrics' : req.route ? req.route.path : 'other'}",status="${res.statusCode}"`;
    requests.set(k, (requests.get(k) || 0) + 1);
  });
  next();
});
app.get('/metrics', (req, res) => {
  const lines = ['# TYPE http_requests_total counter'];
  for (const [k, v] of requests) lines.push(`http_requests_total{${k}} ${v}`);
  lines.push('# TYPE db_up gauge', `db_up ${process.env.STALE_METRICS === '1' ? 1 : dbUp}`);
  res.type('text/plain; version=0.0.4').send(`${lines.join('\n')}\n`);
});

app.get('/health', async (req, res) => {
  if (process.env.LEAK === '1') leaked.push(Buffer.alloc(64 * 1024, 0xa5));
  const [db, rd] = await Promise.all([checkDb(), checkRedis()]);
  const memory = checkMemory();
  res.json({
    status: db.status === 'healthy' && rd.status === 'healthy' && memory.status === 'healthy' ? 'ok' : 'degraded',
    service: 'shakedown-nodeapp',
    timestamp: new Date().toISOString(),
    uptime: (Date.now() - started) / 1000,
    checks: { db, redis: rd, memory },
  });
});

app.get('/api/ready', async (req, res) => {
  if (shuttingDown) return res.status(503).json({ status: terminus ? 'error' : 'not_ready' });
  const [db, rd] = await Promise.all([checkDb(), production ? checkRedis() : null]);
  const ready = db.ok && (!production || (rd && rd.ok && rd.configured !== false));
  const checks = production ? { db, redis: rd } : { db };
  if (terminus) {
    return res.status(ready ? 200 : 503).json(ready ? { status: 'ok', info: checks } :
      { status: 'error', error: checks });
  }
  res.status(ready ? 200 : 503).json({
    status: ready ? 'ready' : 'not_ready',
    checks,
    timestamp: new Date().toISOString(),
  });
});

app.post('/api/login', async (req, res) => {
  const user = req.body && req.body.user;
  if (typeof user !== 'string' || !user) return res.status(400).json({ error: 'user required' });
  const token = require('crypto').randomBytes(16).toString('hex');
  let store = 'redis';
  try {
    if (!redis || !redis.isReady) throw new Error('redis down');
    await withTimeout(redis.set(`sess:${token}`, user, { EX: 3600 }), 1000);
  } catch {
    // the bug: no fallback, the API fails with Redis
    if (sessionsNeedRedis) return res.status(500).json({ error: 'session store unavailable' });
    memorySessions.set(token, user); // degrade: sessions in memory
    store = 'memory';
  }
  res.json({ token, store });
});

app.get('/api/records', async (req, res) => {
  try {
    const r = await dbTimeout(pool.query('SELECT 1 AS id, now() AS at'));
    res.json({ records: r.rows });
  } catch (err) {
    res.status(503).json({ error: 'Database unavailable', detail: err.message });
  }
});

// seed 001 §4.1, as written there
class CircuitBreaker {
  constructor(threshold = 5, timeout = 60000, successThreshold = 2) {
    this.threshold = threshold;
    this.timeout = timeout;
    this.successThreshold = successThreshold;
    this.failures = 0;
    this.successCount = 0;
    this.lastFailureTime = 0;
    this.state = 'CLOSED';
  }

  async execute(fn) {
    if (this.state === 'OPEN') {
      if (Date.now() - this.lastFailureTime > this.timeout) {
        this.state = 'HALF_OPEN';
        this.successCount = 0;
      } else {
        throw new Error('Circuit breaker is OPEN');
      }
    }
    try {
      const result = await fn();
      this.onSuccess();
      return result;
    } catch (error) {
      this.onFailure();
      throw error;
    }
  }

  onSuccess() {
    this.failures = 0;
    if (this.state === 'HALF_OPEN') {
      this.successCount++;
      if (this.successCount >= this.successThreshold) this.state = 'CLOSED';
    }
  }

  onFailure() {
    this.failures++;
    this.lastFailureTime = Date.now();
    if (this.failures >= this.threshold) this.state = 'OPEN';
  }
}
const breaker = new CircuitBreaker(5, breakerOpenMs, 2);

app.get('/api/stats', async (req, res) => {
  const query = () => dbTimeout(pool.query('SELECT count(*)::int AS n FROM pg_class'));
  try {
    const r = noBreaker ? await query() : await breaker.execute(query);
    res.json({ tables: r.rows[0].n, breaker: breaker.state });
  } catch (err) {
    res.status(503).json({ error: err.message === 'Circuit breaker is OPEN' ? err.message : 'Database unavailable' });
  }
});

let schema = null;
const ensureSchema = () => {
  schema = schema || dbTimeout(pool.query(
    'CREATE TABLE IF NOT EXISTS node_writes (key text PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())',
  )).catch((err) => { schema = null; throw err; });
  return schema;
};
const insert = (key) => pool.query('INSERT INTO node_writes (key) VALUES ($1) ON CONFLICT (key) DO NOTHING', [key]);
let pending = [];
if (loseWrites) {
  setInterval(async () => {
    const batch = pending;
    pending = [];
    try {
      await ensureSchema();
      for (const key of batch) await dbTimeout(insert(key));
    } catch { /* the bug: the batch is gone, though every write in it was acknowledged */ }
  }, 100).unref();
}

app.post('/api/writes', async (req, res) => {
  const key = req.body && req.body.key;
  if (typeof key !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(key)) return res.status(400).json({ error: 'key required' });
  if (loseWrites) {
    pending.push(key);
    return res.status(201).json({ key, stored: true });
  }
  try {
    await ensureSchema();
    await dbTimeout(insert(key));
    res.status(201).json({ key, stored: true });
  } catch (err) {
    res.status(503).json({ error: 'Database unavailable', detail: err.message });
  }
});

app.get('/api/compute', rateLimit, (req, res) => {
  const start = process.cpuUsage();
  let x = 1;
  for (;;) {
    for (let i = 0; i < 10000; i++) x = (x * 1103515245 + 12345) >>> 0;
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= computeMs) break;
  }
  res.json({ result: x });
});

for (const kind of ['bazi', 'tarot', 'iching']) {
  app.post(`/api/${kind}/ai-interpret`, async (req, res) => {
    const auth = req.get('Authorization') || '';
    const userId = auth.startsWith('Bearer ') ? auth.slice(7) : null;
    if (!userId) return res.status(401).json({ error: 'authentication required' });
    const release = aiGuard.acquire(userId);
    if (!release) return res.status(429).json({ error: 'AI request already in progress. Please wait.' });
    try {
      await new Promise((r) => setTimeout(r, aiLatency));
      res.json({ kind, user: userId, interpretation: 'simulated' });
    } finally {
      release();
    }
  });
}

const server = app.listen(port, '127.0.0.1', () => {
  if (process.env.PIDFILE) fs.writeFileSync(process.env.PIDFILE, `${process.pid}\n`);
});

// graceful shutdown: stop taking new requests, let in-flight ones finish
function onTerm() {
  if (process.env.NO_GRACEFUL === '1') process.exit(0); // the bug: requests in flight are cut
  shuttingDown = true;
  server.close(async () => {
    await pool.end().catch(() => {});
    if (redis) await redis.quit().catch(() => {});
    if (process.env.SHUTDOWN_STYLE === 'terminus') {
      // terminus: the cleanup done, the signal goes on to do what it does
      process.removeListener('SIGTERM', onTerm);
      process.kill(process.pid, 'SIGTERM');
      return;
    }
    process.exit(0);
  });
  setTimeout(() => process.exit(1), 30000).unref();
}
process.on('SIGTERM', onTerm);
