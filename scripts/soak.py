"""make soak: drive a release Gremlin with a mixed workload, floods and a
broker restart, then check nothing was lost. Started by scripts/soak.sh,
which provides the environment (SOAK_*). Talks only to 127.0.0.1."""

import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import aiohttp
import nats
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

SECS = int(os.environ.get("SOAK_SECS", "600"))
BIN = os.environ["SOAK_BIN"]
ADMIN_URL = os.environ["SOAK_ADMIN_URL"]
OUT = os.environ["SOAK_OUT"]
NATS_SERVER = os.environ.get("SOAK_NATS_SERVER", "nats-server")
COMMIT = os.environ.get("SOAK_COMMIT", "?")
RUN = f"soak_{int(time.time())}_{os.getpid()}"
PASSWORD = "correct-horse-battery-1"

# When each disturbance happens, as a fraction of the run.
SIGNIN_FLOOD = (0.15, 0.30)
SLOW_FLOOD_AT = (0.40, 0.75)  # twice: the second shows the first's memory is reused
RESTART_AT = 0.55
SIGNIN_FLOOD_CONNECTIONS = 64
SLOW_CLIENTS = 3000


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def psql(sql, db=None):
    url = ADMIN_URL if db is None else ADMIN_URL.rsplit("/", 1)[0] + "/" + db
    return subprocess.run(["psql", url, "-qtAc", sql], check=True, capture_output=True, text=True).stdout.strip()


class Private:
    """A private nats-server and redis-server on spare ports, restartable."""

    def __init__(self, work):
        self.work = work
        self.nats_port, self.redis_port = free_port(), free_port()
        self.nats = self.redis = None

    def start(self):
        self.nats = subprocess.Popen(
            [NATS_SERVER, "-a", "127.0.0.1", "-p", str(self.nats_port), "-js", "-sd", f"{self.work}/nats"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for port in (self.nats_port, self.redis_port):
            wait_port(port)

    def stop(self):
        for proc in (self.nats, self.redis):
            if proc and proc.poll() is None:
                proc.terminate()
                proc.wait(10)


def wait_port(port, secs=20):
    deadline = time.time() + secs
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Recorder:
    def __init__(self):
        self.started = time.monotonic()
        self.samples = []  # (t, call, status, ms)
        self.rss = []  # (t, MiB)
        self.events = []  # (t, what)
        self.created = set()

    def now(self):
        return time.monotonic() - self.started

    def phase(self, t):
        lo, hi = SIGNIN_FLOOD[0] * SECS, SIGNIN_FLOOD[1] * SECS
        return "sign-in flood" if lo <= t < hi else "rest of run"

    def add(self, call, status, ms):
        self.samples.append((self.now(), call, status, ms))

    def mark(self, what):
        print(f"[{self.now():6.1f}s] {what}", flush=True)
        self.events.append((self.now(), what))


async def call(session, rec, name, method, url, **kw):
    started = time.monotonic()
    try:
        async with session.request(method, url, **kw) as resp:
            body = await resp.read()
            rec.add(name, resp.status, (time.monotonic() - started) * 1000)
            return resp.status, resp.headers, body
    except (aiohttp.ClientError, asyncio.TimeoutError) as e:
        rec.add(name, "error", (time.monotonic() - started) * 1000)
        return None, None, str(e).encode()


async def setup(base, session):
    async def post(path, body, auth=None):
        headers = {"authorization": auth} if auth else {}
        async with session.post(base + path, json=body, headers=headers) as r:
            assert r.status in (200, 201), (path, r.status, await r.text())
            return r.headers, await r.json()

    headers, _ = await post("/api/auth/sign-up/email", {"name": "Soak", "email": "soak@example.com", "password": PASSWORD})
    bearer = "Bearer " + headers["set-auth-token"]
    _, org = await post("/api/auth/organization/create", {"name": "Soak", "slug": "soak"}, bearer)
    for i in range(5):
        await post("/api/auth/sign-up/email", {"name": f"U{i}", "email": f"user{i}@example.com", "password": PASSWORD})
    return bearer, org["id"]


async def jwt_for(base, session, bearer):
    async with session.get(base + "/api/auth/token", headers={"authorization": bearer}) as r:
        return "Bearer " + (await r.json())["token"]


def order_body(i):
    return {"currency": "EUR", "lines": [
        {"sku": f"S{i}", "quantity": "2", "unit_price": "19.99", "tax_rate": "20"},
        {"sku": "X", "quantity": "1", "unit_price": "5"}]}


async def steady(base, rec, auth, stop):
    """The everyday mix, for the whole run: get-session, order reads,
    lists, creates with an Idempotency-Key, an occasional sign-in."""
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=16)) as session:
        orders = []

        async def creator(n):
            i = 0
            while not stop.is_set():
                i += 1
                key = f"{RUN}-{n}-{i}"
                for _attempt in range(20):
                    status, _, body = await call(session, rec, "create order", "POST", base + "/api/orders",
                                                 json=order_body(i), headers={"authorization": auth["jwt"], "idempotency-key": key})
                    if status in (200, 201):
                        order = json.loads(body)
                        rec.created.add(order["id"])
                        orders.append(order["id"])
                        break
                    if stop.is_set():
                        break
                    await asyncio.sleep(0.5)  # 503 while Redis restarts: retry the same key
                await asyncio.sleep(0.05)

        async def reader():
            while not stop.is_set():
                if orders:
                    await call(session, rec, "get order", "GET", f"{base}/api/orders/{random.choice(orders)}",
                               headers={"authorization": auth["jwt"]})
                await asyncio.sleep(0.02)

        async def lister():
            while not stop.is_set():
                await call(session, rec, "list orders", "GET", f"{base}/api/orders?limit=50", headers={"authorization": auth["jwt"]})
                await asyncio.sleep(0.1)

        async def session_reader():
            while not stop.is_set():
                await call(session, rec, "get-session", "GET", base + "/api/auth/get-session", headers={"authorization": auth["bearer"]})
                await asyncio.sleep(0.02)

        async def signer():
            while not stop.is_set():
                n = random.randrange(5)
                await call(session, rec, "sign-in", "POST", base + "/api/auth/sign-in/email",
                           json={"email": f"user{n}@example.com", "password": PASSWORD})
                await asyncio.sleep(0.5)

        async def refresher():
            # Service JWTs last 15 minutes: a fresh one every 5.
            while True:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=300)
                    return
                except asyncio.TimeoutError:
                    auth["jwt"] = await jwt_for(base, session, auth["bearer"])

        await asyncio.gather(creator(0), creator(1), reader(), reader(), lister(), session_reader(),
                             session_reader(), signer(), refresher())


async def signin_flood(base, rec, until):
    rec.mark(f"sign-in flood starts: {SIGNIN_FLOOD_CONNECTIONS} connections")
    timeout = aiohttp.ClientTimeout(total=30)
    connector = aiohttp.TCPConnector(limit=SIGNIN_FLOOD_CONNECTIONS)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        async def one(n):
            while rec.now() < until:
                email = f"user{n % 5}@example.com" if n % 4 else f"nobody{n}@example.com"
                await call(session, rec, "sign-in (flood)", "POST", base + "/api/auth/sign-in/email",
                           json={"email": email, "password": PASSWORD})
        await asyncio.gather(*(one(n) for n in range(SIGNIN_FLOOD_CONNECTIONS)))
    rec.mark("sign-in flood ends")


async def slow_flood(port, rec, results):
    rec.mark(f"slow-client flood: {SLOW_CLIENTS} clients send half a header")
    writers = []
    for _ in range(SLOW_CLIENTS):
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: soak\r\n")
            writers.append((reader, writer))
        except OSError as e:
            results["connect_errors"] = results.get("connect_errors", 0) + 1
            results["last_error"] = str(e)
    opened = time.monotonic()
    results["opened"] = len(writers)

    async def closed_after(reader):
        try:
            await asyncio.wait_for(reader.read(), timeout=60)
            return time.monotonic() - opened
        except (asyncio.TimeoutError, OSError):
            return None

    times = await asyncio.gather(*(closed_after(r) for r, _ in writers))
    for _, w in writers:
        w.close()
    closed = [t for t in times if t is not None]
    results["closed"] = len(closed)
    results["closed_by_s"] = max(closed) if closed else None
    rec.mark(f"slow-client flood: {len(closed)} of {len(writers)} closed by the server, the last after {results['closed_by_s']:.1f} s"
             if closed else "slow-client flood: none closed")


async def restart_brokers(private, rec):
    rec.mark("NATS and Redis stopped")
    await asyncio.to_thread(private.stop)
    await asyncio.sleep(5)
    await asyncio.to_thread(private.start)
    rec.mark("NATS and Redis started again")


async def sample_rss(pid, rec, stop):
    while not stop.is_set():
        try:
            rec.rss.append((rec.now(), rss_mib(pid)))
        except FileNotFoundError:
            rec.mark("the server process is gone")
            return
        await asyncio.sleep(0.5)


def p99(values):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * 0.99))]


async def main():
    work = tempfile.mkdtemp(prefix="gremlin-soak-")
    private = Private(work)
    private.start()
    db = RUN
    psql(f"CREATE DATABASE {db}")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    stream, prefix = RUN.upper(), RUN
    env = dict(os.environ,
               GREMLIN_DATABASE__URL=ADMIN_URL.rsplit("/", 1)[0] + "/" + db,
               GREMLIN_DATABASE__MAX_CONNECTIONS="16",
               GREMLIN_EVENTS__URL=f"nats://127.0.0.1:{private.nats_port}",
               GREMLIN_EVENTS__STREAM=stream, GREMLIN_EVENTS__SUBJECT_PREFIX=prefix,
               GREMLIN_CACHE__URL=f"redis://127.0.0.1:{private.redis_port}", GREMLIN_CACHE__KEY_PREFIX=f"{RUN}:",
               GREMLIN_DOCUMENTS__URL=f"mongodb://127.0.0.1:27017/{db}",
               GREMLIN_AUTH_SECRET="soak-secret-0123456789abcdef0123456789abcdef",
               GREMLIN_PUBLIC_URL=base, GREMLIN_RATE_LIMIT__ENABLED="false", GREMLIN_LOG__FILTER="warn")
    log = open(f"{work}/server.log", "w")
    server = subprocess.Popen([BIN, "serve", "--bind", f"127.0.0.1:{port}"], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work)
    ok = False
    try:
        wait_port(port, 60)
        rec = Recorder()
        idle = rss_mib(server.pid)
        async with aiohttp.ClientSession() as session:
            bearer, _org = await setup(base, session)
            jwt = await jwt_for(base, session, bearer)
        # The durable consumer that must see each order.created exactly once.
        nc = await nats.connect(f"nats://127.0.0.1:{private.nats_port}")
        js = nc.jetstream()
        await js.add_consumer(stream, ConsumerConfig(durable_name="soak-check", filter_subject=f"{prefix}.order.created",
                                                     ack_policy=AckPolicy.EXPLICIT, deliver_policy=DeliverPolicy.ALL))
        await nc.close()
        idle = max(idle, rss_mib(server.pid))
        rec.mark(f"ready; idle RSS {idle:.1f} MiB; running {SECS} s")

        stop = asyncio.Event()
        auth = {"bearer": bearer, "jwt": jwt}
        tasks = [asyncio.create_task(steady(base, rec, auth, stop)), asyncio.create_task(sample_rss(server.pid, rec, stop))]
        slow = {}

        async def timeline():
            await asyncio.sleep(SIGNIN_FLOOD[0] * SECS)
            await signin_flood(base, rec, SIGNIN_FLOOD[1] * SECS)
            await asyncio.sleep(max(0, SLOW_FLOOD_AT[0] * SECS - rec.now()))
            flood = asyncio.create_task(slow_flood(port, rec, slow))
            await asyncio.sleep(max(0, RESTART_AT * SECS - rec.now()))
            await restart_brokers(private, rec)
            await flood
            await asyncio.sleep(max(0, SLOW_FLOOD_AT[1] * SECS - rec.now()))
            await slow_flood(port, rec, slow)
            await asyncio.sleep(max(0, SECS - rec.now()))

        await timeline()
        stop.set()
        await asyncio.gather(*tasks)
        rec.mark("load stopped")
        after = rss_mib(server.pid)

        # Loss check: the outbox drains, every accepted order is stored, and
        # the durable consumer receives each order.created exactly once.
        for _ in range(120):
            pending = int(psql("SELECT count(*) FROM outbox WHERE published_at_us IS NULL", db))
            if pending == 0:
                break
            await asyncio.sleep(0.5)
        stored = set(psql("SELECT id::text FROM orders", db).split())
        nc = await nats.connect(f"nats://127.0.0.1:{private.nats_port}")
        js = nc.jetstream()
        sub = await js.pull_subscribe_bind("soak-check", stream)
        consumed = []
        while True:
            try:
                msgs = await sub.fetch(500, timeout=3)
            except nats.errors.TimeoutError:
                break
            for m in msgs:
                consumed.append(json.loads(m.data)["subject"])
                await m.ack()
        await nc.close()
        lost = rec.created - stored
        duplicates = len(consumed) - len(set(consumed))
        unconsumed = stored - set(consumed)
        loss_ok = not lost and duplicates == 0 and not unconsumed and pending == 0
        rec.mark(f"loss check: {len(rec.created)} accepted, {len(stored)} stored, {len(consumed)} consumed, "
                 f"{len(lost)} lost, {duplicates} duplicates, {len(unconsumed)} never consumed, outbox pending {pending}")
        report(rec, idle, after, slow, loss_ok, lost, duplicates, unconsumed, pending, len(stored), len(consumed))
        ok = loss_ok and server.poll() is None
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        private.stop()
        try:
            psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        except subprocess.CalledProcessError:
            pass
        try:
            import pymongo
            pymongo.MongoClient("mongodb://127.0.0.1:27017", serverSelectionTimeoutMS=2000).drop_database(db)
        except Exception:  # noqa: BLE001 - clean-up is best effort
            pass
        print(f"server log: {work}/server.log")
    sys.exit(0 if ok else 1)


def report(rec, idle, after, slow, loss_ok, lost, duplicates, unconsumed, pending, stored, consumed):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    peak = max((m for _, m in rec.rss), default=0)
    flood_peak = max((m for t, m in rec.rss if rec.phase(t) == "sign-in flood"), default=0)
    after_flood = next((m for t, m in rec.rss if t >= SIGNIN_FLOOD[1] * SECS + 5), 0)
    calls = sorted({c for _, c, _, _ in rec.samples})
    rows = []
    fivexx = {}
    for c in calls:
        for phase in ("sign-in flood", "rest of run"):
            s = [x for x in rec.samples if x[1] == c and rec.phase(x[0]) == phase]
            if not s:
                continue
            statuses = {}
            for _, _, st, _ in s:
                statuses[st] = statuses.get(st, 0) + 1
                if isinstance(st, int) and st >= 500:
                    fivexx[(c, st)] = fivexx.get((c, st), 0) + 1
            lat = p99([ms for _, _, st, ms in s if st != "error"])
            shown = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0])))
            rows.append(f"| {c} | {phase} | {len(s)} | {lat:.1f} | {shown} |" if lat is not None else f"| {c} | {phase} | {len(s)} | n/a | {shown} |")

    fig, ax = plt.subplots(figsize=(10, 4))
    ax.plot([t for t, _ in rec.rss], [m for _, m in rec.rss], color="#1f77b4", label="server RSS")
    lo, hi = SIGNIN_FLOOD[0] * SECS, SIGNIN_FLOOD[1] * SECS
    ax.axvspan(lo, hi, color="#ff7f0e", alpha=0.15, label=f"sign-in flood ({SIGNIN_FLOOD_CONNECTIONS} connections)")
    for t, what in rec.events:
        if "slow-client flood:" in what and "send half" in what:
            first = t < SLOW_FLOOD_AT[1] * SECS - 1
            ax.axvline(t, color="#2ca02c", linestyle="--", label="slow-client flood" if first else None)
        if what.startswith("NATS and Redis stopped"):
            ax.axvline(t, color="#d62728", linestyle=":", label="NATS + Redis restart")
    ax.axhline(200, color="grey", linewidth=0.8, label="200 MiB")
    ax.set_xlabel("seconds")
    ax.set_ylabel("RSS (MiB)")
    ax.set_ylim(0, max(220, peak * 1.1))
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title(f"Gremlin RSS under make soak ({SECS} s, {COMMIT})")
    fig.tight_layout()
    fig.savefig(f"{OUT}/soak-rss.png", dpi=90)

    with open(f"{OUT}/soak.md", "w") as f:
        f.write("# Soak results\n\n")
        f.write(f"Run {time.strftime('%Y-%m-%dT%H:%MZ', time.gmtime())} at {COMMIT} by `make soak` ({SECS} s), release build, "
                f"PostgreSQL + NATS JetStream + Redis + MongoDB on this {os.cpu_count()}-core machine; the load generator "
                "(Python, aiohttp) shares the machine. Rate limits off, so floods reach the handlers.\n\n")
        f.write("Timeline: the everyday mix for the whole run (2 creators with Idempotency-Key, 2 order readers, 1 lister, "
                f"2 get-session readers, a sign-in every 0.5 s); a {SIGNIN_FLOOD_CONNECTIONS}-connection sign-in flood from "
                f"{lo:.0f} s to {hi:.0f} s; {SLOW_CLIENTS} clients sending half a header at {SLOW_FLOOD_AT[0] * SECS:.0f} s "
                f"and again at {SLOW_FLOOD_AT[1] * SECS:.0f} s; "
                f"NATS and Redis stopped for 5 s at {RESTART_AT * SECS:.0f} s.\n\n")
        f.write("| memory | MiB |\n|---|---:|\n")
        f.write(f"| idle, before load | {idle:.1f} |\n| peak during the sign-in flood | {flood_peak:.1f} |\n"
                f"| 5 s after the sign-in flood | {after_flood:.1f} |\n| peak over the run | {peak:.1f} |\n| after the load stopped | {after:.1f} |\n\n")
        f.write("| call | phase | requests | p99 ms | statuses |\n|---|---|---:|---:|---|\n")
        f.write("\n".join(rows) + "\n\n")
        f.write(f"5xx answers: {', '.join(f'{c} {s}: {n}' for (c, s), n in sorted(fivexx.items())) or 'none'}.  \n")
        if slow:
            f.write(f"Slow clients (second flood): {slow.get('opened', 0)} opened, {slow.get('closed', 0)} closed by the server, "
                    f"the last after {slow.get('closed_by_s') or 0:.1f} s.  \n")
        f.write(f"Loss check: {'passed' if loss_ok else 'FAILED'} — {len(rec.created)} creates accepted, {stored} orders stored, "
                f"{consumed} order.created events consumed by a durable consumer, {len(lost)} lost, {duplicates} duplicates, "
                f"{len(unconsumed)} never consumed, outbox pending {pending}.\n\n")
        f.write("Events:\n\n")
        for t, what in rec.events:
            f.write(f"* {t:.1f} s: {what}\n")
        f.write("\n![RSS over time](soak-rss.png)\n")
    print(open(f"{OUT}/soak.md").read())


if __name__ == "__main__":
    # SIGTERM (make interrupted, a time limit) still runs the clean-up.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    asyncio.run(main())
