"""Corpus encoding throughput with 1 and 2 processes: `realm-rag index --no_merge` on the same passages, same shards.

The encoder is the bundled MiniLM (all-MiniLM-L6-v2, 384-d); the passages are the first --n SQuAD v1.1 dev paragraphs
($REALM_RAG_DATA_DIR) or, without them, synthetic-world passages. One process runs with --threads torch threads;
P processes run under `accelerate launch` (`training.launch_argv`) with --threads / P threads each, so both use the
same cores. Each run starts from an empty folder; the throughput is documents / the encoding seconds that
`encode_corpus` reports (model loading and process start-up excluded; wall seconds of the whole command are shown
too). The ratio is P processes against one, measured in the same run. A rerun on the finished folder then shows the
resume path: every shard skipped.

    python bench/encode_shards.py [--n 2000] [--shard_size 250] [--procs 1 2]
"""
import argparse, json, os, re, shutil, subprocess, tempfile, time
from pathlib import Path
from _common import machine_note, save_results, squad_paragraphs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--shard_size", type=int, default=250)
    ap.add_argument("--batch_size", type=int, default=64)
    ap.add_argument("--procs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="torch threads in all (split between processes)")
    args = ap.parse_args()
    from realm_rag.training import launch_argv
    print("machine:", machine_note(), "(the CPU may be shared with other jobs; numbers are wall-clock)")
    work = Path(tempfile.mkdtemp(prefix="encode_shards_"))
    try:
        if os.environ.get("REALM_RAG_DATA_DIR"):
            docs, source = squad_paragraphs(args.n), "SQuAD v1.1 dev paragraphs"
        else:
            from realm_rag.world import create_sample_data
            docs, source = create_sample_data(num_examples=30, num_docs=args.n, seed=0)["knowledge_base"], "synthetic-world passages"
        kb = work / "kb.jsonl"
        kb.write_text("".join(json.dumps(d) + "\n" for d in docs))
        words = sum(len(d["text"].split()) for d in docs) / len(docs)
        print(f"{len(docs)} {source} (mean {words:.0f} words), shards of {args.shard_size}")
        rows = []
        for P in args.procs:
            env = {**os.environ, "OMP_NUM_THREADS": str(max(1, args.threads // P)), "TOKENIZERS_PARALLELISM": "false",
                   "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
            cmd = launch_argv(P, "realm-rag", "index", "--knowledge_base", str(kb), "--out", str(work / f"p{P}"),
                              "--shard_size", str(args.shard_size), "--batch_size", str(args.batch_size), "--no_merge", "--no_progress")
            for attempt in ("first", "rerun"):
                t0 = time.perf_counter()
                r = subprocess.run(cmd, env=env, capture_output=True, text=True)
                wall = time.perf_counter() - t0
                if r.returncode: raise SystemExit(f"{P} process(es) failed:\n{r.stderr[-2000:]}")
                m = re.search(r"encoded (\d+), skipped (\d+) already on disk \(([\d.]+)s\)", r.stdout)
                enc_s = float(m.group(3))
                row = dict(processes=P, threads_each=max(1, args.threads // P), run=attempt, shards_encoded=int(m.group(1)),
                           shards_skipped=int(m.group(2)), encode_s=enc_s, wall_s=round(wall, 1),
                           docs_per_s=round(len(docs) / enc_s, 1) if attempt == "first" else None)
                rows.append(row); print(row, flush=True)
        first = [r for r in rows if r["run"] == "first"]
        print("\n| processes × threads | documents/s (encoding) | × 1 process | wall s (with start-up) | rerun: process 0 skipped its shards, wall s |")
        print("|---|---|---|---|---|")
        for r in first:
            again = next(x for x in rows if x["processes"] == r["processes"] and x["run"] == "rerun")
            print(f"| {r['processes']} × {r['threads_each']} | {r['docs_per_s']} | {r['docs_per_s'] / first[0]['docs_per_s']:.2f} "
                  f"| {r['wall_s']} | {again['shards_skipped']} of {again['shards_skipped'] + again['shards_encoded']} (encoded {again['shards_encoded']}), {again['wall_s']} |")
        print("(encoding seconds: process 0 from the start of encode_corpus until every process has written its shards; the model is loaded before)")
        save_results("encode_shards", dict(args=vars(args), source=source, n=len(docs), mean_words=words, rows=rows))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
