"""SQuAD v1.1 open-domain QA with REALM's extractive span reader (Guu et al. 2020, §3.5): EM/F1 open-domain and with
the gold paragraph given (the reader's ceiling).

The reader starts from the bundled all-MiniLM-L6-v2 encoder (fresh span head), the query tower from the same MiniLM;
the document index (all 2,067 dev paragraphs, MiniLM) stays fixed. Questions are split by article (80 % of the
articles, seeded, for training); `--num_train` training questions are sampled for one pass, `--num_test` test
questions are answered retrieving from all paragraphs. It runs `realm_rag.span_reader.squad_reader_run`, which
nbs/15_span_reader.ipynb also runs (slow cells).
Paragraph embeddings are cached in the git-ignored runs/squad-minilm (shared with bench/squad_retrieval.py).

Usage (from the repository root):
    export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 REALM_RAG_DATA_DIR=/path/to/folder/with/squad-v1.1-dev.json
    python bench/squad_reader.py [--num_train 240] [--num_test 150] [--threads 2]
"""
import argparse, json, time
from pathlib import Path

import torch

from realm_rag.span_reader import squad_reader_run

ROOT = Path(__file__).resolve().parent.parent


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--num_train", type=int, default=240, help="training questions (sampled from the training articles)")
    ap.add_argument("--num_test", type=int, default=150, help="test questions (sampled from the held-out articles)")
    ap.add_argument("--train_k", type=int, default=3, help="paragraphs retrieved per training question")
    ap.add_argument("--test_k", type=int, default=5, help="paragraphs retrieved per test question")
    ap.add_argument("--max_length", type=int, default=192, help="word pieces per [CLS] question [SEP] paragraph [SEP] row")
    ap.add_argument("--batch_size", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=None, help="torch threads (default: library default)")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--cache_dir", default=str(ROOT / "runs" / "squad-minilm"), help="paragraph-embedding cache")
    ap.add_argument("--no_progress", action="store_true")
    args = ap.parse_args()
    if args.threads: torch.set_num_threads(args.threads)
    out = squad_reader_run(args.num_train, args.num_test, args.train_k, args.test_k, args.max_length, args.batch_size,
                           seed=args.seed, cache_dir=args.cache_dir, show_progress=not args.no_progress, device=args.device)
    print(f"SQuAD v1.1 dev, split by article: {out['train_questions']} training questions "
          f"({out['train_articles']} articles), {out['test_questions']} test questions ({out['test_articles']} articles); "
          f"retrieval from all 2,067 paragraphs; device={args.device}, torch threads={torch.get_num_threads()}")
    for name in ("gold passage, untrained", "open domain, fine-tuned", "gold passage, fine-tuned"):
        print(f"  {name:26s} " + "  ".join(f"{k}={v:.3f}" for k, v in out[name].items()))
    print(f"  skipped training questions (answer in none of the top-{args.train_k}): {out['skipped (answer in none of the top-k)']}")
    print("  seconds: " + ", ".join(f"{k} {v:.0f}" for k, v in out["seconds"].items()) + f"; total {out['total_seconds']:.0f}")


if __name__ == "__main__":
    main()
