"""Approximate search at scale: IVF and HNSW vs the exact flat index on >= 1M clustered unit vectors.

d=64 by default (keeps HNSW construction within minutes on 2 cores), 1,000 queries from the same clusters, k=10.
Sweeps nprobe / efSearch and reports recall@10 against the exact result, queries/second, the speed-up over exact
search, build time and bytes per vector (saved index size / N); then the fastest setting with recall@10 >= 0.95.
IVF's k-means is trained on a random sample (--train-size) rather than all N vectors.

    python bench/ann_search.py [--n 1000000] [--dim 64] [--nlist 2048] [--hnsw-m 16]
"""
import argparse, tempfile, time
from pathlib import Path
import numpy as np
from _common import machine_note, save_results


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--clusters", type=int, default=256)
    ap.add_argument("--noise", type=float, default=1.0, help="noise norm relative to the unit cluster centres")
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--nlist", type=int, default=2048)
    ap.add_argument("--train-size", type=int, default=200_000)
    ap.add_argument("--nprobe", type=int, nargs="+", default=[2, 4, 8, 16, 32, 64])
    ap.add_argument("--hnsw-m", type=int, default=16)
    ap.add_argument("--ef-construction", type=int, default=40)
    ap.add_argument("--ef-search", type=int, nargs="+", default=[16, 32, 64, 128, 256])
    ap.add_argument("--skip-hnsw", action="store_true")
    ap.add_argument("--target", type=float, default=0.95)
    args = ap.parse_args()
    from realm_rag.indexing import DenseIndex, clustered_vectors, memory_estimate, sweep_search, timed_search
    print("machine:", machine_note(), "(the CPU may be shared with other jobs; numbers are wall-clock)")
    t0 = time.perf_counter()
    D = clustered_vectors(args.n, args.dim, n_clusters=args.clusters, noise=args.noise, seed=0)
    q = clustered_vectors(args.queries, args.dim, n_clusters=args.clusters, noise=args.noise, seed=1)
    print(f"data: N={args.n:,} d={args.dim} unit vectors around {args.clusters} centres (noise {args.noise}), {args.queries} queries ({time.perf_counter() - t0:.0f}s)")
    flat = DenseIndex.build(D)
    _, exact_ids, exact_qps = timed_search(flat, q, repeat=2)
    print(f"flat (exact): {exact_qps:.0f} q/s, {4 * args.dim} bytes/vector")
    out = dict(n=args.n, dim=args.dim, clusters=args.clusters, noise=args.noise, queries=args.queries, exact_qps=exact_qps, kinds={})
    tmp = Path(tempfile.mkdtemp())

    def report(kind, index, build_s, knob, values):
        size = index.save(tmp / kind) / "index.faiss"
        bpv = size.stat().st_size / args.n
        rows = sweep_search(index, q, exact_ids, knob, values, show_progress=False)
        print(f"\n{kind} { {k: v for k, v in index.params.items() if k != knob} }: build {build_s:.1f}s, {bpv:.1f} bytes/vector (memory_estimate: {memory_estimate(kind, args.n, args.dim, **{k: v for k, v in index.params.items() if k not in ('nprobe', 'ef_search')}) / args.n:.1f})")
        for r in rows:
            r["speedup"] = r["qps"] / exact_qps
            print(f"  {knob}={r['value']:<4} recall@10={r['recall']:.3f}  {r['qps']:9.0f} q/s  {r['speedup']:6.1f}x exact")
        ok = [r for r in rows if r["recall"] >= args.target]
        best = max(ok, key=lambda r: r["qps"]) if ok else None
        print(f"  best with recall >= {args.target}: " + (f"{knob}={best['value']}, recall {best['recall']:.3f}, {best['qps']:.0f} q/s = {best['speedup']:.1f}x exact" if best else "none in the sweep"))
        out["kinds"][kind] = dict(params=index.params, build_s=build_s, bytes_per_vector=bpv, sweep=rows, best=best)

    t0 = time.perf_counter()
    ivf = DenseIndex.build(D, "ivf", nlist=args.nlist, train_size=min(args.train_size, args.n))
    report("ivf", ivf, time.perf_counter() - t0, "nprobe", args.nprobe)
    del ivf
    if not args.skip_hnsw:
        t0 = time.perf_counter()
        hnsw = DenseIndex.build(D, "hnsw", hnsw_m=args.hnsw_m, ef_construction=args.ef_construction)
        report("hnsw", hnsw, time.perf_counter() - t0, "ef_search", args.ef_search)
    save_results("ann_search", out)


if __name__ == "__main__":
    main()
