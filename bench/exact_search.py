"""Exact top-k search: DenseIndex(kind="flat") (FAISS IndexFlatIP) vs numpy q @ D.T + argpartition.

d=384 (MiniLM's size), 100k and 1M unit vectors, 1,000 queries searched as one batch, k=10, measured side by side
in one process. Also reports each rate as "bytes of document vectors scanned per second" (queries/s x N x d x 4)
against a measured numpy memory-copy rate: a single query must read all N x d floats, so the copy rate bounds
one-query-at-a-time search; a batch reuses each vector for many queries (matrix multiply), so it can exceed 1.0x.

    python bench/exact_search.py [--sizes 100000 1000000] [--queries 1000] [--dim 384]
"""
import argparse, time
import numpy as np
from _common import machine_note, save_results


def best_time(fn, repeat):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter(); out = fn(); best = min(best, time.perf_counter() - t0)
    return best, out


def copy_rate(nbytes=1 << 29, repeat=3):
    "Memory bandwidth as numpy sees it: bytes read + written per second by np.copyto on a 512 MiB array."
    src = np.ones(nbytes // 4, np.float32); dst = np.empty_like(src)
    t, _ = best_time(lambda: np.copyto(dst, src), repeat)
    return 2 * nbytes / t


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--single", type=int, default=20, help="queries searched one at a time (memory-bound regime)")
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    from realm_rag.indexing import DenseIndex, clustered_vectors, exact_topk, same_topk
    print("machine:", machine_note(), "(the CPU may be shared with other jobs; numbers are wall-clock)")
    bw = copy_rate()
    print(f"numpy memory copy rate: {bw / 1e9:.1f} GB/s (read + write)")
    q = clustered_vectors(args.queries, args.dim, seed=1)
    out = dict(dim=args.dim, queries=args.queries, k=args.k, copy_rate_bytes_per_s=bw, sizes={})
    for n in args.sizes:
        D = clustered_vectors(n, args.dim, seed=0)
        t_build, index = best_time(lambda: DenseIndex.build(D), 1)
        t_faiss, (s_f, i_f) = best_time(lambda: index.search(q, args.k), args.repeat)
        t_np, (s_n, i_n) = best_time(lambda: exact_topk(q, D, args.k), args.repeat)
        agree = same_topk(s_f, i_f, s_n, i_n)
        qs = q[:args.single]
        t_f1, _ = best_time(lambda: [index.search(x[None], args.k) for x in qs], 1)
        t_n1, _ = best_time(lambda: [exact_topk(x[None], D, args.k) for x in qs], 1)
        scan = n * args.dim * 4                          # bytes of vectors one query must read
        r = dict(n=n, build_s=t_build, faiss_qps=args.queries / t_faiss, numpy_qps=args.queries / t_np,
                 faiss_single_qps=len(qs) / t_f1, numpy_single_qps=len(qs) / t_n1, results_agree=agree)
        r["ratio_faiss_over_numpy"] = r["faiss_qps"] / r["numpy_qps"]
        for key in ("faiss_qps", "numpy_qps", "faiss_single_qps", "numpy_single_qps"):
            r[key.replace("qps", "scan_over_copy_rate")] = r[key] * scan / bw
        out["sizes"][str(n)] = r
        print(f"\nN={n:,} d={args.dim} ({scan * 1e-6:.0f} MB of vectors), {args.queries} queries batched, k={args.k}; results agree: {agree}")
        print(f"  DenseIndex(flat): {r['faiss_qps']:9.1f} q/s  scan rate {r['faiss_qps'] * scan / 1e9:7.1f} GB/s = {r['faiss_scan_over_copy_rate']:.2f}x copy rate")
        print(f"  numpy q@D.T+argpartition: {r['numpy_qps']:9.1f} q/s  scan rate {r['numpy_qps'] * scan / 1e9:7.1f} GB/s = {r['numpy_scan_over_copy_rate']:.2f}x copy rate")
        print(f"  ratio DenseIndex / numpy (batched): {r['ratio_faiss_over_numpy']:.2f}x")
        print(f"  one query at a time ({len(qs)} queries): DenseIndex {r['faiss_single_qps']:.1f} q/s = {r['faiss_single_scan_over_copy_rate']:.2f}x copy rate; "
              f"numpy {r['numpy_single_qps']:.1f} q/s = {r['numpy_single_scan_over_copy_rate']:.2f}x copy rate")
        del D, index
    save_results("exact_search", out)


if __name__ == "__main__":
    main()
