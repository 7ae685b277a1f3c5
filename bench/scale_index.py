"""A 1M-vector index built from shards: flat vs IVF vs IVF-PQ vs on-disk IVF, all measured in one run.

Encoding a million passages is out of reach on 2 CPU cores, so the vectors are clustered unit vectors
(`indexing.clustered_vectors`, d=384 as MiniLM's) written as --shards memory-mapped .npy shards, the layout
`scaling.encode_corpus` writes. Each index is built by `scaling.build_index` from those shards (k-means trained on a
--train-size sample, then one shard added at a time); the on-disk IVF writes its inverted lists to a file that the
loaded index memory-maps. For each layout: build seconds, bytes per vector (saved files / N), recall@10 against the
exact (flat) result, queries/second (1,000 queries, one batch; for IVF-PQ also with its top --rescore candidates
rescored exactly from the stored vectors, as `Retriever.retrieve` rescores, which adds the vectors' 4·d bytes on disk) and, from `scaling.search_memory`, the private memory
a fresh process adds when it loads the index and searches (the page-cache pages of an on-disk index are not private:
the kernel shares them and may drop them). Then the in-memory and the on-disk IVF are loaded and searched again by a
process confined to a hard memory limit (--budget-mb, a cgroup; needs a writable /sys/fs/cgroup/memory, else
skipped): the limit is below the index's size. Ratios are against the flat index measured in the same run.

    python bench/scale_index.py                 # 1M x 384, 10 shards (about 6 minutes on 2 cores, 3 GB of /tmp)
    python bench/scale_index.py --n 100000      # quick
"""
import argparse, os, shutil, tempfile, time
from pathlib import Path
import numpy as np
from _common import machine_note, save_results


def memory_cgroup(limit_mb: int):
    "A cgroup (v1 memory controller) with a hard limit; returns (a preexec_fn that puts the child in it, cleanup) or None."
    root = Path("/sys/fs/cgroup/memory")
    try:
        cg = root / f"realm_rag_bench_{os.getpid()}"
        cg.mkdir()
        (cg / "memory.limit_in_bytes").write_text(str(limit_mb * 2**20))
        try: (cg / "memory.memsw.limit_in_bytes").write_text(str(limit_mb * 2**20))   # no swap either, where accounted
        except OSError: pass
    except OSError as e:
        print(f"memory budget: cannot create a memory cgroup here ({e}); budget runs skipped")
        return None
    def join(): (cg / "cgroup.procs").write_text(str(os.getpid()))
    def done() -> int:                                 # the group's peak charge (MB), then remove it
        peak = int((cg / "memory.max_usage_in_bytes").read_text()) // 2**20
        cg.rmdir(); return peak
    return join, done


def drop_cached(folder: Path):
    "Ask the kernel to drop the page cache of every file in `folder` (posix_fadvise DONTNEED; pages no process maps)."
    for f in folder.rglob("*"):
        if f.is_file():
            fd = os.open(f, os.O_RDONLY)
            try: os.fsync(fd); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally: os.close(fd)


def folder_bytes(p: Path) -> int:
    return sum(f.stat().st_size for f in p.rglob("*") if f.is_file())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--shards", type=int, default=10)
    ap.add_argument("--clusters", type=int, default=20_000, help="more clusters than IVF cells: neighbours straddle cells")
    ap.add_argument("--noise", type=float, default=1.0)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--nlist", type=int, default=1024)
    ap.add_argument("--nprobe", type=int, default=16)
    ap.add_argument("--pq-m", type=int, default=48, help="IVF-PQ sub-vectors (bytes per code at 8 bits)")
    ap.add_argument("--train-size", type=int, default=100_000)
    ap.add_argument("--rescore", type=int, default=100, help="IVF-PQ candidates rescored exactly from the stored vectors")
    ap.add_argument("--budget-mb", type=int, default=512, help="hard memory limit (cgroup) for the budget runs; 0: skip them")
    ap.add_argument("--workdir", default=None, help="where shards and indexes go (default: a temporary folder, removed)")
    args = ap.parse_args()
    from realm_rag.indexing import DenseIndex, ann_recall, clustered_vectors, timed_search
    from realm_rag.scaling import RowShards, build_index, search_memory
    print("machine:", machine_note(), "(the CPU may be shared with other jobs; numbers are wall-clock)")
    work = Path(args.workdir or tempfile.mkdtemp(prefix="scale_index_"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        sizes = [len(a) for a in np.array_split(np.arange(args.n), args.shards)]
        for j, m in enumerate(sizes):                       # one shard in memory at a time, written as a memory map
            x = clustered_vectors(m, args.dim, n_clusters=args.clusters, noise=args.noise, seed=100 + j)
            out = np.lib.format.open_memmap(str(work / f"shard-{j:05d}.npy"), mode="w+", dtype=np.float32, shape=x.shape)
            out[:] = x; out.flush(); del out, x
        rows = RowShards([np.load(work / f"shard-{j:05d}.npy", mmap_mode="r") for j in range(args.shards)])
        q = clustered_vectors(args.queries, args.dim, n_clusters=args.clusters, noise=args.noise, seed=1)
        np.save(work / "queries.npy", q)
        print(f"data: {args.n:,} x {args.dim} clustered unit vectors in {args.shards} shards, {args.queries} queries "
              f"({time.perf_counter() - t0:.0f}s)")
        layouts = [("flat", "flat", {}, False),
                   (f"ivf (nlist {args.nlist}, nprobe {args.nprobe})", "ivf", dict(nlist=args.nlist, nprobe=args.nprobe), False),
                   (f"ivfpq (m {args.pq_m}, 8 bits, nprobe {args.nprobe})", "ivfpq", dict(nlist=args.nlist, nprobe=args.nprobe, m=args.pq_m, nbits=8), False),
                   (f"ivf on disk (nlist {args.nlist}, nprobe {args.nprobe})", "ivf", dict(nlist=args.nlist, nprobe=args.nprobe), True)]
        table, exact_ids = [], None
        for name, kind, params, on_disk in layouts:
            t0 = time.perf_counter()
            ix = build_index(rows, kind, on_disk=work / "build" / "lists.ivfdata" if on_disk else None,
                             train_size=args.train_size, show_progress=False, **params)
            build_s = time.perf_counter() - t0
            _, ids, qps = timed_search(ix, q, 10, repeat=2)
            saved = work / f"index-{len(table)}"
            ix.save(saved); del ix
            shutil.rmtree(work / "build", ignore_errors=True)
            if exact_ids is None: exact_ids = ids
            mem = search_memory(saved, work / "queries.npy")
            row = dict(layout=name, build_s=round(build_s, 1), bytes_per_vector=round(folder_bytes(saved) / args.n, 1),
                       recall_at_10=round(ann_recall(ids, exact_ids, 10), 4), queries_per_s=round(qps),
                       private_mb_added=mem["anon_peak_mb"] - mem["anon_before_mb"], file_pages_mb=mem["file_after_mb"],
                       fresh_process_search_s=round(mem["search_s"], 2))
            if args.budget_mb and name in (layouts[1][0], layouts[3][0]):   # in-memory vs on-disk IVF under a hard limit
                cg = memory_cgroup(args.budget_mb)
                if cg is not None:
                    drop_cached(saved)        # else the lists' pages, cached by the run above, are charged to another group
                    t0 = time.perf_counter()
                    try: b = search_memory(saved, work / "queries.npy", preexec_fn=cg[0], check=False)
                    finally: charged = cg[1]()
                    b["load_search_s"] = time.perf_counter() - t0              # the whole child: start, load, search
                    row["under_budget"] = (f"answered: load + search of {args.queries} queries in {b['load_search_s']:.1f}s (search {b['search_s']:.1f}s), "
                                           f"peak memory charged to its group {charged} MB, page cache included" if b["returncode"] == 0
                                           else f"failed (exit {b['returncode']}: killed by the limit)" if b["returncode"] < 0
                                           else f"failed (exit {b['returncode']})")
            table.append(row); print(row, flush=True)
            if kind == "ivfpq":                              # what Retriever-style exact rescoring recovers from PQ's codes
                ix = DenseIndex.load(saved, verify=False)
                t0 = time.perf_counter()
                _, cand = ix.search(q, args.rescore)                                  # (n, rescore) candidates
                exact = np.einsum("nd,nkd->nk", q, rows[cand])                        # d(z)^T q(x) from the stored rows
                top = np.take_along_axis(cand, np.argsort(-exact, 1, kind="stable")[:, :10], 1)
                rescore_qps = len(q) / (time.perf_counter() - t0); del ix
                table.append(dict(row, layout=f"{name} + exact rescoring of its top {args.rescore}",
                                  recall_at_10=round(ann_recall(top, exact_ids, 10), 4), queries_per_s=round(rescore_qps),
                                  bytes_per_vector=round(row["bytes_per_vector"] + 4 * args.dim, 1)))
                print(table[-1], flush=True)
            if not on_disk: shutil.rmtree(saved)             # keep /tmp use near one index at a time
        flat = table[0]
        print(f"\n{args.n:,} vectors, d={args.dim}, {args.queries} queries, k=10; ratios against flat in this run\n")
        print("| layout | build s | bytes/vector | recall@10 | queries/s | × flat q/s | private MB added by a search process | × flat memory |")
        print("|---|---|---|---|---|---|---|---|")
        for r in table:
            print(f"| {r['layout']} | {r['build_s']} | {r['bytes_per_vector']:.0f} | {r['recall_at_10']:.3f} | {r['queries_per_s']:,} "
                  f"| {r['queries_per_s'] / flat['queries_per_s']:.1f} | {r['private_mb_added']} "
                  f"| {r['private_mb_added'] / max(flat['private_mb_added'], 1):.2f} |")
        budget = [r for r in table if "under_budget" in r]
        if budget:
            print(f"\nunder a hard memory limit of {args.budget_mb} MB (a memory cgroup; page cache counts and is reclaimed):")
            for r in budget: print(f"  {r['layout']}: {r['under_budget']}")
        save_results("scale_index", dict(args=vars(args), table=table, machine=machine_note()))
    finally:
        if args.workdir is None: shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
