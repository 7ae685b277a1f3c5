"""SQuAD v1.1 open-domain QA with REALM's extractive span reader (Guu et al. 2020, §3.5): EM/F1 open-domain and with
the gold paragraph given (the reader's ceiling).

The reader starts from the bundled all-MiniLM-L6-v2 encoder (fresh span head), the query tower from the same MiniLM;
the document index (all 2,067 dev paragraphs, MiniLM) stays fixed. Questions are split by article (80 % of the
articles, seeded, for training); `--num_train` training questions are sampled for one pass, `--num_test` test
questions are answered retrieving from all paragraphs. The same code runs in nbs/15_span_reader.ipynb (slow cells).
Paragraph embeddings are cached in the git-ignored runs/squad-minilm (shared with bench/squad_retrieval.py).

Usage (from the repository root):
    export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 REALM_RAG_DATA_DIR=/path/to/folder/with/squad-v1.1-dev.json
    python bench/squad_reader.py [--num_train 240] [--num_test 150] [--threads 2]
"""
import argparse, json, time
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from realm_rag.config import DEFAULT_CONFIG
from realm_rag.data import load_squad
from realm_rag.encoders import default_retriever_path
from realm_rag.evaluation import REALMRAGEvaluator
from realm_rag.model import REALMRAGModel
from realm_rag.retrieval import Retriever
from realm_rag.span_reader import SpanReader, gold_passage_metrics, split_by_article

ROOT = Path(__file__).resolve().parent.parent


def squad_reader_run(num_train=240, num_test=150, train_k=3, test_k=5, max_length=192, batch_size=4,
                     lrs=(1e-4, 1e-3, 1e-5), seed=0, cache_dir=None, show_progress=True, device="cpu") -> dict:
    "Fine-tune a MiniLM span reader + query tower on SQuAD train articles; EM/F1 open-domain and on gold passages."
    t0, times = time.time(), {}
    kb, qa = load_squad()
    tr, te = split_by_article(qa, 0.8, seed=seed)
    rng = np.random.default_rng(seed)
    tr = [tr[i] for i in rng.permutation(len(tr))[:num_train]]
    te = [te[i] for i in rng.permutation(len(te))[:num_test]]
    retriever = Retriever.from_documents(kb, kind="flat", show_progress=show_progress, cache_dir=cache_dir)
    times["index"] = time.time() - t0
    cfg = DEFAULT_CONFIG.with_overrides({"model.num_retrieved_docs": train_k, "model.max_doc_length": max_length,
                                         "experiment.seed": seed})
    reader = SpanReader.from_pretrained(default_retriever_path(), max_length=max_length, max_question_length=40, seed=seed)
    model = REALMRAGModel(cfg, "realm", retriever=retriever, generator=reader).to(device)
    ev = REALMRAGEvaluator(model)
    out = {"train_questions": len(tr), "test_questions": len(te),
           "train_articles": len({q["metadata"]["article"] for q in tr}), "test_articles": len({q["metadata"]["article"] for q in te})}
    t1 = time.time()
    out["gold passage, untrained"] = gold_passage_metrics(model.reader, te, kb, show_progress=show_progress)
    times["eval untrained (gold)"] = time.time() - t1
    groups = [{"params": list(model.reader.encoder.parameters()), "lr": lrs[0]},
              {"params": list(model.reader.head.parameters()), "lr": lrs[1]},
              {"params": list(model.encoder.query_encoder.parameters()), "lr": lrs[2]}]
    opt, losses, skipped = torch.optim.AdamW(groups, weight_decay=0.01), [], 0
    t1 = time.time(); model.train()
    for s in tqdm(range(0, len(tr), batch_size), desc="fine-tune", disable=not show_progress):
        b = tr[s:s + batch_size]
        o = model.loss([q["question"] for q in b], [q["answers"] for q in b])
        skipped += o["num_skipped"]
        if o["num_skipped"] < len(b):
            opt.zero_grad(); o["loss"].backward()
            torch.nn.utils.clip_grad_norm_(model.trainable_parameters(), 1.0); opt.step(); losses.append(o["loss"].item())
    model.eval(); times["train"] = time.time() - t1
    out["skipped (answer in none of the top-k)"] = skipped
    out["losses"] = losses
    t1 = time.time()
    r = ev.evaluate_dataset(te, batch_size=8, show_progress=show_progress, ks=(1, 5), k=test_k)
    out["open domain, fine-tuned"] = {k: r[k] for k in ("exact_match", "f1_score", "hit@1", "hit@5", "mrr")}
    times["eval open domain"] = time.time() - t1; t1 = time.time()
    g = gold_passage_metrics(model.reader, te, kb, show_progress=show_progress)
    out["gold passage, fine-tuned"] = {k: g[k] for k in ("exact_match", "f1_score")}
    out["gold passage, untrained"] = {k: out["gold passage, untrained"][k] for k in ("exact_match", "f1_score")}
    times["eval gold"] = time.time() - t1
    out["records"], out["seconds"], out["total_seconds"] = r["records"], times, time.time() - t0
    return out


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
