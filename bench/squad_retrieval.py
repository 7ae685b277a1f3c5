"""SQuAD v1.1 dev as open retrieval: Hit@1/5/20/100 and MRR@10 per retriever, with timings.

Every one of the 10,570 dev questions searches all 2,067 paragraphs ("title / paragraph"); the gold document is the
question's own paragraph. Systems: bundled MiniLM (all-MiniLM-L6-v2) with an exact (flat) index and with each
approximate FAISS index (ivf, ivfpq, hnsw, default parameters of `DenseIndex`), BM25 (bm25s) and their reciprocal rank
fusion. Paragraph embeddings are cached in the git-ignored runs/squad-minilm (delete it to time the encoding).

Usage (from the repository root):
    export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 REALM_RAG_DATA_DIR=/path/to/folder/with/squad-v1.1-dev.json
    python bench/squad_retrieval.py [--limit N] [--answer-hits] [--threads T]
"""
import argparse, os, platform, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=None, help="evaluate only the first N questions")
    ap.add_argument("--answer-hits", action="store_true", help="also print DPR-style answer-string Hit@K")
    ap.add_argument("--threads", type=int, default=None, help="torch / FAISS threads (default: library default)")
    ap.add_argument("--cache-dir", default=str(ROOT / "runs" / "squad-minilm"), help="where paragraph embeddings are cached")
    args = ap.parse_args()

    import numpy as np, torch
    if args.threads:
        import faiss
        torch.set_num_threads(args.threads); faiss.omp_set_num_threads(args.threads)
    import pandas as pd
    from realm_rag.data import load_squad
    from realm_rag.retrieval import BM25Retriever, HybridRetriever, Retriever, compare_retrievers

    timings = {}
    def timed(name, fn):
        t0 = time.perf_counter(); out = fn(); timings[name] = time.perf_counter() - t0; return out

    kb, qa = timed("load SQuAD", load_squad)
    if args.limit: qa = qa[:args.limit]
    cached = (Path(args.cache_dir) / "retriever.json").exists()
    dense = timed("MiniLM: " + ("load cached paragraph embeddings" if cached else "encode 2,067 paragraphs + flat index"),
                  lambda: Retriever.from_documents(kb, cache_dir=args.cache_dir, show_progress=False))
    q_emb = timed(f"MiniLM: encode {len(qa):,} questions",
                  lambda: dense.encoder.encode_questions([x["question"] for x in qa], batch_size=128, show_progress=False))
    bm25 = timed("BM25: tokenize + index", lambda: BM25Retriever(kb, show_progress=False))
    systems = {"MiniLM flat (exact)": dense, "BM25": bm25, "hybrid RRF (MiniLM+BM25)": HybridRetriever(dense, bm25)}
    for kind in ("ivf", "ivfpq", "hnsw"):
        systems[f"MiniLM {kind}"] = timed(f"{kind}: build index", lambda kind=kind: dense.with_index(kind))

    table = compare_retrievers(systems, qa, ks=(1, 5, 20, 100), answer_hits=args.answer_hits,
                               query_embeddings=q_emb, show_progress=False)
    table["ms/query"] = 1000 * table["retrieve_s"] / len(qa)
    cols = ["hit@1", "hit@5", "hit@20", "hit@100", "mrr@10"]
    if args.answer_hits: cols += ["answer_hit@1", "answer_hit@5", "answer_hit@20", "answer_hit@100"]
    print(f"SQuAD v1.1 dev, open retrieval: {len(qa):,} questions x {len(kb):,} paragraphs "
          f"({platform.machine()}, torch threads={torch.get_num_threads()})")
    print(f"index params: " + "; ".join(f"{k}: {systems[f'MiniLM {k}'].index.params}" for k in ("ivf", "ivfpq", "hnsw")))
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table[cols + ["retrieve_s", "ms/query"]].round({**{c: 4 for c in cols}, "retrieve_s": 2, "ms/query": 3}).to_string())
    print("retrieve_s: seconds to retrieve the top 100 for every question (query embeddings precomputed for dense systems)")
    for k, v in timings.items(): print(f"  {k}: {v:.2f} s")


if __name__ == "__main__":
    main()
